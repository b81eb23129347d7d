package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/99designs/keyring"
)

// writePrefix starts the name of the directory a write is staged in.
const writePrefix = ".write-"

// fileRing is keyring's file backend with writes that replace an item
// whole. keyring's own Set truncates the item's file and then writes it, so
// a full disk or a write limit leaves an empty item where the long-term
// keys were. Here the item is written into a staging directory inside the
// keyring's directory (same file system), synced, and renamed over the old
// one: a reader sees the old item or the new one, never a part.
type fileRing struct {
	keyring.Keyring
	dir  string
	pass keyring.PromptFunc
	// checked: pass is known to be the keyring's (the check item's own
	// write); otherwise the first write checks it.
	checked bool
}

func (r fileRing) Set(item keyring.Item) error {
	if !r.checked {
		if err := checkBeforeWrite(r.dir, r.pass); err != nil {
			return err
		}
	}
	r.removeAbandonedWrites()
	staging, err := os.MkdirTemp(r.dir, writePrefix+"*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          staging,
		FilePasswordFunc: r.pass,
	})
	if err != nil {
		return err
	}
	if err := ring.Set(item); err != nil {
		return err
	}
	entries, err := os.ReadDir(staging)
	if err != nil {
		return err
	}
	if len(entries) != 1 {
		return fmt.Errorf("staging the item left %d files instead of 1", len(entries))
	}
	name := entries[0].Name()
	if err := syncFile(filepath.Join(staging, name)); err != nil {
		return err
	}
	return os.Rename(filepath.Join(staging, name), filepath.Join(r.dir, name))
}

// abandonedAfter is how old a staging directory must be to count as left
// by a process killed mid-write: a write takes milliseconds.
const abandonedAfter = time.Minute

// removeAbandonedWrites deletes staging directories that killed processes
// left behind; they hold at most an encrypted copy of an item.
func (r fileRing) removeAbandonedWrites() {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), writePrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > abandonedAfter {
			os.RemoveAll(filepath.Join(r.dir, e.Name()))
		}
	}
}

// Keys hides the staging directories of writes under way.
func (r fileRing) Keys() ([]string, error) {
	keys, err := r.Keyring.Keys()
	out := keys[:0]
	for _, k := range keys {
		if !strings.HasPrefix(k, writePrefix) {
			out = append(out, k)
		}
	}
	return out, err
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
