//go:build unix

package privdir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEnsureCreatesAPrivateDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "locks")
	if err := Ensure(dir, "the lock directory"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("created with mode %04o, want 0700", fi.Mode().Perm())
	}
	// Read-only for others is fine; so is a sticky world-writable parent.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(dir, "the lock directory"); err != nil {
		t.Errorf("a 0755 directory of the user's own: %v", err)
	}
	sticky := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(sticky, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sticky, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(filepath.Join(sticky, "mine"), "the lock directory"); err != nil {
		t.Errorf("inside a sticky world-writable directory: %v", err)
	}
}

func TestEnsureRefusesADirectoryOthersCanWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o777, 0o770, 0o702} {
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		err := Ensure(dir, "the lock directory")
		if err == nil || !strings.Contains(err.Error(), "can be written by other users") || !strings.Contains(err.Error(), "run: chmod 700 ") {
			t.Errorf("mode %04o: %v; want a refusal that says to chmod 700", mode, err)
		}
	}
}

func TestEnsureRefusesADirectoryInsideOneAnyoneCanWrite(t *testing.T) {
	open := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil { // past the umask
		t.Fatal(err)
	}
	err := Ensure(filepath.Join(open, "awsmfa", "locks"), "the lock directory")
	if err == nil || !strings.Contains(err.Error(), "which any user can write") || !strings.Contains(err.Error(), "chmod o-w "+open) {
		t.Errorf("got %v; want a refusal naming %s", err, open)
	}
}

// As root (CI), a directory another user made is the attack itself: they
// made it first, mode 0777 or not.
func TestEnsureRefusesAnotherUsersDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "locks")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	err := Ensure(dir, "the lock directory")
	if err == nil || !strings.Contains(err.Error(), "belongs to user id 65534") || !strings.Contains(err.Error(), "chown 0 ") {
		t.Errorf("got %v; want a refusal that says whose it is and how to take it over", err)
	}
	file := filepath.Join(t.TempDir(), "item")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(file, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := CheckRegular(file); err == nil {
		t.Error("CheckRegular accepted another user's file")
	}
}

func TestReadFileDoesNotWaitOnAFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "state")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "a FIFO") {
			t.Errorf("ReadFile(FIFO) = %v; want it refused as a FIFO", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("ReadFile blocked on a FIFO")
	}
	if err := CheckRegular(fifo); err == nil || !strings.Contains(err.Error(), "a FIFO") {
		t.Errorf("CheckRegular(FIFO) = %v", err)
	}
}

func TestLinksAreNotFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(link); err == nil {
		t.Error("ReadFile followed a symbolic link")
	}
	if err := CheckRegular(link); err == nil || !strings.Contains(err.Error(), "a symbolic link") {
		t.Errorf("CheckRegular(link) = %v", err)
	}
	hard := filepath.Join(dir, "hard")
	if err := os.Link(target, hard); err != nil {
		t.Fatal(err)
	}
	if err := CheckRegular(hard); err == nil || !strings.Contains(err.Error(), "hard links") {
		t.Errorf("CheckRegular(hard link) = %v", err)
	}
	if err := os.Remove(hard); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(target); err != nil || string(b) != "123\n" {
		t.Errorf("ReadFile(regular) = %q, %v", b, err)
	}
	if err := CheckRegular(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("CheckRegular(missing) = %v; nothing there is fine", err)
	}
}

// A redirect made world-readable by the umask is closed to others before
// a secret is written to it; a pipe is left as it is.
func TestRestrictFileClosesARedirectToOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "awsmfa.env")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Chmod(0o644); err != nil { // whatever the test's umask
		t.Fatal(err)
	}
	changed, err := RestrictFile(f)
	if err != nil || !changed {
		t.Fatalf("RestrictFile = %v, %v; want true, nil", changed, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o after RestrictFile, want 0600", fi.Mode().Perm())
	}
	if changed, err := RestrictFile(f); changed || err != nil {
		t.Errorf("second RestrictFile = %v, %v; want false, nil (already private)", changed, err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if changed, err := RestrictFile(w); changed || err != nil {
		t.Errorf("RestrictFile on a pipe = %v, %v; want false, nil", changed, err)
	}
}
