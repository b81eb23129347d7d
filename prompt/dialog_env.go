package prompt

import (
	"errors"
	"fmt"
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
