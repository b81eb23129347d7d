package prompt

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  string // substring; empty means success
	}{
		{in: "123456", want: "123456"},
		{in: "  012345\n", want: "012345"},
		{in: "123 456", want: "123456"},
		{in: "\t1 2 3\u00a04 5 6\r\n", want: "123456"},
		{in: "", wantErr: `got nothing`},
		{in: "12345", wantErr: `got 5 digits`},
		{in: "1234567", wantErr: `got 7 digits`},
		{in: "12a", wantErr: `got 3 characters, not all digits`},
		{in: "12345a", wantErr: "must be 6 digits"},
		{in: "１２３４５６", wantErr: "must be 6 digits"}, // full-width digits are not ASCII
		{in: "hunter2-my-password", wantErr: `got 19 characters, not all digits`},
	} {
		got, err := ParseCode(tc.in)
		if tc.wantErr == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalidCode) {
			t.Errorf("ParseCode(%q) = %q, %v; want an ErrInvalidCode containing %q", tc.in, got, err, tc.wantErr)
		}
		if err != nil && (strings.Contains(err.Error(), "hunt") || strings.Contains(err.Error(), "12a")) {
			t.Errorf("ParseCode(%q) error repeats too much of the input: %v", tc.in, err)
		}
	}
}

func TestMFAQuestion(t *testing.T) {
	q := mfaQuestion(Request{Profile: "dev", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	for _, want := range []string{`"dev"`, "arn:aws:iam::123456789012:mfa/alice"} {
		if !strings.Contains(q, want) {
			t.Errorf("question %q lacks %q", q, want)
		}
	}
	if strings.Contains(q, "rejected") {
		t.Errorf("first question mentions a rejection: %q", q)
	}
	retry := mfaQuestion(Request{Profile: "dev", Retry: "invalid MFA one time pass code\x1b[2J"})
	if !strings.Contains(retry, "invalid MFA one time pass code") {
		t.Errorf("retry question %q lacks STS's reason", retry)
	}
	if strings.ContainsRune(retry, '\x1b') {
		t.Errorf("retry question passes an escape sequence to the terminal: %q", retry)
	}
	// A secret pasted on the line under mfa_serial continues its value; the
	// dialog must not show it to whoever watches the screen.
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	if q := mfaQuestion(Request{Profile: "dev", MFASerial: "arn:aws:iam::123456789012:mfa/alice\n" + secret}); strings.Contains(q, "wJalrXUtnFEMI") {
		t.Errorf("question shows what was pasted under mfa_serial: %q", q)
	}
}

// A typo is refused as a typo: not an STS rejection, no wait for a new code.
func TestMFAQuestionAfterATypo(t *testing.T) {
	_, err := ParseCode("12345")
	q := mfaQuestion(Request{Profile: "dev", Invalid: err.Error()})
	if !strings.Contains(q, "Not a code: MFA code must be 6 digits, got 5 digits.") {
		t.Errorf("question after a typo %q does not say what was wrong", q)
	}
	for _, never := range []string{"rejected", "Wait", "AWS rejected", "STS"} {
		if strings.Contains(q, never) {
			t.Errorf("question after a typo says %q: %q", never, q)
		}
	}
	if q := mfaQuestion(Request{Profile: "dev", Retry: "invalid MFA one time pass code"}); !strings.HasPrefix(q, "STS rejected the last code") {
		t.Errorf("question after STS's rejection: %q", q)
	} else if !strings.Contains(q, "If the app still shows that code, wait for the next one.") {
		// A mistyped code is fixed by typing the one shown now: waiting
		// for the next window is needed only when that code was just spent.
		t.Errorf("question after STS's rejection sends the user to wait in every case: %q", q)
	}
}
