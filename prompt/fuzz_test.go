package prompt

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// FuzzParseCode: whatever a user types (or an mfa_process prints), ParseCode
// returns six ASCII digits taken from it, or an ErrInvalidCode whose message
// repeats at most a few runes of the input.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456\n", "12345", "1234567", "١٢٣٤٥٦", "abcdef", "", "\t0\t0\t0\t0\t0\t0", "hunter2-password"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("ParseCode(%q) error %v does not match ErrInvalidCode", s, err)
			}
			if strings.Count(err.Error(), "…") > 1 {
				t.Fatalf("error repeats too much input: %q", err)
			}
			return
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("ParseCode(%q) = %q, not six ASCII digits", s, code)
		}
		stripped := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
		if stripped != code {
			t.Fatalf("ParseCode(%q) = %q, want the input without spaces %q", s, code, stripped)
		}
	})
}
