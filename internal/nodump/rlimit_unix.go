//go:build unix

package nodump

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// noCoreLimit sets RLIMIT_CORE's soft limit to 0, keeping the hard limit.
func noCoreLimit() error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		return fmt.Errorf("reading RLIMIT_CORE: %w", err)
	}
	lim.Cur = 0
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		return fmt.Errorf("setting RLIMIT_CORE to 0: %w", err)
	}
	return nil
}
