//go:build unix

package nodump

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestDisableLowersTheCoreLimit(t *testing.T) {
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	if before.Max == 0 {
		t.Skip("the hard RLIMIT_CORE is 0 here: no core dumps to turn off")
	}
	// As after `ulimit -c unlimited`: dumps would be written.
	before.Cur = before.Max
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	var after unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &after); err != nil {
		t.Fatal(err)
	}
	if after.Cur != 0 {
		t.Errorf("RLIMIT_CORE soft limit is %d after Disable, want 0", after.Cur)
	}
	if after.Max != before.Max {
		t.Errorf("RLIMIT_CORE hard limit changed from %d to %d; children could not raise theirs", before.Max, after.Max)
	}
}
