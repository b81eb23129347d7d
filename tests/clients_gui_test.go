//go:build linux

package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// guiPatience bounds every wait for the X server or a dialog; a dialog that
// never shows fails the script instead of hanging it.
const guiPatience = time.Minute

// cmdXvfb starts a virtual X server for the script on a free display and
// sets DISPLAY for the commands after it.
func cmdXvfb(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: xvfb")
	}
	display, stop, err := testenv.StartXvfb(guiPatience)
	ts.Check(err)
	ts.Defer(stop)
	ts.Setenv("DISPLAY", display)
	ts.Setenv("WAYLAND_DISPLAY", "")
}

func cmdDialog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || (args[0] != "answer" && args[0] != "cancel") {
		ts.Fatalf("usage: dialog answer|cancel")
	}
	profile, serial := ts.Getenv("PROFILE"), ts.Getenv("DEMO_SERIAL")
	title := "awsmfa: MFA code for " + profile
	// --onlyvisible matters: keys typed before the dialog is mapped are lost.
	win := strings.Fields(xdotool(ts, "search", "--sync", "--onlyvisible", "--name", "^"+title+"$"))[0]
	if got := xdotool(ts, "getwindowname", win); got != title {
		ts.Fatalf("dialog title %q, want %q", got, title)
	}
	pid, err := strconv.Atoi(xdotool(ts, "getwindowpid", win))
	ts.Check(err)
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	ts.Check(err)
	text := strings.ReplaceAll(string(cmdline), "\x00", " ")
	for _, want := range []string{`profile "` + profile + `"`, "MFA device: " + serial} {
		if !strings.Contains(text, want) {
			ts.Fatalf("dialog text does not say %q: %s", want, text)
		}
	}
	ts.Logf("dialog: %s", text)

	if args[0] == "cancel" {
		screenshot(ts, "cancel")
		xdotool(ts, "key", "Escape")
		return
	}
	code, err := stubOf(ts).Code(serial)
	ts.Check(err)
	xdotool(ts, "type", code)
	screenshot(ts, "answer")
	xdotool(ts, "key", "Return")
}

// xdotool runs xdotool on the script's display and returns its output.
func xdotool(ts *testscript.TestScript, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), guiPatience)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+ts.Getenv("DISPLAY"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		ts.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func screenshot(ts *testscript.TestScript, action string) {
	name := "dialog-" + ts.Getenv("CLIENT") + "-" + ts.Getenv("AWSMFA_KEYRING_BACKEND") + "-" + action + ".png"
	dir := ts.MkAbs("screenshots")
	ts.Check(os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, name)
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+ts.Getenv("DISPLAY"))
	if out, err := cmd.CombinedOutput(); err != nil {
		ts.Fatalf("screenshot: %v: %s", err, out)
	}
	if keep := os.Getenv("AWSMFA_SCREENSHOT_DIR"); keep != "" {
		b, err := os.ReadFile(path)
		ts.Check(err)
		ts.Check(os.MkdirAll(keep, 0o755))
		ts.Check(os.WriteFile(filepath.Join(keep, name), b, 0o644))
		ts.Logf("screenshot: %s", filepath.Join(keep, name))
	}
}
