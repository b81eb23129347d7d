package sharedconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// sharedFile is one shared file as read.
type sharedFile struct {
	path          string
	isCredentials bool
	data          []byte
	// openErr is why the file could not be opened; the SDK then reads it
	// as empty, and so does Load.
	openErr error
}

// sharedFiles are the config file and the credentials file.
type sharedFiles struct {
	config, credentials sharedFile
}

func readSharedFiles() (*sharedFiles, error) {
	var files sharedFiles
	// A file whose default place cannot be worked out (no home directory)
	// is absent, as the SDK treats it.
	files.config.path, _ = awsconfig.ConfigPath()
	files.credentials.path, _ = awsconfig.CredentialsPath()
	files.credentials.isCredentials = true
	for _, f := range files.both() {
		if f.path == "" {
			continue
		}
		if err := f.read(); err != nil {
			return nil, err
		}
	}
	return &files, nil
}

func (files *sharedFiles) both() [2]*sharedFile {
	return [2]*sharedFile{&files.config, &files.credentials}
}

func (files *sharedFiles) paths() []string {
	var paths []string
	for _, f := range files.both() {
		if f.path != "" {
			paths = append(paths, f.path)
		}
	}
	return paths
}

// profiles indexes both files.
func (files *sharedFiles) profiles() *profiles {
	return newProfiles(files.config.index(), files.credentials.index())
}

func (f *sharedFile) index() *iniFile { return indexINI(string(f.data), f.path) }

// read reads the file as the SDK does: a file that does not exist or
// cannot be opened is empty; one that opens but cannot be read (a
// directory) is an error.
func (f *sharedFile) read() error {
	data, err := os.ReadFile(f.path)
	var pathErr *fs.PathError
	switch {
	case err == nil:
		f.data = data
	case errors.Is(err, fs.ErrNotExist):
	case errors.As(err, &pathErr) && pathErr.Op == "open":
		f.openErr = fmt.Errorf("%w; make it readable or point %s elsewhere", withShownPath(pathErr), f.envVar())
	default:
		// err, an *fs.PathError, names the operation and the path.
		return fmt.Errorf("%w; make it a readable file or point %s elsewhere", withShownPath(err), f.envVar())
	}
	return nil
}

// withShownPath is err with the path of its *fs.PathError replaced by
// redact.NotShown when the path may not appear in a message:
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE can hold anything.
func withShownPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) && !redact.Fits(redact.Path, pathErr.Path) {
		return &fs.PathError{Op: pathErr.Op, Path: redact.NotShown, Err: pathErr.Err}
	}
	return err
}

func (f *sharedFile) envVar() string {
	if f.isCredentials {
		return awsconfig.CredentialsFileEnv
	}
	return awsconfig.ConfigFileEnv
}

// problem is the first thing in the files that may hide a profile: a file
// that could not be opened, or a line that the strict parser refuses (the
// SDK skips such lines, so a broken section header loses its profile).
// It is nil when there is none.
func (files *sharedFiles) problem() error {
	for _, f := range files.both() {
		if f.openErr != nil {
			return f.openErr
		}
		parse := awsconfig.Parse
		if f.isCredentials {
			parse = awsconfig.ParseCredentials
		}
		if _, err := parse(f.data); err != nil {
			var pe *awsconfig.ParseError
			if errors.As(err, &pe) {
				pe.Path = f.path
			}
			return err
		}
	}
	return nil
}
