package awsconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Environment variables that move the shared files, as in every AWS SDK.
const (
	ConfigFileEnv      = "AWS_CONFIG_FILE"
	CredentialsFileEnv = "AWS_SHARED_CREDENTIALS_FILE"
)

// ConfigPath is the config file the SDKs read: $AWS_CONFIG_FILE, else ~/.aws/config.
func ConfigPath() (string, error) { return sharedPath(ConfigFileEnv, "config") }

// CredentialsPath is $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
func CredentialsPath() (string, error) { return sharedPath(CredentialsFileEnv, "credentials") }

func sharedPath(env, name string) (string, error) {
	home, herr := os.UserHomeDir()
	if p := os.Getenv(env); p != "" {
		if rest, ok := strings.CutPrefix(p, "~"); ok && herr == nil && (rest == "" || rest[0] == '/' || rest[0] == filepath.Separator) {
			return filepath.Join(home, rest), nil
		}
		return p, nil
	}
	if herr != nil {
		return "", fmt.Errorf("finding the AWS %s file: %w; set %s", name, herr, env)
	}
	return filepath.Join(home, ".aws", name), nil
}

// Load reads the config file at path. A missing file is an empty one, so
// the first Save creates it.
func Load(path string) (*File, error) { return load(path, false) }

// LoadCredentials reads the shared credentials file at path; missing is empty.
func LoadCredentials(path string) (*File, error) { return load(path, true) }

func load(path string, credentials bool) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w; check its permissions", path, err)
	}
	f, err := parse(data, credentials)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Path = path
		}
		return nil, err
	}
	return f, nil
}

// Save writes the file to path, changing nothing when the content on disk is
// already the same. Before replacing an existing file it keeps a copy next to
// it (mode 0600), then writes a temporary file in the same directory and
// renames it over the original, so a crash leaves the old or the new file,
// never half of one. The original's permissions are kept; a new file gets 0600.
// A symlinked file is written through the link. LastBackup tells where the
// copy went.
func (f *File) Save(path string) error {
	f.backup = ""
	target, err := writeTarget(path)
	if err != nil {
		return err
	}
	data := f.Bytes()
	mode := fs.FileMode(0o600)
	old, err := os.ReadFile(target)
	switch {
	case err == nil:
		if bytes.Equal(old, data) {
			return nil
		}
		if info, err := os.Stat(target); err == nil {
			mode = info.Mode().Perm()
		}
		if f.backup, err = writeBackup(target, old); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return fmt.Errorf("creating the directory for %s: %w", target, err)
		}
	default:
		return fmt.Errorf("reading %s before replacing it: %w; check its permissions", target, err)
	}
	return writeAtomic(target, data, mode)
}

// LastBackup is the copy of the old file the last Save made, or "" when it
// made none (a new file, or nothing changed).
func (f *File) LastBackup() string { return f.backup }

// BackupSuffix starts the name of every backup Save makes: config.awsmfa-backup-20240131T120000Z.
const BackupSuffix = ".awsmfa-backup-"

// writeBackup copies the old content to a new file (mode 0600: the
// credentials file holds secrets) that never overwrites an earlier backup.
func writeBackup(target string, old []byte) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for n := 0; n < 100; n++ {
		name := target + BackupSuffix + stamp
		if n > 0 {
			name += fmt.Sprintf("-%d", n)
		}
		bf, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("backing up %s: %w; check that its directory is writable", target, err)
		}
		_, err = bf.Write(old)
		if cerr := bf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", fmt.Errorf("backing up %s to %s: %w", target, name, err)
		}
		return name, nil
	}
	return "", fmt.Errorf("backing up %s: too many backups named %s%s*; delete old ones", target, filepath.Base(target)+BackupSuffix, stamp)
}

func writeAtomic(target string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".awsmfa-tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w; check that its directory is writable", target, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil && !isUnsupported(err) {
		return fmt.Errorf("setting permissions on a new %s: %w", target, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("replacing %s: %w", target, err)
	}
	done = true
	return nil
}

// isUnsupported is Chmod failing on a platform without Unix modes.
func isUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported)
}

// writeTarget is the file a write to path must replace: path itself, or
// what its chain of symlinks points at, even when that does not exist yet
// (a dangling link to a dotfiles checkout), so the link is never replaced.
func writeTarget(path string) (string, error) {
	for range 40 { // as many links as Linux follows
		dest, err := os.Readlink(path)
		if err != nil {
			// Not a link (or not there): write path itself.
			return path, nil
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links; fix the link", path)
}
