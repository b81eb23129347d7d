// Package privdir keeps the directories awsmfa writes its own files in (the
// lock, code-state and file-keyring directories) private to the user, and
// opens the files in them only as what they should be.
//
// Another local user who could write such a directory could hold the lock
// (every call times out), write the give-up marker (every call refused),
// plant a link (awsmfa would overwrite its target) or pre-create a keyring
// item (awsmfa's encrypted keys would land in their file), or put a FIFO
// where a small state file goes (a read would hang past every timeout).
package privdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Ensure creates dir (mode 0700) if it is missing and refuses it unless it
// is the user's own and only the user can write it, and no directory above
// it lets another user replace it. what names the directory in messages
// ("the lock directory"). On Windows, where ACLs decide, it only creates.
func Ensure(dir, what string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w; check permissions on %s", what, err, dir)
	}
	return checkPrivate(dir, what)
}

// maxStateFile bounds ReadFile: awsmfa's state files hold one number.
const maxStateFile = 4096

// ReadFile reads a small file awsmfa wrote, without following a link and
// without waiting on a FIFO or device: anything but a regular file is an
// error. A missing file is fs.ErrNotExist, as with os.ReadFile.
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|NoFollow|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(path, fi.Mode())
	}
	if err := checkOwnFile(path, fi); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(f, maxStateFile))
}

// CheckRegular refuses path when something other than a regular file of
// the user's own (a link, FIFO, socket, device or directory; another user's
// file or a hard link to one) is there; nothing there is fine.
func CheckRegular(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return notRegular(path, fi.Mode())
	}
	return checkOwnFile(path, fi)
}

// notRegular, like every refusal of a file here, is an *fs.PathError, as
// a failed open would be: callers tell a file they cannot use from one
// whose content is damaged.
func notRegular(path string, mode fs.FileMode) error {
	return refused(path, fmt.Sprintf("not a regular file (%s)", kind(mode)))
}

func refused(path, why string) error {
	return &fs.PathError{Op: "refusing", Path: path, Err: errors.New(why + "; awsmfa did not make it: remove it and retry")}
}

func kind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode.IsDir():
		return "a directory"
	}
	return "mode " + mode.String()
}
