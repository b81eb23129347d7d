// Package dbusenv keeps github.com/99designs/keyring from starting a D-Bus
// daemon.
//
// keyring's package init (secretservice.go, kwallet.go) calls
// dbus.SessionBus(). The pinned godbus, when DBUS_SESSION_BUS_ADDRESS is unset
// and no bus socket is found under /run/user/<uid>, runs `dbus-launch`, which
// leaves a dbus-daemon behind for every invocation of awsmfa. Even with a bus,
// connecting costs a round trip that a cache hit on the file, keyctl or pass
// backend does not need.
//
// This package's init therefore decides which backend this process will use
// and, unless that backend talks D-Bus and a bus is discoverable, points
// DBUS_SESSION_BUS_ADDRESS at an address godbus rejects in its transport
// lookup (no socket, no child process), so keyring's init fails quietly and
// simply does not register secret-service and kwallet. Restore puts the
// environment back so child processes see the user's own.
//
// Why this init runs before keyring's: since Go 1.21 packages are
// initialised by repeatedly picking, in import-path order, the first package
// whose imports are all initialised. This package imports only "os" and
// "strings", which godbus imports too, and "runtime", which os imports; so
// whenever godbus is ready this package is ready too, and
// "github.com/awsmfa/awsmfa/cache/internal/dbusenv" sorts before
// "github.com/godbus/dbus". So it is initialised before godbus and hence
// before keyring and go-libsecret, which import godbus. Do not add imports
// here (not even strconv or path/filepath): an import outside godbus's own
// dependencies could delay this init past godbus's.
package dbusenv

import (
	"os"
	"runtime"
	"strings"
)

// Environment variable and flag names shared with the command line.
const (
	// BackendEnv selects the keyring backend when no flag is given.
	BackendEnv = "AWSMFA_KEYRING_BACKEND"
	// BackendFlag is the command-line flag that selects the backend.
	BackendFlag = "--keyring-backend"

	busEnv     = "DBUS_SESSION_BUS_ADDRESS"
	kwalletEnv = "DISABLE_KWALLET"

	// disabledAddress has a transport name godbus does not register, so
	// godbus's getTransport fails before any syscall; unlike an empty value
	// or "autolaunch:" it does not send godbus on to dbus-launch.
	disabledAddress = "disabled:"

	goos = runtime.GOOS
)

// savedVar is one environment variable as it was before init touched it.
type savedVar struct {
	name  string
	value string
	set   bool
}

var (
	selected     string
	discoverable bool
	busAddress   string
	saved        []savedVar
)

func init() {
	// A cache hit on a backend chosen by name (file, keyctl, pass) does not
	// look for a bus socket it would not use.
	if mayUseBus(os.Args[1:], os.Getenv(BackendEnv)) {
		busAddress, discoverable = discoverBus()
	}
	selected = selectBackend(os.Args[1:])
	needsBus := selected == "secret-service" || selected == "kwallet"

	switch {
	case needsBus && discoverable:
		// Hand godbus the address we found so it never falls back to its own
		// discovery and, failing that, dbus-launch.
		setenv(busEnv, busAddress)
	default:
		setenv(busEnv, disabledAddress)
	}
	if selected != "kwallet" {
		// kwallet's init skips its D-Bus probe entirely when this is "1".
		setenv(kwalletEnv, "1")
	}
}

// setenv records the variable's original state, then sets it. init sets
// each variable at most once, so the first record is the original.
func setenv(name, value string) {
	old, ok := os.LookupEnv(name)
	saved = append(saved, savedVar{name: name, value: old, set: ok})
	_ = os.Setenv(name, value)
}

// Restore puts back every environment variable init changed, exactly as it
// was (unset stays unset, empty stays empty), so that child processes such as
// a credential_process of another tool see the user's environment. It is safe
// to call more than once. Call it only after keyring's init has run.
func Restore() {
	for _, s := range saved {
		if s.set {
			_ = os.Setenv(s.name, s.value)
		} else {
			_ = os.Unsetenv(s.name)
		}
	}
	saved = nil
}

// SelectedBackend is the backend chosen from AWSMFA_KEYRING_BACKEND,
// --keyring-backend or the platform default, as decided at init. It is not
// validated: the caller reports unknown names.
func SelectedBackend() string { return selected }

// mayUseBus reports whether the backend this run uses may talk D-Bus:
// none is chosen (the default depends on the bus), or secret-service or
// kwallet is, by the flag or else env (AWSMFA_KEYRING_BACKEND's value).
func mayUseBus(args []string, env string) bool {
	b := flagValue(args)
	if b == "" {
		b = env
	}
	return b == "" || b == "secret-service" || b == "kwallet"
}

// BusDiscoverable reports whether a D-Bus session bus was found at init,
// where it is looked for only when the backend chosen may use it.
func BusDiscoverable() bool { return discoverable }

// BusAddress is the session bus address found at init, "" when none.
func BusAddress() string { return busAddress }

// selectBackend applies the precedence flag > environment > default. The flag
// wins because it is the more specific, per-invocation choice.
func selectBackend(args []string) string {
	if b := flagValue(args); b != "" {
		return b
	}
	if b := os.Getenv(BackendEnv); b != "" {
		return b
	}
	return DefaultBackend()
}

// flagValue finds "--keyring-backend X" or "--keyring-backend=X" where the
// command line parser will see it: before any "--" terminator, and for
// `awsmfa exec` only before the command's name, since everything after it
// belongs to the command (`awsmfa exec --profile work echo
// --keyring-backend x` passes the flag to echo).
func flagValue(args []string) string {
	value, sub, seenSub := "", "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return value
		case a == BackendFlag:
			if i+1 < len(args) {
				value = args[i+1]
			}
			i++
		case strings.HasPrefix(a, BackendFlag+"="):
			value = strings.TrimPrefix(a, BackendFlag+"=")
		case len(a) > 1 && a[0] == '-':
			if takesValue(a) {
				i++ // the flag's value, not a command or an operand
			}
		case !seenSub:
			sub, seenSub = a, true
		case sub == ExecCommand:
			return value
		}
	}
	return value
}

// ExecCommand is the command whose operands after the first are another
// program's arguments.
const ExecCommand = "exec"

// BoolFlags are the flags of awsmfa's root and exec commands that take no
// value ("--debug", not "--debug true"); every other flag written without
// "=" takes the next argument as its value. A test keeps this list in step
// with the command line.
var BoolFlags = []string{"--debug", "--server", "--help", "-h"}

// takesValue tells whether flag a, as written, takes the next argument.
func takesValue(a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	for _, b := range BoolFlags {
		if a == b {
			return false
		}
	}
	// "-pwork" carries its value; "-p" and "--profile" take the next one.
	return strings.HasPrefix(a, "--") || len(a) == 2
}

// DefaultBackend is the backend used when none is chosen: the OS store on
// macOS and Windows; elsewhere secret-service if a session bus is
// discoverable, else the encrypted file backend, which works headless.
func DefaultBackend() string {
	switch goos {
	case "darwin":
		return "keychain"
	case "windows":
		return "wincred"
	}
	if discoverable {
		return "secret-service"
	}
	return "file"
}

// discoverBus finds the session bus the way a desktop session advertises it,
// without connecting: DBUS_SESSION_BUS_ADDRESS, else the systemd user bus
// socket $XDG_RUNTIME_DIR/bus, else /run/user/<uid>/bus (where godbus looks).
func discoverBus() (string, bool) {
	if addr := os.Getenv(busEnv); addr != "" && addr != "autolaunch:" && addr != disabledAddress {
		return addr, true
	}
	if goos == "windows" || goos == "darwin" {
		return "", false
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if p := strings.TrimRight(dir, "/") + "/bus"; isSocket(p) {
			return "unix:path=" + p, true
		}
	}
	if uid := os.Getuid(); uid >= 0 {
		if p := "/run/user/" + itoa(uid) + "/bus"; isSocket(p) {
			return "unix:path=" + p, true
		}
	}
	return "", false
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// itoa avoids importing strconv (see the package comment).
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
