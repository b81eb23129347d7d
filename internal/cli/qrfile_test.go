package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A link planted between the check at the start of enroll and the write
// (the device is made in between) is refused by the write itself.
func TestWriteNewPrivateFileRefusesALinkAndAnExistingFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "qr.png")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := writeNewPrivateFile(link, []byte("PNG secret")); err == nil {
		t.Fatal("wrote through a symbolic link")
	}
	if err := writeNewPrivateFile(victim, []byte("PNG secret")); err == nil {
		t.Fatal("overwrote an existing file")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Fatalf("victim now holds %q", b)
	}
	fresh := filepath.Join(dir, "new.png")
	if err := writeNewPrivateFile(fresh, []byte("PNG")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file has mode %v; want 0600", fi.Mode().Perm())
	}
}
