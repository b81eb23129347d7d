//go:build windows

package prompt

import "os"

// defaultTTYPath names the console's input; its output is CONOUT$.
const defaultTTYPath = "CONIN$"

// openConsole opens the console, which Windows splits into an input and an
// output device; any other path is opened for both.
func openConsole(path string) (*console, error) {
	if path != defaultTTYPath {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return nil, err
		}
		return &console{in: f, out: f}, nil
	}
	// Read and write access: changing the input mode (echo off) needs both.
	in, err := os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, err
	}
	return &console{in: in, out: out}, nil
}
