package sharedconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
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
		f.openErr = fmt.Errorf("%w; make it readable or point %s elsewhere", err, f.envVar())
	default:
		return fmt.Errorf("reading %s: %w; make it a readable file or point %s elsewhere", f.path, err, f.envVar())
	}
	return nil
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
