// Package awsini reads the AWS shared config and credentials files with the
// grammar of the AWS SDK for Go's own parser, for what the SDK's loader
// does not hand out: keys it drops (mfa_process), and every profile of the
// files at once (add, remove, setup and list look at all of them, so they
// read the files once instead of once per profile).
//
// It resolves nothing: region, endpoints, retries and role chains are the
// SDK's (internal/awsclient). It only answers "what does this profile's
// section say", with the SDK's merging of the two files.
package awsini

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// Files are the config and credentials files as read once.
type Files struct {
	// ConfigPath and CredentialsPath are the files read, "" for one whose
	// place could not be worked out (no home directory).
	ConfigPath, CredentialsPath string
	// openErr is why a file could not be opened; the SDK then reads it as
	// empty, and so does Files.
	openErr error
	// providedBy maps config sections to the profiles they provide, when
	// the names need the SDK's whole renaming; built on first use.
	providedBy map[string]string
	*profiles
}

// Read reads the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE
// name (else ~/.aws/config and ~/.aws/credentials) as the SDK does: a file
// that does not exist or cannot be opened is empty; one that opens but
// cannot be read (a directory) is an error.
func Read() (*Files, error) {
	f := &Files{}
	// A file whose default place cannot be worked out (no home directory)
	// is absent, as the SDK treats it.
	f.ConfigPath, _ = awsconfig.ConfigPath()
	f.CredentialsPath, _ = awsconfig.CredentialsPath()
	config, err := f.read(f.ConfigPath, awsconfig.ConfigFileEnv)
	if err != nil {
		return nil, err
	}
	creds, err := f.read(f.CredentialsPath, awsconfig.CredentialsFileEnv)
	if err != nil {
		return nil, err
	}
	f.profiles = newProfiles(indexINI(config, f.ConfigPath), indexINI(creds, f.CredentialsPath))
	return f, nil
}

// Parse reads the files' contents as Read reads the files; for tests.
func Parse(config, credentials string) *Files {
	return &Files{profiles: newProfiles(indexINI(config, "config"), indexINI(credentials, "credentials"))}
}

func (f *Files) read(path, env string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	var pathErr *fs.PathError
	switch {
	case err == nil:
		return string(data), nil
	case errors.Is(err, fs.ErrNotExist):
	case errors.As(err, &pathErr) && pathErr.Op == "open":
		if f.openErr == nil {
			f.openErr = fmt.Errorf("%w; make it readable or point %s elsewhere", withShownPath(pathErr), env)
		}
	default:
		// err, an *fs.PathError, names the operation and the path.
		return "", fmt.Errorf("%w; make it a readable file or point %s elsewhere", withShownPath(err), env)
	}
	return "", nil
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

// Paths are the files read, for messages.
func (f *Files) Paths() []string {
	var paths []string
	for _, p := range []string{f.ConfigPath, f.CredentialsPath} {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths
}

// Problem is the first thing in the files that may hide a profile: a file
// that could not be opened, or a line the SDK skips (a broken section
// header loses its profile), as an *awsconfig.ParseError naming the line.
// It is nil when there is none.
func (f *Files) Problem() error {
	if f.openErr != nil {
		return f.openErr
	}
	if err := f.config.skippedLine(); err != nil {
		return err
	}
	return f.credentials.skippedLine()
}

// Has reports whether either file has the profile.
func (f *Files) Has(profile string) bool { return f.has(profile) }

// Get is key's value (key in lower case) in the profile, the two files
// merged as the SDK merges them; "" when it is not set.
func (f *Files) Get(profile, key string) string {
	s := f.section(profile)
	if s == nil {
		return ""
	}
	return s.str(key)
}

// Profiles lists every profile of the files, each once: the config file's
// in file order, then those only in the credentials file.
func (f *Files) Profiles() []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, h := range f.config.headers {
		if name, ok := f.configProfile(h.name); ok {
			add(name)
		}
	}
	for _, h := range f.credentials.headers {
		if !strings.HasPrefix(h.name, profilePrefix) && h.name != "" {
			add(h.name)
		}
	}
	return out
}

// configProfile is the profile a config file section provides, if any.
func (f *Files) configProfile(section string) (string, bool) {
	if f.configNames != nil {
		if f.providedBy == nil {
			f.providedBy = map[string]string{}
			for name, from := range f.configNames {
				if !strings.HasPrefix(name, ssoSessionPrefix) && !strings.HasPrefix(name, servicesPrefix) {
					f.providedBy[from] = name
				}
			}
		}
		name, ok := f.providedBy[section]
		return name, ok
	}
	if name, ok := strings.CutPrefix(section, profilePrefix); ok {
		return name, true
	}
	return section, strings.EqualFold(section, "default")
}
