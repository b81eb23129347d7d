//go:build unix

package privdir

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// NoFollow makes an open fail on a symbolic link ("" on Windows).
const NoFollow = syscall.O_NOFOLLOW

// nonBlock keeps an open of a FIFO from waiting for a writer.
const nonBlock = syscall.O_NONBLOCK

func checkPrivate(dir, what string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolving %s %s: %w", what, dir, err)
	}
	uid := os.Geteuid()
	fi, owner, err := statOwner(real)
	if err != nil {
		return fmt.Errorf("checking %s %s: %w", what, dir, err)
	}
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s %s is not a directory; remove it (awsmfa recreates it)", what, dir)
	case owner != uid:
		return fmt.Errorf("%s %s belongs to user id %d, not to you (%d), who could read or replace awsmfa's files in it; remove it (awsmfa recreates it), or take it over with: chown %d %s && chmod 700 %s", what, dir, owner, uid, uid, real, real)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s %s can be written by other users (mode %04o), who could replace awsmfa's files in it; run: chmod 700 %s", what, dir, fi.Mode().Perm(), real)
	}
	// A directory above it that another user may write lets them rename
	// it away and put their own in its place; a sticky one (/tmp) does not.
	for p := filepath.Dir(real); ; p = filepath.Dir(p) {
		fi, owner, err := statOwner(p)
		if err != nil {
			return fmt.Errorf("checking %s, above %s %s: %w", p, what, dir, err)
		}
		switch {
		case owner != uid && owner != 0:
			return fmt.Errorf("%s %s is inside %s, which belongs to user id %d, who could replace it; choose a directory of your own (set XDG_CACHE_HOME, or AWSMFA_FILE_DIR for the file keyring)", what, dir, p, owner)
		case fi.Mode().Perm()&0o002 != 0 && fi.Mode()&fs.ModeSticky == 0:
			return fmt.Errorf("%s %s is inside %s, which any user can write (mode %04o) and so replace it; run: chmod o-w %s (or chmod +t %s), or choose a directory of your own", what, dir, p, fi.Mode().Perm(), p, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// checkOwnFile refuses a file of another user's, or one with other names
// (a hard link planted while the directory was open to others): writing
// it would write into a file they can still open.
func checkOwnFile(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !ok:
		return nil
	case int(st.Uid) != os.Geteuid():
		return refused(path, fmt.Sprintf("it belongs to user id %d, not to you", st.Uid))
	case st.Nlink > 1:
		return refused(path, fmt.Sprintf("it has %d names (hard links)", st.Nlink))
	}
	return nil
}

func statOwner(path string) (fs.FileInfo, int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, 0, fmt.Errorf("no owner for %s", path)
	}
	return fi, int(st.Uid), nil
}

// RestrictFile takes group and other permissions off f when it is a
// regular file of the user's own, such as a shell redirect (umask 022 makes
// it world-readable) about to receive a secret. It reports whether it
// changed the mode; anything else (a pipe, a terminal) is left alone.
func RestrictFile(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return false, err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return false, nil // not ours to change; its owner chose who reads it
	}
	return true, f.Chmod(fi.Mode().Perm() &^ 0o077)
}
