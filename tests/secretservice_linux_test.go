package tests

import (
	"fmt"
	"slices"

	"github.com/godbus/dbus"
	"github.com/rogpeppe/go-internal/testscript"
)

const loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")

// cmdSecretService gives a script gnome-keyring and locks or unlocks its
// login collection:
//
//	secretservice start   a private session bus with gnome-keyring, login
//	                      unlocked, and the secret-service backend selected
//	secretservice lock    lock login, as a screen lock or a timeout does
//	secretservice unlock  unlock login with its password, as logging in does
//
// Scripts check [missing:dbus-run-session] and [missing:gnome-keyring-daemon]
// first.
func cmdSecretService(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: secretservice start|lock|unlock")
	}
	switch args[0] {
	case "start":
		startScriptSecretService(ts)
	case "lock":
		withSecretService(ts, lockLogin)
	case "unlock":
		withSecretService(ts, unlockLogin)
	default:
		ts.Fatalf("usage: secretservice start|lock|unlock")
	}
	if locked := loginLocked(ts); locked != (args[0] == "lock") {
		ts.Fatalf("after secretservice %s the login collection is locked=%v", args[0], locked)
	}
}

func startScriptSecretService(ts *testscript.TestScript) {
	addr, runtimeDir, err := startKeyringBus(ts.Getenv("WORK"), ts.Getenv("HOME"), ts.Defer)
	ts.Check(err)
	ts.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	ts.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	ts.Setenv("AWSMFA_KEYRING_BACKEND", "secret-service")
}

// withSecretService runs f on a connection of its own to the script's bus.
func withSecretService(ts *testscript.TestScript, f func(conn *dbus.Conn) error) {
	addr := ts.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		ts.Fatalf("no session bus: run secretservice start first")
	}
	conn, err := dbus.Dial(addr)
	ts.Check(err)
	defer conn.Close()
	ts.Check(conn.Auth(nil))
	ts.Check(conn.Hello())
	ts.Check(f(conn))
}

func secretService(conn *dbus.Conn) dbus.BusObject {
	return conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
}

// lockLogin calls the Secret Service's Lock, which needs no prompt.
func lockLogin(conn *dbus.Conn) error {
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := secretService(conn).Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginCollection}).Store(&locked, &prompt)
	if err != nil {
		return fmt.Errorf("locking login: %w", err)
	}
	if !slices.Contains(locked, loginCollection) {
		return fmt.Errorf("locking login: the Secret Service locked %v and asks for prompt %s", locked, prompt)
	}
	return nil
}

// unlockLogin unlocks login with its password through gnome-keyring's own
// interface (what its Passwords and Keys application uses), because the
// standard Unlock would show the dialog a headless session cannot: the
// very fault under test. The password travels in a "plain" session.
func unlockLogin(conn *dbus.Conn) error {
	var output dbus.Variant
	var session dbus.ObjectPath
	err := secretService(conn).Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&output, &session)
	if err != nil {
		return fmt.Errorf("opening a Secret Service session: %w", err)
	}
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(keyringPassword), "text/plain"}
	err = secretService(conn).Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, loginCollection, secret).Store()
	if err != nil {
		return fmt.Errorf("unlocking login with its password: %w", err)
	}
	return nil
}

func loginLocked(ts *testscript.TestScript) (locked bool) {
	withSecretService(ts, func(conn *dbus.Conn) error {
		var v dbus.Variant
		err := conn.Object("org.freedesktop.secrets", loginCollection).Call("org.freedesktop.DBus.Properties.Get", 0,
			"org.freedesktop.Secret.Collection", "Locked").Store(&v)
		if err != nil {
			return fmt.Errorf("reading whether login is locked: %w", err)
		}
		var ok bool
		if locked, ok = v.Value().(bool); !ok {
			return fmt.Errorf("login's Locked property is a %s", v.Signature())
		}
		return nil
	})
	return locked
}
