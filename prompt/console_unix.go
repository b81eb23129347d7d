//go:build unix

package prompt

import (
	"os"
	"syscall"
)

const defaultTTYPath = "/dev/tty"

// openConsole opens the terminal for both reading and writing. O_NOCTTY
// keeps a terminal named by path (a test's pty) from becoming ours.
func openConsole(path string) (*console, error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	return &console{in: f, out: f}, nil
}
