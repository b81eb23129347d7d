//go:build !windows

package cli

// terminalDevice is what the terminal prompt opens.
const terminalDevice = "/dev/tty"
