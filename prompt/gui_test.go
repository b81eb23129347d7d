//go:build unix && !darwin

package prompt

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// These tests show the real dialog on a virtual X server and type into it
// with xdotool, as a user would.

// startXvfb starts a virtual X server on a free display, points DISPLAY at
// it for the test, and returns the display name.
func startXvfb(t *testing.T) string {
	t.Helper()
	testenv.NeedCommands(t, "Xvfb", "xdotool", "zenity")
	display, stop, err := testenv.StartXvfb(patience)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	t.Setenv("DISPLAY", display) // for zenity, which the driver runs
	t.Setenv("WAYLAND_DISPLAY", "")
	return display
}

// xdotool runs xdotool on the test's display and returns its output.
func xdotool(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), patience)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// awaitWindow waits until a window titled title is shown, and returns its id.
// --onlyvisible matters: keys typed before the dialog is mapped are lost.
func awaitWindow(t *testing.T, title string) string {
	t.Helper()
	ids := strings.Fields(xdotool(t, "search", "--sync", "--onlyvisible", "--name", "^"+title+"$"))
	if len(ids) == 0 {
		t.Fatalf("no window titled %q", title)
	}
	return ids[0]
}

// screenshot saves the screen to AWSMFA_SCREENSHOT_DIR, if set, so a person
// can look at the dialog.
func screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("AWSMFA_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	testenv.NeedCommands(t, "import")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if msg, err := exec.Command("import", "-window", "root", out).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, msg)
	}
	t.Logf("screenshot: %s", out)
}

func newGUI(t *testing.T, timeout time.Duration) Prompter {
	t.Helper()
	p, err := New("gui", Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func askMFACode(p Prompter, req Request) <-chan answer {
	done := make(chan answer, 1)
	go func() {
		code, err := p.MFACode(context.Background(), req)
		done <- answer{code, err}
	}()
	return done
}

func TestGUIMFACode(t *testing.T) {
	startXvfb(t)
	req := Request{
		Profile:   "dev_admin", // the underscore must not turn into a mnemonic
		MFASerial: "arn:aws:iam::123456789012:mfa/alice",
		Retry:     "MultiFactorAuthentication failed with invalid MFA one time pass code.",
	}
	done := askMFACode(newGUI(t, 0), req)

	title := "awsmfa: MFA code for dev_admin"
	win := awaitWindow(t, title)
	if got := xdotool(t, "getwindowname", win); got != title {
		t.Errorf("window title %q, want %q", got, title)
	}
	xdotool(t, "type", "123 456")
	screenshot(t, "gui-mfa-code.png")
	xdotool(t, "key", "Return")
	if a := await(t, done); a.err != nil || a.text != "123456" {
		t.Errorf("MFACode = %q, %v; want 123456", a.text, a.err)
	}
}

func TestGUIEscapeCancels(t *testing.T) {
	startXvfb(t)
	done := askMFACode(newGUI(t, 0), Request{Profile: "cancelme", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	awaitWindow(t, "awsmfa: MFA code for cancelme")
	xdotool(t, "key", "Escape")
	if a := await(t, done); !errors.Is(a.err, ErrCanceled) {
		t.Errorf("MFACode after Escape = %q, %v; want ErrCanceled", a.text, a.err)
	}
}

func TestGUIPassphrase(t *testing.T) {
	startXvfb(t)
	p := newGUI(t, 0)
	done := make(chan answer, 1)
	go func() {
		pass, err := p.Passphrase(context.Background(), "Passphrase for the awsmfa keyring")
		done <- answer{pass, err}
	}()
	awaitWindow(t, "awsmfa")
	xdotool(t, "type", "s3cret")
	screenshot(t, "gui-passphrase.png")
	xdotool(t, "key", "Return")
	if a := await(t, done); a.err != nil || a.text != "s3cret" {
		t.Errorf("Passphrase = %q, %v; want s3cret", a.text, a.err)
	}
}

func TestGUITimeoutClosesDialog(t *testing.T) {
	startXvfb(t)
	// Long enough for zenity to map its window on a loaded machine before
	// the timeout closes it, short enough to keep the test quick.
	done := askMFACode(newGUI(t, 6*time.Second), Request{Profile: "slow"})
	title := "awsmfa: MFA code for slow"
	awaitWindow(t, title)
	a := await(t, done) // nobody types
	if !errors.Is(a.err, context.DeadlineExceeded) || !strings.Contains(a.err.Error(), "timed out after 6s") {
		t.Errorf("MFACode with no answer = %q, %v; want a timeout naming its length", a.text, a.err)
	}
	// The driver must not leave a dialog behind that still waits for a code.
	if out, err := exec.Command("xdotool", "search", "--name", "^"+title+"$").Output(); err == nil {
		t.Errorf("dialog still open after the timeout: window %s", out)
	}
}

// With a display but no session bus (ssh -X, a bare X server), the dialog
// starts no bus of its own: nothing appears in HOME (dbus-launch writes
// ~/.dbus, the accessibility bus ~/.cache/at-spi), and the environment
// awsmfa's other children inherit is as it was.
func TestGUIWithoutSessionBusStartsNoBus(t *testing.T) {
	startXvfb(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	os.Unsetenv("NO_AT_BRIDGE")
	done := askMFACode(newGUI(t, 0), Request{Profile: "nobus", MFASerial: "arn:aws:iam::123456789012:mfa/alice"})
	win := awaitWindow(t, "awsmfa: MFA code for nobus")
	pid := xdotool(t, "getwindowpid", win)
	environ, err := os.ReadFile("/proc/" + pid + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DBUS_SESSION_BUS_ADDRESS=disabled:", "NO_AT_BRIDGE=1"} {
		if !strings.Contains("\x00"+string(environ)+"\x00", "\x00"+want+"\x00") {
			t.Errorf("the dialog's environment lacks %s", want)
		}
	}
	xdotool(t, "type", "123456")
	xdotool(t, "key", "Return")
	if a := await(t, done); a.err != nil || a.text != "123456" {
		t.Fatalf("MFACode = %q, %v", a.text, a.err)
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("the dialog left %s in HOME", filepath.Join(home, e.Name()))
	}
	if _, set := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS"); set {
		t.Error("DBUS_SESSION_BUS_ADDRESS stays set after the dialog: awsmfa's other children would inherit it")
	}
}
