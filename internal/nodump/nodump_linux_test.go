package nodump

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestDisableMakesTheProcessNotDumpable(t *testing.T) {
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Errorf("PR_GET_DUMPABLE = %d (%v) after Disable, want 0", d, err)
	}
}
