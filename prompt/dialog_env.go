package prompt

import (
	"errors"
	"fmt"
	"os"
)

// dialogPrograms are the programs zenity runs on Linux and the BSDs, in the
// order it tries them.
var dialogPrograms = []string{"qarma", "zenity", "matedialog"}

// environment is what decides whether a dialog can be shown.
type environment struct {
	goos     string
	getenv   func(string) string
	lookPath func(string) (string, error)
}

// dialogProblem says why no dialog can be shown, or returns nil. It matters
// because on Linux a dialog program without a display exits 1, which zenity
// reports as ErrCanceled: the user would see a cancel they never made.
func (e environment) dialogProblem() error {
	switch e.goos {
	case "darwin", "windows": // osascript and the Win32 API are always there
		return nil
	}
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display for a dialog (DISPLAY and WAYLAND_DISPLAY are unset)")
	}
	for _, name := range dialogPrograms {
		if _, err := e.lookPath(name); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no dialog program (none of %v is on PATH)", dialogPrograms)
}

// noBusSettings keep a dialog that has a display but no D-Bus session bus
// (ssh -X, a bare X server) from starting daemons that outlive awsmfa:
// without a bus address GLib runs dbus-launch (a dbus-daemon per dialog,
// which never exits), and GTK's accessibility bridge starts
// at-spi-bus-launcher and at-spi2-registryd on it. An address that cannot
// be reached stops the first, the GTK 3 and GTK 4 switches the second; a
// one-line entry needs neither.
var noBusSettings = [][2]string{
	{"DBUS_SESSION_BUS_ADDRESS", "disabled:"},
	{"NO_AT_BRIDGE", "1"},
	{"GTK_A11Y", "none"},
}

// withoutSessionBus applies noBusSettings to the environment the dialog
// program inherits when there is no session bus, and returns how to undo
// them, so that nothing else awsmfa starts inherits them.
func (e environment) withoutSessionBus() (restore func()) {
	if e.goos == "darwin" || e.goos == "windows" || e.getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return func() {}
	}
	var undo []func()
	for _, kv := range noBusSettings {
		old, had := os.LookupEnv(kv[0])
		if err := os.Setenv(kv[0], kv[1]); err != nil {
			continue
		}
		undo = append(undo, func() {
			if had {
				os.Setenv(kv[0], old)
			} else {
				os.Unsetenv(kv[0])
			}
		})
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
