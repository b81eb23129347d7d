package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"

	"github.com/99designs/keyring"
)

// ErrNotFound means the keyring has no such item.
var ErrNotFound = errors.New("not found in the keyring")

// ErrCorrupt means an item exists but cannot be decrypted or decoded. For a
// session the caller treats it as a miss and overwrites it.
var ErrCorrupt = errors.New("keyring item is corrupt")

// ErrLocked means the keyring's collection is locked and awsmfa could not
// have it unlocked: its unlock prompt was dismissed, could not be shown
// (headless) or was not answered in time.
var ErrLocked = errors.New("keyring collection is locked")

// itemVersion is the version of the JSON stored in each item's Data; readers
// reject other versions as corrupt rather than misreading them.
const itemVersion = 1

const keyPrefix = "awsmfa/"

// get reads one item with exactly one keyring Get, mapping backend errors
// onto ErrNotFound and ErrCorrupt. Errors never carry item content.
func (s *Store) get(key, what string) ([]byte, error) {
	item, err := s.ring.Get(key)
	var passErr *passphraseError
	switch {
	case errors.As(err, &passErr):
		// Already one sentence that says what to do about the passphrase.
		return nil, passErr
	case errors.Is(err, keyring.ErrKeyNotFound):
		return nil, fmt.Errorf("%w: no %s in the %s keyring", ErrNotFound, what, s.backend)
	case err != nil && s.backend == "file" && isWrongPassphrase(err):
		dir := ""
		if fr, ok := s.ring.(fileRing); ok {
			dir = fr.dir
		}
		return nil, wrongPassphrase(dir, what)
	case err != nil && s.undecodable(err):
		return nil, s.corrupt(key, what)
	case err != nil:
		return nil, fmt.Errorf("reading %s from the %s keyring: %w; check that the keyring is unlocked and reachable", what, s.backend, err)
	}
	return item.Data, nil
}

// undecodable tells a damaged item from a backend that could not be read.
// The file backend returns raw jose/JSON errors for a truncated or foreign
// file (or another passphrase); other backends wrap items in JSON themselves.
// The underlying error is dropped by the caller: JSON syntax errors quote
// bytes of the (decrypted) content.
func (s *Store) undecodable(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return true
	}
	if s.backend != "file" {
		return false
	}
	var pathErr *fs.PathError
	var passErr *passphraseError
	return !errors.As(err, &pathErr) && !errors.As(err, &passErr)
}

func (s *Store) corrupt(key, what string) error {
	hint := "delete it and store it again"
	if s.backend == "file" {
		hint = "it is damaged (not a wrong passphrase): store it again"
	}
	return fmt.Errorf("%w: %s (%s) in the %s keyring cannot be decrypted or decoded; %s", ErrCorrupt, what, key, s.backend, hint)
}

// decode unmarshals an item's Data and checks its version, hiding content.
func (s *Store) decode(data []byte, v interface{ version() int }, key, what string) error {
	if err := json.Unmarshal(data, v); err != nil || v.version() != itemVersion {
		return s.corrupt(key, what)
	}
	return nil
}

func (s *Store) set(key, label, description string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", label, err)
	}
	err = s.ring.Set(keyring.Item{
		Key:         key,
		Data:        data,
		Label:       label,
		Description: description,
	})
	var passErr *passphraseError
	if errors.As(err, &passErr) {
		return passErr
	}
	if err != nil {
		return fmt.Errorf("writing %s to the %s keyring: %w; check that the keyring is unlocked and writable", label, s.backend, err)
	}
	return nil
}

// remove deletes one item, mapping "absent" onto ErrNotFound.
func (s *Store) remove(key, what string) error {
	err := s.ring.Remove(key)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrKeyNotFound), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: no %s in the %s keyring", ErrNotFound, what, s.backend)
	}
	return fmt.Errorf("removing %s from the %s keyring: %w; check that the keyring is unlocked and writable", what, s.backend, err)
}

// checkProfile rejects profile names that would not survive as a file name
// in the file backend. keyring percent-encodes only '/' there, so a
// backslash (a separator on Windows) or a control character would escape
// or break the file name; Windows also forbids a few more characters.
func (s *Store) checkProfile(profile string) error {
	if profile == "" {
		return errors.New("profile name is empty; pass --profile NAME")
	}
	if s.backend != "file" {
		return nil
	}
	bad := "\\"
	if runtime.GOOS == "windows" {
		bad += `:*?"<>|`
	}
	for _, r := range profile {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(bad, r) {
			return fmt.Errorf("profile name %q contains %q, which the file keyring backend cannot store; rename the profile or choose another --keyring-backend", profile, r)
		}
	}
	return nil
}
