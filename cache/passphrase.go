package cache

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/internal/secretenv"
)

// FileUnlockTTLEnv sets how long an unlocked file keyring stays unlocked.
const FileUnlockTTLEnv = "AWSMFA_FILE_UNLOCK_TTL"

// DefaultFileUnlockTTL is how long the file keyring's passphrase is
// remembered after it is typed: as long as a default MFA session lasts, so
// that a working day costs one passphrase and one MFA code.
const DefaultFileUnlockTTL = 12 * time.Hour

// passphraseTries is how many times a wrong passphrase is asked again.
const passphraseTries = 3

// checkKey is the file keyring item that tells a right passphrase from a
// wrong one. It is encrypted like every item, so it proves nothing to
// someone without the passphrase; its name has neither the keys nor the
// sessions prefix, so no listing counts it.
const checkKey = keyPrefix + "passphrase-check"

// passphraseError marks a failure to obtain the passphrase, so that it is
// not mistaken for an undecryptable (corrupt) item.
type passphraseError struct{ err error }

func (e *passphraseError) Error() string { return e.err.Error() }
func (e *passphraseError) Unwrap() error { return e.err }

// ErrWrongPassphrase means the file keyring's passphrase (typed, in
// AWSMFA_FILE_PASSPHRASE, or remembered) does not decrypt its items.
var ErrWrongPassphrase = errors.New("wrong file keyring passphrase")

// filePass caches the file backend passphrase for the whole process:
// keyring asks its FilePasswordFunc on every keyring instance, and a user
// must never be asked twice in one invocation. A failed prompt is cached
// too, since asking again in the same run would fail the same way.
var filePass struct {
	sync.Mutex
	done     bool
	value    string
	source   passSource
	err      error
	verified bool // the passphrase was checked against the keyring
}

// fileUnlock obtains the file keyring's passphrase: from
// AWSMFA_FILE_PASSPHRASE, else remembered from an earlier run in this login
// session (the kernel keyring on Linux, see remember_linux.go), else asked
// through ask. A typed one is checked against the keyring before it is used
// or remembered; the others before the first write (see fileRing.Set).
type fileUnlock struct {
	dir string
	ask func(prompt string) (string, error)
	ttl time.Duration // < 0: never remember
}

// promptFunc returns the keyring.PromptFunc for the file backend. It never
// uses keyring.TerminalPrompt, which writes to stdout, where the
// credential_process output goes.
func (u fileUnlock) promptFunc() keyring.PromptFunc {
	return func(string) (string, error) {
		filePass.Lock()
		defer filePass.Unlock()
		if filePass.done {
			return filePass.value, filePass.err
		}
		value, source, err := u.passphrase()
		if err != nil {
			err = &passphraseError{err}
		}
		filePass.done, filePass.value, filePass.source, filePass.err = true, value, source, err
		filePass.verified = source == typed
		return value, err
	}
}

// passphrase obtains it. One from the environment or remembered is not
// checked here: that would cost every cache hit a second key derivation.
// An item it does not decrypt says so instead (see Store.get).
func (u fileUnlock) passphrase() (string, passSource, error) {
	if v := secretenv.Lookup(FilePassphraseEnv); v != "" {
		return v, fromEnv, nil
	}
	if v, err := recallPassphrase(rememberName(u.dir)); err == nil {
		return v, fromMemory, nil
	}
	if u.ask == nil {
		return "", typed, fmt.Errorf("the file keyring at %s is locked and there is no way to ask for its passphrase; run `awsmfa unlock` in a terminal, or set %s", u.dir, FilePassphraseEnv)
	}
	var v string
	var err error
	if u.isNew() {
		v, err = u.create()
	} else {
		v, err = u.unlock()
	}
	if err != nil {
		return "", typed, err
	}
	if u.ttl >= 0 {
		// Failing to remember costs a prompt next run; doctor says why.
		_ = rememberPassphrase(rememberName(u.dir), v, cmp.Or(u.ttl, DefaultFileUnlockTTL))
	}
	return v, typed, nil
}

// checkBeforeWrite makes sure a passphrase from the environment or from
// memory is the keyring's before anything is encrypted with it: an item
// written with another one would leave the keyring with two passphrases.
// A read needs no check (an item that does not decrypt says so); a write is
// rare enough to pay the one key derivation.
func checkBeforeWrite(dir string, pass keyring.PromptFunc) error {
	v, err := pass("")
	if err != nil {
		return err
	}
	filePass.Lock()
	verified := filePass.verified
	filePass.Unlock()
	if verified {
		return nil
	}
	if (fileUnlock{dir: dir}).check(v) == wrong {
		return &passphraseError{wrongPassphrase(dir, "")}
	}
	filePass.Lock()
	filePass.verified = true
	filePass.Unlock()
	return nil
}

// passSource is where this process's file keyring passphrase came from.
type passSource int

const (
	typed passSource = iota
	fromEnv
	fromMemory
)

// wrongPassphrase is the error for an item the passphrase in use does not
// decrypt. A remembered passphrase that fails is forgotten (the keyring was
// made again since), so that the next run asks.
func wrongPassphrase(dir, what string) error {
	filePass.Lock()
	source := filePass.source
	filePass.Unlock()
	switch source {
	case fromEnv:
		return fmt.Errorf("%w: %s does not unlock the file keyring at %s; set it to the passphrase the keyring was created with", ErrWrongPassphrase, FilePassphraseEnv, dir)
	case fromMemory:
		_ = forgetPassphrase(rememberName(dir))
		return fmt.Errorf("%w: the passphrase remembered for this login session does not unlock the file keyring at %s (was it made again?); it is forgotten now: run the command again and type the keyring's passphrase", ErrWrongPassphrase, dir)
	}
	return fmt.Errorf("%w: %s in the file keyring at %s was stored with another passphrase than the one typed; run `awsmfa lock`, then run the command again and type that passphrase", ErrWrongPassphrase, what, dir)
}

// create asks for the passphrase of a new keyring twice and stores the
// check item with it.
func (u fileUnlock) create() (string, error) {
	for try := 1; try <= passphraseTries; try++ {
		msg := fmt.Sprintf("Creating a new file keyring at %s. Choose its passphrase", u.dir)
		if try > 1 {
			msg = "The two passphrases differed. " + msg
		}
		first, err := u.askOne(msg)
		if err != nil {
			return "", err
		}
		again, err := u.askOne("Enter the new passphrase again")
		if err != nil {
			return "", err
		}
		if first != again {
			continue
		}
		if err := u.writeCheck(first); err != nil {
			return "", fmt.Errorf("creating the file keyring at %s: %w; check that the directory is writable", u.dir, err)
		}
		return first, nil
	}
	return "", fmt.Errorf("the two passphrases differed %d times, so no file keyring was created; run the command again", passphraseTries)
}

// unlock asks for an existing keyring's passphrase until it is right, at
// most passphraseTries times.
func (u fileUnlock) unlock() (string, error) {
	msg := fmt.Sprintf("Enter the passphrase of the file keyring at %s", u.dir)
	for try := 1; try <= passphraseTries; try++ {
		v, err := u.askOne(msg)
		if err != nil {
			return "", err
		}
		if u.check(v) != wrong {
			// From now on the check item tells, whatever the items are
			// (a keyring made before it existed, or only damaged items).
			if !u.hasCheck() {
				_ = u.writeCheck(v)
			}
			return v, nil
		}
		msg = fmt.Sprintf("Wrong passphrase (try %d of %d). Enter the passphrase of the file keyring at %s", try+1, passphraseTries, u.dir)
	}
	return "", fmt.Errorf("%w: %d wrong passphrases for the file keyring at %s; run the command again and type the passphrase it was created with", ErrWrongPassphrase, passphraseTries, u.dir)
}

func (u fileUnlock) askOne(msg string) (string, error) {
	v, err := u.ask(msg)
	if err != nil {
		return "", fmt.Errorf("reading the file keyring passphrase: %w; unlock it once with `awsmfa unlock` in a terminal (it stays unlocked for the login session), or set %s", err, FilePassphraseEnv)
	}
	if v == "" {
		// keyring treats "" as "not asked yet" and would ask again on every
		// item; an empty passphrase would also encrypt nothing worth having.
		return "", errors.New("the file keyring passphrase is empty; enter a non-empty passphrase or set " + FilePassphraseEnv)
	}
	return v, nil
}

type verdict int

const (
	unknown verdict = iota
	right
	wrong
)

// check tells whether pass decrypts the keyring: the check item when there
// is one, else (a keyring made before it existed) the first item that
// decides. Each try costs one key derivation, about 2 ms. It writes
// nothing: a read with AWSMFA_FILE_PASSPHRASE leaves the keyring as it was.
func (u fileUnlock) check(pass string) verdict {
	ring := u.ring(u.dir, pass)
	keys, err := ring.Keys()
	if err != nil {
		return unknown
	}
	if _, err := ring.Get(checkKey); !errors.Is(err, keyring.ErrKeyNotFound) {
		return judge(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, keyPrefix) {
			continue
		}
		if v := judge(getErr(ring, k)); v != unknown {
			return v
		}
	}
	return unknown
}

// hasCheck tells whether the check item exists, from the file names only.
func (u fileUnlock) hasCheck() bool {
	keys, err := u.ring(u.dir, "").Keys()
	return err == nil && slices.Contains(keys, checkKey)
}

func getErr(ring keyring.Keyring, key string) error {
	_, err := ring.Get(key)
	return err
}

func judge(err error) verdict {
	switch {
	case err == nil:
		return right
	case isWrongPassphrase(err):
		return wrong
	}
	return unknown
}

// isWrongPassphrase recognises jose2go's answer to a passphrase that does
// not unwrap the item's key (v1.5.0 has no error value for it), as opposed
// to a damaged file.
func isWrongPassphrase(err error) bool {
	return err != nil && strings.Contains(err.Error(), "aes.KeyUnwrap(): integrity check failed")
}

// isNew tells whether the keyring holds no item yet, so that the first
// passphrase typed creates it.
func (u fileUnlock) isNew() bool {
	entries, err := os.ReadDir(u.dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), writePrefix) {
			return false
		}
	}
	return true
}

func (u fileUnlock) writeCheck(pass string) error {
	ring := fileRing{Keyring: u.ring(u.dir, pass), dir: u.dir, pass: fixed(pass), checked: true}
	return ring.Set(keyring.Item{Key: checkKey, Data: []byte("awsmfa"), Label: "awsmfa passphrase check"})
}

// ring opens keyring's file backend on dir with a known passphrase.
func (fileUnlock) ring(dir, pass string) keyring.Keyring {
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: fixed(pass),
	})
	if err != nil {
		panic(err) // the file backend opens anything: a programming error
	}
	return ring
}

func fixed(pass string) keyring.PromptFunc {
	return func(string) (string, error) { return pass, nil }
}

// rememberName names the remembered passphrase of the keyring in dir: one
// per directory, since each may have its own passphrase.
func rememberName(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return "awsmfa:file-keyring:" + hex.EncodeToString(sum[:8])
}

// unlockTTL is how long a typed passphrase is remembered: cfg's, else
// AWSMFA_FILE_UNLOCK_TTL's, else DefaultFileUnlockTTL; "0" never remembers.
func unlockTTL(ttl time.Duration) (time.Duration, error) {
	if ttl != 0 {
		return ttl, nil
	}
	v := os.Getenv(FileUnlockTTLEnv)
	if v == "" {
		return DefaultFileUnlockTTL, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration such as 8h; fix or unset it", FileUnlockTTLEnv, v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}

// FileUnlockState describes how the file keyring in dir is unlocked, for
// doctor and lock.
type FileUnlockState struct {
	Dir string
	// FromEnv: AWSMFA_FILE_PASSPHRASE is set, and nothing is remembered.
	FromEnv bool
	// Remembered: a passphrase is remembered for this login session, until
	// Expires (zero when the kernel does not say).
	Remembered bool
	Expires    time.Time
	// CannotRemember says why passphrases are not remembered here ("" if
	// they are): another OS, or a kernel that refuses keyctl.
	CannotRemember string
	TTL            time.Duration
}

// FileUnlock reports how the file keyring (cfg.FileDir or the default) is
// unlocked, without asking for anything.
func FileUnlock(cfg Config) (FileUnlockState, error) {
	dir, err := fileDir(cfg.FileDir)
	if err != nil {
		return FileUnlockState{}, err
	}
	ttl, err := unlockTTL(cfg.FileUnlockTTL)
	if err != nil {
		return FileUnlockState{}, err
	}
	st := FileUnlockState{Dir: dir, FromEnv: secretenv.Lookup(FilePassphraseEnv) != "", TTL: ttl}
	if err := canRemember(); err != nil {
		st.CannotRemember = err.Error()
	}
	st.Expires, st.Remembered = rememberedUntil(rememberName(dir))
	return st, nil
}

// LockFile forgets the remembered passphrase of the file keyring
// (cfg.FileDir or the default); it reports whether one was remembered.
func LockFile(cfg Config) (bool, error) {
	dir, err := fileDir(cfg.FileDir)
	if err != nil {
		return false, err
	}
	if _, ok := rememberedUntil(rememberName(dir)); !ok {
		return false, nil
	}
	if err := forgetPassphrase(rememberName(dir)); err != nil {
		return false, fmt.Errorf("forgetting the file keyring passphrase: %w", err)
	}
	return true, nil
}

// Unlock makes sure the store can decrypt its items now, asking for the
// file keyring's passphrase if it is not known (and remembering it); other
// backends need nothing.
func (s *Store) Unlock() error {
	fr, ok := s.ring.(fileRing)
	if !ok {
		return nil
	}
	_, err := fr.pass("")
	return err
}

// IsUnlockError tells an error about the file keyring's passphrase (none
// could be asked for, a wrong one), which is one sentence that says what
// to do and needs no prefix.
func IsUnlockError(err error) bool {
	var passErr *passphraseError
	return errors.As(err, &passErr)
}
