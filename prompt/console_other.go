//go:build !unix && !windows

package prompt

import (
	"fmt"
	"runtime"
)

const defaultTTYPath = ""

func openConsole(string) (*console, error) {
	return nil, fmt.Errorf("no terminal support on %s", runtime.GOOS)
}
