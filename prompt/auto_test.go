package prompt

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeEnv builds an environment from a map of variables and a set of
// programs on PATH.
func fakeEnv(goos string, vars map[string]string, programs ...string) environment {
	return environment{
		goos:   goos,
		getenv: func(k string) string { return vars[k] },
		lookPath: func(name string) (string, error) {
			for _, p := range programs {
				if p == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		},
	}
}

func TestAutoChoice(t *testing.T) {
	openableTTY := filepath.Join(t.TempDir(), "tty") // any file opens like a terminal here
	if err := os.WriteFile(openableTTY, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missingTTY := filepath.Join(t.TempDir(), "no-tty")

	for _, tc := range []struct {
		name    string
		env     environment
		tty     string
		want    string // "gui", "terminal", or an error substring
		wantErr bool
	}{
		{"X11 with zenity", fakeEnv("linux", map[string]string{"DISPLAY": ":0"}, "zenity"), missingTTY, "gui", false},
		{"Wayland with qarma", fakeEnv("linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "qarma"), openableTTY, "gui", false},
		{"BSD with matedialog", fakeEnv("freebsd", map[string]string{"DISPLAY": ":0"}, "matedialog"), openableTTY, "gui", false},
		{"display without dialog program", fakeEnv("linux", map[string]string{"DISPLAY": ":0"}), openableTTY, "terminal", false},
		{"dialog program without display", fakeEnv("linux", nil, "zenity"), openableTTY, "terminal", false},
		{"macOS always has osascript", fakeEnv("darwin", nil), missingTTY, "gui", false},
		{"Windows always has dialogs", fakeEnv("windows", nil), missingTTY, "gui", false},
		{"nothing at all", fakeEnv("linux", nil, "zenity"), missingTTY, "DISPLAY and WAYLAND_DISPLAY are unset", true},
		{"no program, no terminal", fakeEnv("linux", map[string]string{"DISPLAY": ":0"}), missingTTY, "none of [qarma zenity matedialog] is on PATH", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &auto{gui: &gui{env: tc.env}, terminal: &terminal{path: tc.tty}}
			p, err := a.choose("the MFA code", noPromptFix)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("chose %T, want an error", p)
				}
				for _, want := range []string{tc.want, "cannot ask for the MFA code", tc.tty, "run from a terminal, set DISPLAY, or install zenity"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[Prompter]string{a.gui: "gui", a.terminal: "terminal"}[p]
			if got != tc.want {
				t.Errorf("chose %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAutoReportsWhyItCannotAsk(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("a dialog is always available here")
	}
	p, err := New("auto", Options{
		TTYPath:  filepath.Join(t.TempDir(), "no-tty"),
		Getenv:   func(string) string { return "" },
		LookPath: func(string) (string, error) { return "", exec.ErrNotFound },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Passphrase(t.Context(), "Keyring passphrase"); err == nil || errors.Is(err, ErrCanceled) ||
		!strings.Contains(err.Error(), "cannot ask for the passphrase") {
		t.Errorf("Passphrase with neither display nor terminal = %v", err)
	} else if strings.Contains(err.Error(), noPromptFix) {
		// The keyring adds its own fix (awsmfa unlock): one list of remedies.
		t.Errorf("Passphrase error carries the MFA prompt's fix as well: %v", err)
	}
}
