package nodump

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func disable() error {
	if err := noCoreLimit(); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_DUMPABLE: %w", err)
	}
	return nil
}
