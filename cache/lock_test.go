package cache

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestLockSecondWaiterTimesOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	key := NewSessionKey("work", "serial")
	unlock, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}

	// The lock is held by another open file, as another process would.
	_, err = Lock(context.Background(), dir, key, 200*time.Millisecond)
	path := filepath.Join(dir, lockFileName(key))
	// Not "delete the lock file": a live holder would keep its lock on the
	// old file while the next process locks a new one.
	want := `timed out after 200ms waiting for another awsmfa process refreshing profile "work" (it holds ` + path + `); answer or cancel its MFA prompt, or end that process, and retry`
	if err == nil || err.Error() != want {
		t.Fatalf("second Lock: %v\nwant: %s", err, want)
	}

	// A different session of the same profile is independent.
	unlockOther, err := Lock(context.Background(), dir, NewSessionKey("work", "other"), time.Second)
	if err != nil {
		t.Fatalf("other session blocked: %v", err)
	}
	if err := unlockOther(); err != nil {
		t.Fatal(err)
	}

	// A cancelled context ends the wait with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, dir, key, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with cancelled ctx: %v", err)
	}

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	defer unlock2()

	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s mode %v, want %v", p, fi.Mode().Perm(), want)
			}
		}
	}
}

func TestLockWaiterGetsLockWhenReleased(t *testing.T) {
	dir := t.TempDir()
	key := NewSessionKey("work")
	unlock, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), dir, key, time.Minute)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

// TestLockReleasedWhenHolderKilled: a child process takes the lock and is
// SIGKILLed; the kernel drops its lock, so the next Lock succeeds at once.
func TestLockReleasedWhenHolderKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses SIGKILL")
	}
	dir := t.TempDir()
	const profile = "work/team"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=lock", "LOCK_DIR="+dir, "LOCK_PROFILE="+profile)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child: %q, %v", line, err)
	}

	key := NewSessionKey(profile, "x")
	if _, err := Lock(context.Background(), dir, key, 100*time.Millisecond); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("lock held by child was acquired: %v", err)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// wait 1ns: one TryLock, no retry — the lock must be free right away.
	unlock, err := Lock(context.Background(), dir, key, time.Nanosecond)
	if err != nil {
		t.Fatalf("lock not released after SIGKILL: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestLockFileName(t *testing.T) {
	key := SessionKey{Profile: `a/b\c:d e`, Hash: "0123"}
	if got, want := lockFileName(key), "a%2Fb%5Cc%3Ad%20e-0123.lock"; got != want {
		t.Fatalf("lockFileName = %q, want %q", got, want)
	}
}

func TestLockDir(t *testing.T) {
	dir, err := LockDir()
	if err != nil {
		t.Skip(err)
	}
	if !strings.HasSuffix(dir, filepath.Join("awsmfa", "locks")) {
		t.Fatalf("LockDir() = %q", dir)
	}
}
