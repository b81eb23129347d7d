// Package cache stores awsmfa's long-term AWS keys and MFA sessions in the
// OS keyring (github.com/99designs/keyring) and serialises session refreshes
// across processes with a file lock.
package cache

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/cache/internal/dbusenv"
	"github.com/awsmfa/awsmfa/internal/privdir"
)

func init() {
	// keyring's init, which needed dbusenv's environment, has run by now
	// (this package imports keyring). Give the user's environment back so
	// child processes never inherit the "disabled:" bus address.
	dbusenv.Restore()
}

// Environment variables read by the file backend.
const (
	FileDirEnv        = "AWSMFA_FILE_DIR"
	FilePassphraseEnv = "AWSMFA_FILE_PASSPHRASE"
)

// serviceName names awsmfa's area in backends that have one (keychain
// service, keyctl named keyring, wincred target).
const serviceName = "awsmfa"

// Backends are listed in the order a user would consider them.
var backends = []string{"keychain", "wincred", "secret-service", "kwallet", "keyctl", "pass", "file"}

// Backends returns every backend name Open accepts, for help text and
// validation. Not all of them work on every OS.
func Backends() []string { return slices.Clone(backends) }

// DefaultBackend is the backend Open uses when Config.Backend is empty:
// AWSMFA_KEYRING_BACKEND, else the platform default. Not the
// --keyring-backend that dbusenv read from the raw arguments: the parsed
// command line decides that flag (and passes it in Config.Backend).
func DefaultBackend() string {
	if b := os.Getenv(dbusenv.BackendEnv); b != "" {
		return b
	}
	return dbusenv.DefaultBackend()
}

// Config selects and configures the keyring backend.
type Config struct {
	// Backend is one of Backends(); "" uses DefaultBackend().
	Backend string
	// FileDir is the file backend's directory; "" uses $AWSMFA_FILE_DIR,
	// else ~/.awsmfa/keys. It is created with mode 0700.
	FileDir string
	// FilePassphrase asks for the file backend's passphrase when
	// AWSMFA_FILE_PASSPHRASE is unset. It is called lazily, only when an
	// item is actually encrypted or decrypted, and at most once per process.
	FilePassphrase func(prompt string) (string, error)
	// FileUnlockTTL is how long a typed file keyring passphrase is
	// remembered for later runs (Linux only); 0 means $AWSMFA_FILE_UNLOCK_TTL,
	// else DefaultFileUnlockTTL; negative never remembers.
	FileUnlockTTL time.Duration
	// SecretServiceCollection defaults to "login": gnome-keyring's login
	// collection exists and is unlocked in a desktop session, while creating
	// a new collection needs an interactive prompt that hangs headless.
	SecretServiceCollection string
	// UnlockTimeout bounds the wait for the user to answer the Secret
	// Service's dialog when that collection is locked; 0 means
	// DefaultUnlockTimeout.
	UnlockTimeout time.Duration
	// KeyCtlScope is the kernel keyring scope; "" means "user".
	KeyCtlScope string
	// PassDir and PassCmd override pass's store directory and command.
	PassDir, PassCmd string
}

// DefaultUnlockTimeout is how long Open waits for the user to unlock a
// locked Secret Service collection in its dialog: as long as awsmfa waits
// for an MFA code by default.
const DefaultUnlockTimeout = 50 * time.Second

// secretServiceAnswerTime bounds what the Secret Service does without the
// user: a read, a write, a listing of every item.
const secretServiceAnswerTime = 10 * time.Second

// Store reads and writes awsmfa's items in one keyring backend.
type Store struct {
	backend string
	ring    keyring.Keyring
}

// Backend returns the name of the backend in use.
func (s *Store) Backend() string { return s.backend }

// Open is OpenContext without a context of its own.
func Open(cfg Config) (*Store, error) { return OpenContext(context.Background(), cfg) }

// OpenContext validates cfg and opens the backend. It does not read any
// item. A locked secret-service collection is unlocked here, through the
// Secret Service's own dialog, waiting for the user's answer at most
// cfg.UnlockTimeout or until ctx ends (the Secret Service's own answers are
// bounded by seconds); if it stays locked the error wraps ErrLocked. On
// secret-service, ctx also ends the store's later waits for the Secret
// Service, each of which is bounded too.
func OpenContext(ctx context.Context, cfg Config) (*Store, error) {
	name := cfg.Backend
	if name == "" {
		name = DefaultBackend()
	}
	if !slices.Contains(backends, name) {
		return nil, fmt.Errorf("unknown keyring backend %q; choose one of %s", name, strings.Join(backends, ", "))
	}
	kcfg, err := keyringConfig(name, cfg)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(keyring.AvailableBackends(), keyring.BackendType(name)) {
		return nil, unavailable(name)
	}
	ring, err := keyring.Open(kcfg)
	if err != nil {
		return nil, openFailed(name, kcfg, err)
	}
	if name == "file" {
		ring = fileRing{Keyring: ring, dir: kcfg.FileDir, pass: kcfg.FilePasswordFunc}
	}
	if name == "secret-service" {
		wait := cmp.Or(cfg.UnlockTimeout, DefaultUnlockTimeout)
		if err := unlockSecretService(ctx, kcfg.LibSecretCollectionName, wait); err != nil {
			return nil, err
		}
		// Long enough for keyring's own unlock prompt, should the
		// collection be locked again, to be answered.
		ring = boundedRing{Keyring: ring, ctx: ctx, limit: wait + secretServiceAnswerTime, patience: time.Second}
	}
	return &Store{backend: name, ring: ring}, nil
}

// keyringConfig maps Config onto keyring.Config for exactly one backend.
func keyringConfig(name string, cfg Config) (keyring.Config, error) {
	kcfg := keyring.Config{AllowedBackends: []keyring.BackendType{keyring.BackendType(name)}}
	switch name {
	case "keychain":
		kcfg.ServiceName = serviceName
		// Trusting awsmfa spares a Keychain dialog on every cache hit.
		kcfg.KeychainTrustApplication = true
	case "wincred":
		kcfg.ServiceName = serviceName
		kcfg.WinCredPrefix = serviceName
	case "secret-service":
		kcfg.ServiceName = serviceName
		kcfg.LibSecretCollectionName = cfg.SecretServiceCollection
		if kcfg.LibSecretCollectionName == "" {
			kcfg.LibSecretCollectionName = "login"
		}
	case "kwallet":
		// ServiceName is the wallet here; keep KDE's default wallet.
		kcfg.KWalletAppID = serviceName
		kcfg.KWalletFolder = serviceName
	case "keyctl":
		kcfg.ServiceName = serviceName
		kcfg.KeyCtlScope = cfg.KeyCtlScope
		if kcfg.KeyCtlScope == "" {
			// Without a scope keyring reports only "backend not available".
			kcfg.KeyCtlScope = "user"
		}
	case "pass":
		kcfg.PassDir = cfg.PassDir
		kcfg.PassCmd = cfg.PassCmd
	case "file":
		dir, err := fileDir(cfg.FileDir)
		if err != nil {
			return kcfg, err
		}
		ttl, err := unlockTTL(cfg.FileUnlockTTL)
		if err != nil {
			return kcfg, err
		}
		kcfg.FileDir = dir
		kcfg.FilePasswordFunc = fileUnlock{dir: dir, ask: cfg.FilePassphrase, ttl: ttl}.promptFunc()
	}
	return kcfg, nil
}

// fileDir resolves and creates the file backend directory. keyring would
// create it too, but only on first use and without telling us the path
// failed; creating it here gives a clear error at Open.
func fileDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(FileDirEnv)
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the file keyring directory: %w; set %s", err, FileDirEnv)
		}
		dir = filepath.Join(home, ".awsmfa", "keys")
	}
	dir, err := keyring.ExpandTilde(dir)
	if err != nil {
		return "", fmt.Errorf("expanding the file keyring directory %q: %w; set %s to an absolute path", dir, err, FileDirEnv)
	}
	if err := privdir.Ensure(dir, "the file keyring directory"); err != nil {
		return "", fmt.Errorf("%w (or set %s to another directory)", err, FileDirEnv)
	}
	return dir, nil
}

// unavailable explains why keyring did not register a backend.
func unavailable(name string) error {
	switch name {
	case "secret-service", "kwallet":
		if !dbusenv.BusDiscoverable() {
			return fmt.Errorf("keyring backend %s needs a D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is unset; run inside a desktop session or dbus-run-session, or choose --keyring-backend file", name)
		}
		if sel := dbusenv.SelectedBackend(); sel != name {
			// dbusenv kept keyring off the bus because startup chose another
			// backend; the choice cannot change after init.
			return fmt.Errorf("keyring backend %s was not selected when awsmfa started (%s was), so the D-Bus session bus was not connected; pass --keyring-backend %s or set %s=%s", name, sel, name, dbusenv.BackendEnv, name)
		}
		if name == "kwallet" {
			return fmt.Errorf("keyring backend kwallet is not available: could not reach kwalletd5 on the D-Bus session bus at %s; start KWallet or choose --keyring-backend file", dbusenv.BusAddress())
		}
		return fmt.Errorf("keyring backend secret-service could not connect to the D-Bus session bus at %s; check that the session bus is running, or choose --keyring-backend file", dbusenv.BusAddress())
	}
	if name == "keychain" && runtime.GOOS == "darwin" {
		// keyring's Keychain backend is cgo code: a CGO_ENABLED=0 build lacks it.
		return fmt.Errorf("keyring backend keychain is not in this awsmfa, which was built without cgo; install a build made on macOS (Homebrew, or `CGO_ENABLED=1 go install`), or choose --keyring-backend file")
	}
	return fmt.Errorf("keyring backend %s is not available on %s; choose one of %s", name, runtime.GOOS, strings.Join(availableNames(), ", "))
}

// openFailed wraps keyring.Open's error, which for most backends is only
// ErrNoAvailImpl, with what that backend needs.
func openFailed(name string, kcfg keyring.Config, err error) error {
	switch {
	case name == "keyctl":
		// keyring.Open hides the opener's error behind ErrNoAvailImpl; ask
		// the kernel again to tell the user what it said.
		if perr := probeKeyCtl(kcfg.KeyCtlScope); perr != nil {
			err = perr
		}
		return fmt.Errorf("keyring backend keyctl is unavailable with scope %q: %v (the kernel or a container's seccomp profile may block keyctl); choose --keyring-backend file", kcfg.KeyCtlScope, err)
	case name == "pass" && errors.Is(err, keyring.ErrNoAvailImpl):
		cmd := kcfg.PassCmd
		if cmd == "" {
			cmd = "pass"
		}
		return fmt.Errorf("keyring backend pass is not available: it needs the %q command on PATH and a password store initialised with `pass init <gpg-id>`; install pass or choose --keyring-backend file", cmd)
	case name == "secret-service":
		return fmt.Errorf("opening secret-service collection %q: %w; unlock your keyring (for example log in to the desktop) or choose --keyring-backend file", kcfg.LibSecretCollectionName, err)
	default:
		return fmt.Errorf("opening keyring backend %s: %w; choose another --keyring-backend, for example file", name, err)
	}
}

func availableNames() []string {
	var names []string
	for _, b := range keyring.AvailableBackends() {
		names = append(names, string(b))
	}
	if !slices.Contains(names, "file") {
		names = append(names, "file")
	}
	return names
}
