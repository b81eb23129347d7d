//go:build unix

package prompt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// patience bounds each wait on the driver; it is a limit, not a delay.
const patience = 10 * time.Second

// fakeTTY is a pseudo-terminal standing in for the user's terminal: the
// driver opens its tty side by path; the test types into and reads the
// screen from its master side.
type fakeTTY struct {
	t      *testing.T
	master *os.File
	path   string
	screen chan []byte // what the driver wrote, plus the terminal's echo
	seen   bytes.Buffer
}

func newFakeTTY(t *testing.T) *fakeTTY {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	f := &fakeTTY{t: t, master: master, path: tty.Name(), screen: make(chan []byte, 64)}
	go func() {
		for {
			buf := make([]byte, 1024)
			n, err := master.Read(buf)
			if n > 0 {
				f.screen <- buf[:n]
			}
			if err != nil {
				close(f.screen)
				return
			}
		}
	}()
	t.Cleanup(func() {
		master.Close()
		tty.Close() // held open until now so the master never sees a hang-up
	})
	return f
}

// waitFor reads the screen until it shows want, and returns all seen so far.
func (f *fakeTTY) waitFor(want string) string {
	f.t.Helper()
	deadline := time.After(patience)
	for !strings.Contains(f.seen.String(), want) {
		select {
		case b, ok := <-f.screen:
			if !ok {
				f.t.Fatalf("terminal closed before showing %q; it showed %q", want, f.seen.String())
			}
			f.seen.Write(b)
		case <-deadline:
			f.t.Fatalf("terminal did not show %q within %v; it showed %q", want, patience, f.seen.String())
		}
	}
	return f.seen.String()
}

func (f *fakeTTY) typeText(s string) {
	f.t.Helper()
	if _, err := f.master.WriteString(s); err != nil {
		f.t.Fatalf("type %q: %v", s, err)
	}
}

type answer struct {
	text string
	err  error
}

// await returns the driver's answer, failing the test if it takes too long.
func await(t *testing.T, done <-chan answer) answer {
	t.Helper()
	select {
	case a := <-done:
		return a
	case <-time.After(patience):
		t.Fatalf("prompt did not return within %v", patience)
		return answer{}
	}
}

func newTerminal(t *testing.T, path string, timeout time.Duration) Prompter {
	t.Helper()
	p, err := New("terminal", Options{TTYPath: path, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var devReq = Request{Profile: "dev", MFASerial: "arn:aws:iam::123456789012:mfa/alice"}

func TestTerminalMFACode(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	done := make(chan answer, 1)
	go func() {
		code, err := p.MFACode(t.Context(), devReq)
		done <- answer{code, err}
	}()

	screen := tty.waitFor("MFA code: ")
	for _, want := range []string{`"dev"`, devReq.MFASerial} {
		if !strings.Contains(screen, want) {
			t.Errorf("prompt %q does not name %q", screen, want)
		}
	}
	tty.typeText("123 456\n")
	if a := await(t, done); a.err != nil || a.text != "123456" {
		t.Errorf("MFACode = %q, %v; want 123456", a.text, a.err)
	}
}

func TestTerminalMFACodeRetryShowsReason(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	done := make(chan answer, 1)
	req := devReq
	req.Retry = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	go func() {
		code, err := p.MFACode(t.Context(), req)
		done <- answer{code, err}
	}()
	if screen := tty.waitFor("MFA code: "); !strings.Contains(screen, req.Retry) {
		t.Errorf("retry prompt %q lacks STS's reason", screen)
	}
	tty.typeText("12a\n")
	if a := await(t, done); !errors.Is(a.err, ErrInvalidCode) {
		t.Errorf("MFACode(12a) = %q, %v; want ErrInvalidCode", a.text, a.err)
	}
}

func TestTerminalPassphraseDoesNotEcho(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	done := make(chan answer, 1)
	go func() {
		pass, err := p.Passphrase(t.Context(), "Keyring passphrase")
		done <- answer{pass, err}
	}()
	tty.waitFor("Keyring passphrase: ")
	tty.typeText("s3cret-typo\x7f\x7f\x7f\x7f\x7f\n")
	if a := await(t, done); a.err != nil || a.text != "s3cret" {
		t.Errorf("Passphrase = %q, %v; want s3cret", a.text, a.err)
	}
	// The driver ends its line after the answer; once that shows, anything
	// echoed would have shown too.
	if screen := tty.waitFor("passphrase: \r\n"); strings.Contains(screen, "s3cret") {
		t.Errorf("passphrase echoed: %q", screen)
	}
}

func TestTerminalPassphraseCtrlCCancels(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	done := make(chan answer, 1)
	go func() {
		pass, err := p.Passphrase(t.Context(), "Keyring passphrase")
		done <- answer{pass, err}
	}()
	tty.waitFor("Keyring passphrase: ")
	tty.typeText("abc\x03")
	a := await(t, done)
	if !errors.Is(a.err, ErrCanceled) {
		t.Errorf("Passphrase after Ctrl-C = %q, %v; want ErrCanceled", a.text, a.err)
	}
	if a.err != nil && a.err.Error() != "passphrase prompt cancelled" {
		t.Errorf("Passphrase after Ctrl-C says %q; want it to name the passphrase prompt", a.err)
	}
}

func TestTerminalCancel(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan answer, 1)
	go func() {
		code, err := p.MFACode(ctx, devReq)
		done <- answer{code, err}
	}()
	tty.waitFor("MFA code: ")
	cancel()
	if a := await(t, done); !errors.Is(a.err, context.Canceled) {
		t.Errorf("MFACode after cancel = %q, %v; want context.Canceled", a.text, a.err)
	}
}

func TestTerminalTimeout(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, time.Millisecond) // nobody types, so it must expire
	_, err := p.MFACode(t.Context(), devReq)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 1ms") {
		t.Errorf("MFACode with no answer = %v; want a timeout naming its length", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "MFA prompt timed out") {
		t.Errorf("MFACode with no answer says %q; want it to name the MFA prompt", err)
	}
	_, err = p.Passphrase(t.Context(), "Keyring passphrase")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "passphrase prompt timed out after 1ms") {
		t.Errorf("Passphrase with no answer = %v; want a timeout that names the passphrase prompt", err)
	}
}

func TestTerminalMissing(t *testing.T) {
	p := newTerminal(t, "/nonexistent/tty", 0)
	_, err := p.MFACode(t.Context(), devReq)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/tty") {
		t.Errorf("MFACode without a terminal = %v; want an error naming the path", err)
	}
}

func TestTerminalCtrlDEndsThePromptLine(t *testing.T) {
	tty := newFakeTTY(t)
	p := newTerminal(t, tty.path, 0)
	done := make(chan answer, 1)
	go func() {
		code, err := p.MFACode(t.Context(), devReq)
		done <- answer{code, err}
	}()
	tty.waitFor("MFA code: ")
	tty.typeText("\x04") // Ctrl-D on the empty line, which the terminal does not echo
	if a := await(t, done); !errors.Is(a.err, ErrCanceled) {
		t.Fatalf("MFACode after Ctrl-D = %q, %v; want ErrCanceled", a.text, a.err)
	}
	// The error awsmfa prints next must not continue "MFA code: ".
	tty.waitFor("MFA code: \r\n")
}
