//go:build unix

package prompt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noTTY keeps the commands in these tests off the developer's terminal.
var noTTY = Options{TTYPath: "/nonexistent/tty"}

func TestCodeFromOutput(t *testing.T) {
	for out, want := range map[string]string{
		"123456\n":                             "123456",
		"123 456":                              "123456",
		"Touch your key\n\n 654321 \n\n":       "654321",
		"Amazon Web Services:alice  012345\n":  "012345",
		"account 202401: code 987654":          "", // two codes: which one?
		"1234567":                              "",
		"":                                     "",
		"code 123456\nsomething else entirely": "",
	} {
		got, ok := codeFromOutput(out)
		if got != want || ok != (want != "") {
			t.Errorf("codeFromOutput(%q) = %q, %v; want %q", out, got, ok, want)
		}
	}
}

func TestCommandReadsTheCodeFromStdout(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWSMFA_FILE_PASSPHRASE", "keyring-pw")
	// The command sees which profile and device the code is for (and not
	// the keyring passphrase), and its stderr is not part of the code.
	p := NewCommand(`echo "$AWSMFA_PROFILE $AWSMFA_MFA_SERIAL$AWSMFA_FILE_PASSPHRASE" > `+filepath.Join(dir, "seen")+`; echo 'Touch your YubiKey' >&2; echo 123456`, noTTY)
	code, err := p.MFACode(context.Background(), Request{Profile: "work", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	if err != nil || code != "123456" {
		t.Fatalf("got %q, %v", code, err)
	}
	seen, err := os.ReadFile(filepath.Join(dir, "seen"))
	if err != nil || strings.TrimSpace(string(seen)) != "work arn:aws:iam::123456789012:mfa/alice" {
		t.Errorf("the command saw %q (%v)", seen, err)
	}
}

func TestCommandCodeAfterLongOutput(t *testing.T) {
	// A chatty helper: 10 KB of progress, then the code on the last line.
	p := NewCommand(`i=0; while [ $i -lt 200 ]; do echo "progress line $i: ............................................"; i=$((i+1)); done; echo 654321`, noTTY)
	code, err := p.MFACode(context.Background(), Request{Profile: "work", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	if err != nil || code != "654321" {
		t.Fatalf("got %q, %v; want the code from the last line", code, err)
	}
}

func TestCommandFailures(t *testing.T) {
	for command, want := range map[string]string{
		"exit 3":                    `mfa_process "exit 3" failed (exit status 3); run it in a terminal to see why`,
		"echo no code here":         "printed no six-digit code on its last line; make it print only the code",
		"/nonexistent/otp-tool now": "failed (exit status 127)",
	} {
		_, err := NewCommand(command, noTTY).MFACode(context.Background(), Request{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", command, err, want)
		}
	}
}

// Ctrl-C in a terminal reaches the code command too, which may end before
// awsmfa hears of the signal: that is the user stopping the prompt, not a
// command that failed.
func TestInterruptedCommandIsACancel(t *testing.T) {
	for _, command := range []string{"kill -INT $$", "exit 130"} {
		_, err := NewCommand(command, noTTY).MFACode(context.Background(), Request{})
		if !errors.Is(err, ErrCanceled) || !strings.Contains(err.Error(), "was interrupted") {
			t.Errorf("%s: got %v, want ErrCanceled", command, err)
		}
	}
}

func TestCommandTimesOut(t *testing.T) {
	opts := noTTY
	opts.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := NewCommand("exec sleep 30", opts).MFACode(context.Background(), Request{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("got %v, want the prompt timeout", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the command was not stopped at the timeout")
	}
}

func TestYkmanDriver(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ykman")
	script := "#!/bin/sh\necho \"$@\" > " + filepath.Join(dir, "args") + "\necho 'Touch your YubiKey...' >&2\necho 246810\n"
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	lookPath := func(name string) (string, error) {
		if name != "ykman" {
			t.Errorf("looked up %q", name)
		}
		return fake, nil
	}
	for account, want := range map[string]string{
		"":         "oath accounts code --single arn:aws:iam::123456789012:mfa/alice",
		"AWS:work": "oath accounts code --single AWS:work",
	} {
		opts := noTTY
		opts.LookPath, opts.YkmanAccount = lookPath, account
		p, err := New("ykman", opts)
		if err != nil {
			t.Fatal(err)
		}
		code, err := p.MFACode(context.Background(), Request{Profile: "work", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
		if err != nil || code != "246810" {
			t.Fatalf("got %q, %v", code, err)
		}
		args, _ := os.ReadFile(filepath.Join(dir, "args"))
		if got := strings.TrimSpace(string(args)); got != want {
			t.Errorf("ykman ran with %q, want %q", got, want)
		}
	}
}

func TestYkmanMissing(t *testing.T) {
	opts := noTTY
	opts.LookPath = func(string) (string, error) {
		return "", errors.New(`exec: "ykman": executable file not found in $PATH`)
	}
	p, err := New("ykman", opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.MFACode(context.Background(), Request{MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	if err == nil || !strings.Contains(err.Error(), "--prompt ykman needs YubiKey Manager (ykman) on PATH") {
		t.Errorf("got %v", err)
	}
}
