package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// withFileSizeLimit runs f with writes limited to limit bytes per file, as
// on a full disk: a write past it fails with EFBIG (Go ignores SIGXFSZ).
func withFileSizeLimit(t *testing.T, limit uint64, f func()) {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}()
	f()
}

func TestFailedWriteKeepsTheOldItem(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir)
	old := Keys{AccessKeyID: "AKIAOLDOLDOLDOLD", SecretAccessKey: "old secret"}
	if err := st.SetKeys("work", old); err != nil {
		t.Fatal(err)
	}
	var err error
	withFileSizeLimit(t, 64, func() {
		err = st.SetKeys("work", Keys{AccessKeyID: "AKIANEWNEWNEWNEW", SecretAccessKey: "new secret"})
	})
	if err == nil {
		t.Fatal("SetKeys past the write limit succeeded")
	}
	got, err := st.Keys("work")
	if err != nil || got != old {
		t.Fatalf("after a failed write: %+v, %v; want the old keys intact", got, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, _ := e.Info(); fi.Size() == 0 || e.IsDir() {
			t.Fatalf("left %s (%d bytes, dir %v) in the keyring", filepath.Join(dir, e.Name()), fi.Size(), e.IsDir())
		}
	}
}

// A staging directory left by a process killed mid-write is removed by a
// later write once it is old, and never listed as an item.
func TestAbandonedWriteIsCleanedUp(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir)
	old := filepath.Join(dir, writePrefix+"killed")
	if err := os.Mkdir(old, 0o700); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountSessions([]string{"work"}); err != nil || n != 0 {
		t.Fatalf("CountSessions: %d, %v", n, err)
	}
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("the abandoned staging directory is still there: %v", err)
	}
}
