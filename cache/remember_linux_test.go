package cache

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func requireKeyctl(t *testing.T) {
	t.Helper()
	// Skipped even under AWSMFA_REQUIRE_ALL=1, as the keyctl backend's
	// tests are: a container's seccomp profile may refuse keyctl.
	if err := canRemember(); err != nil {
		t.Skip(err)
	}
}

// One typed passphrase serves later processes until the TTL or a lock.
func TestPassphraseRememberedUntilLocked(t *testing.T) {
	requireKeyctl(t)
	dir := t.TempDir()
	cfg := Config{Backend: "file", FileDir: dir, FileUnlockTTL: time.Hour}
	t.Cleanup(func() { _, _ = LockFile(cfg) })

	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "")
	a := &answers{typed: []string{"pw", "pw"}}
	cfg.FilePassphrase = a.ask
	st, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}

	state, err := FileUnlock(cfg)
	if err != nil || !state.Remembered || state.Expires.IsZero() || time.Until(state.Expires) > time.Hour+time.Minute {
		t.Fatalf("after unlocking: %+v, %v; want remembered for at most 1h", state, err)
	}
	if perm := keyPerm(t, dir); perm != fmt.Sprintf("%08x", rememberPerm) {
		t.Fatalf("remembered key has permissions %s, want %08x (nothing for group or others)", perm, rememberPerm)
	}

	// A new process with no way to ask reads the keys.
	for range 3 {
		resetPassphrase(t)
		cfg.FilePassphrase = nil
		st, err = Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Keys("work"); err != nil {
			t.Fatalf("Keys in a later process: %v", err)
		}
	}
	if len(a.asked) != 2 {
		t.Fatalf("asked %d times; want 2 (creating the keyring)", len(a.asked))
	}

	if forgot, err := LockFile(cfg); !forgot || err != nil {
		t.Fatalf("LockFile: %v, %v", forgot, err)
	}
	resetPassphrase(t)
	st, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Keys("work"); err == nil || !strings.Contains(err.Error(), "awsmfa unlock") {
		t.Fatalf("Keys after lock with no way to ask: %v; want a locked keyring that says how to unlock it", err)
	}
	if forgot, err := LockFile(cfg); forgot || err != nil {
		t.Fatalf("second LockFile: %v, %v; want nothing to forget", forgot, err)
	}
}

// A remembered passphrase that no longer fits (the keyring was made again)
// is dropped, and the next run asks.
func TestStaleRememberedPassphraseIsAsked(t *testing.T) {
	requireKeyctl(t)
	dir := t.TempDir()
	cfg := Config{Backend: "file", FileDir: dir, FileUnlockTTL: time.Hour}
	t.Cleanup(func() { _, _ = LockFile(cfg) })
	if err := rememberPassphrase(rememberName(dir), "old", time.Hour); err != nil {
		t.Fatal(err)
	}
	st := openFile(t, dir)
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "")
	a := &answers{typed: []string{"test passphrase"}}
	cfg.FilePassphrase = a.ask
	st, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A hit does not pay for checking a remembered passphrase: the item
	// that it fails to decrypt says so, and it is forgotten.
	if _, err := st.Keys("work"); !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "forgotten now") || len(a.asked) != 0 {
		t.Fatalf("Keys with a stale remembered passphrase: %v after %d questions", err, len(a.asked))
	}
	resetPassphrase(t)
	st, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Keys("work"); err != nil || len(a.asked) != 1 {
		t.Fatalf("Keys in the next run: %v after %d questions", err, len(a.asked))
	}
	if got, err := recallPassphrase(rememberName(dir)); err != nil || got != "test passphrase" {
		t.Fatalf("remembered now: %v", err)
	}
}

func keyPerm(t *testing.T, dir string) string {
	t.Helper()
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", rememberName(dir), 0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("/proc/keys")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[0] == fmt.Sprintf("%08x", id) {
			return f[4]
		}
	}
	t.Fatal(errors.New("key not in /proc/keys"))
	return ""
}
