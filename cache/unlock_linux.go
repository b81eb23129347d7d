package cache

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus"
)

// The Secret Service API (freedesktop.org), as far as unlocking needs it.
const (
	secretsName          = "org.freedesktop.secrets"
	secretsPath          = dbus.ObjectPath("/org/freedesktop/secrets")
	secretServiceIface   = "org.freedesktop.Secret.Service"
	secretCollectionPath = "/org/freedesktop/secrets/collection/"
	promptIface          = "org.freedesktop.Secret.Prompt"
)

// dismissTimeout bounds closing an abandoned unlock dialog.
const dismissTimeout = 2 * time.Second

// stuckServiceTimeout bounds a question the Secret Service answers without
// asking the user.
const stuckServiceTimeout = 5 * time.Second

// errUnanswered is the cause of the unlock wait's deadline.
var errUnanswered = errors.New("unlock prompt not answered")

// unlockSecretService makes sure the named collection can be read without a
// prompt that nobody answers. keyring (through go-libsecret) unlocks a
// locked collection by showing the Secret Service's unlock dialog and then
// waits for its answer with no time limit, so headless, or with nobody at
// the screen, awsmfa would hang. Here the dialog is shown at most once,
// before keyring reads anything, and awsmfa waits for it at most wait. A
// collection that does not exist yet is left to keyring, which creates it
// when it first writes.
func unlockSecretService(ctx context.Context, collection string, wait time.Duration) error {
	// keyring's init connected the shared session bus, or Open would have
	// found the backend unavailable; this only returns that connection.
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("connecting to the D-Bus session bus: %w; check that the session bus is running, or choose --keyring-backend file", err)
	}
	return unlockCollection(ctx, conn, collection, wait)
}

// unlockCollection is unlockSecretService on a given connection.
func unlockCollection(ctx context.Context, conn *dbus.Conn, collection string, wait time.Duration) error {
	// Whether the collection is locked is asked on every open, cache hits
	// included, so it does not wait on ctx: awsmfa's context installs its
	// Ctrl-C handler when first waited on, which a hit should not pay for
	// (Ctrl-C still ends awsmfa here). A Secret Service answers such a
	// question at once; one that does not is stuck.
	quick, cancelQuick := context.WithTimeout(context.WithoutCancel(ctx), min(wait, stuckServiceTimeout))
	defer cancelQuick()
	// One question in the common case: the collection under its plain path.
	path := plainCollectionPath(collection)
	locked, err := isLocked(quick, conn, path)
	if err != nil {
		// Not there (yet), or its path is escaped: look it up by name.
		if path, err = findCollection(quick, conn, collection); err != nil || path == "" {
			return err
		}
		if locked, err = isLocked(quick, conn, path); err != nil {
			return err
		}
	}
	if !locked {
		return nil
	}
	ctx, cancel := context.WithTimeoutCause(ctx, wait, errUnanswered)
	defer cancel()
	why, err := requestUnlock(ctx, conn, path)
	if err != nil {
		return err
	}
	if why == "" {
		// The prompt said it unlocked; believe the collection, not the
		// prompt (asked afresh: the wait's deadline may just have passed).
		check, cancelCheck := context.WithTimeout(context.WithoutCancel(ctx), stuckServiceTimeout)
		defer cancelCheck()
		if locked, err = isLocked(check, conn, path); err != nil || !locked {
			return err
		}
		why = "its unlock prompt did not unlock it"
	} else if errors.Is(context.Cause(ctx), errUnanswered) {
		why += fmt.Sprintf(" within %v", wait)
	}
	return &lockedError{collection: collection, why: why}
}

// findCollection returns the object path of the collection keyring would
// use (matched the way keyring matches it), or "" if there is none.
func findCollection(ctx context.Context, conn *dbus.Conn, name string) (dbus.ObjectPath, error) {
	v, err := getProperty(ctx, conn.Object(secretsName, secretsPath), secretServiceIface, "Collections")
	if err != nil {
		return "", fmt.Errorf("listing the Secret Service collections: %w; check that a Secret Service (gnome-keyring) is running, or choose --keyring-backend file", err)
	}
	paths, _ := v.Value().([]dbus.ObjectPath)
	for _, p := range paths {
		if decodeObjectPath(string(p)) == secretCollectionPath+name {
			return p, nil
		}
	}
	return "", nil
}

// plainCollectionPath is where a Secret Service keeps the collection named
// name when the name needs no escaping in an object path ("login" does not).
func plainCollectionPath(name string) dbus.ObjectPath {
	return dbus.ObjectPath(secretCollectionPath + name)
}

// decodeObjectPath undoes the Secret Service's escaping of a collection
// name in its object path ("_" followed by two hex digits per byte).
func decodeObjectPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '_' && i+2 < len(p) {
			if d, err := hex.DecodeString(p[i+1 : i+3]); err == nil {
				b.Write(d)
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isLocked(ctx context.Context, conn *dbus.Conn, path dbus.ObjectPath) (bool, error) {
	v, err := getProperty(ctx, conn.Object(secretsName, path), "org.freedesktop.Secret.Collection", "Locked")
	if err != nil {
		return false, fmt.Errorf("asking the Secret Service whether %s is locked: %w; check that the Secret Service (gnome-keyring) is running, or choose --keyring-backend file", path, err)
	}
	locked, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the Secret Service answered %s for whether %s is locked; choose --keyring-backend file", v.Signature(), path)
	}
	return locked, nil
}

func getProperty(ctx context.Context, obj dbus.BusObject, iface, name string) (dbus.Variant, error) {
	var v dbus.Variant
	err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, iface, name).Store(&v)
	return v, err
}

// requestUnlock asks the Secret Service to unlock path and waits, until ctx
// ends, for the user to answer the dialog it shows. It returns "" if the
// Secret Service says it unlocked path, or why it did not.
func requestUnlock(ctx context.Context, conn *dbus.Conn, path dbus.ObjectPath) (why string, err error) {
	// Listen before asking: the answer may come as soon as the dialog is up.
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err = conn.Object(secretsName, secretsPath).CallWithContext(ctx, secretServiceIface+".Unlock", 0, []dbus.ObjectPath{path}).Store(&unlocked, &prompt)
	switch {
	case err != nil && errors.Is(context.Cause(ctx), errUnanswered):
		return "the Secret Service did not answer the request to unlock it", nil
	case err != nil && ctx.Err() != nil:
		return notAnswered(ctx), nil // Ctrl-C while the Secret Service was asked
	case err != nil:
		return "", fmt.Errorf("asking the Secret Service to unlock %s: %w; unlock it yourself (log in to the desktop) and retry, or choose --keyring-backend file", path, err)
	case slices.Contains(unlocked, path):
		return "", nil
	case prompt == "/" || prompt == "":
		return "the Secret Service refused to unlock it", nil
	}
	// gnome-keyring sends Completed to the caller only; others broadcast it.
	// Without the match rule a broadcast Completed never arrives; the wait
	// then ends with ctx, which is still bounded, so a bus refusing the rule
	// is not worth failing for.
	if err := matchRule(ctx, conn, "AddMatch", prompt); err == nil {
		// Removed even after Ctrl-C: the rule would outlive the wait.
		defer func() { _ = matchRule(context.WithoutCancel(ctx), conn, "RemoveMatch", prompt) }()
	}
	if err := conn.Object(secretsName, prompt).CallWithContext(ctx, promptIface+".Prompt", 0, "").Store(); err != nil {
		if ctx.Err() != nil {
			dismiss(ctx, conn, prompt)
			return notAnswered(ctx), nil
		}
		return "", fmt.Errorf("showing the Secret Service's unlock prompt: %w; unlock the keyring yourself (log in to the desktop) and retry, or choose --keyring-backend file", err)
	}
	return waitForPrompt(ctx, conn, prompt, signals)
}

// matchRule adds or removes (method "AddMatch" or "RemoveMatch") the bus's
// match rule for prompt's Completed signal. godbus's AddMatchSignal cannot
// be given a context, so this makes the same call with one, bounded like the
// Secret Service's own quick answers.
func matchRule(ctx context.Context, conn *dbus.Conn, method string, prompt dbus.ObjectPath) error {
	ctx, cancel := context.WithTimeout(ctx, stuckServiceTimeout)
	defer cancel()
	rule := "type='signal',path='" + string(prompt) + "',interface='" + promptIface + "',member='Completed'"
	return conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus."+method, 0, rule).Store()
}

// waitForPrompt waits for the prompt's Completed signal. If ctx ends
// first, the dialog is dismissed so that it does not outlive awsmfa.
func waitForPrompt(ctx context.Context, conn *dbus.Conn, prompt dbus.ObjectPath, signals <-chan *dbus.Signal) (why string, err error) {
	for {
		select {
		case <-ctx.Done():
			dismiss(ctx, conn, prompt)
			return notAnswered(ctx), nil
		case s, ok := <-signals:
			if !ok {
				return "", errors.New("the D-Bus session bus closed while the Secret Service's unlock prompt was open; check that the session bus is running, or choose --keyring-backend file")
			}
			if s.Path != prompt || s.Name != promptIface+".Completed" {
				continue
			}
			if len(s.Body) == 0 {
				continue // not the Secret Service's Completed(dismissed, result)
			}
			if dismissed, _ := s.Body[0].(bool); dismissed {
				return "its unlock prompt was dismissed or could not be shown (no desktop session?)", nil
			}
			return "", nil
		}
	}
}

// dismiss closes an unlock dialog nobody answered; it is best effort, as
// awsmfa fails anyway.
func dismiss(ctx context.Context, conn *dbus.Conn, prompt dbus.ObjectPath) {
	// ctx has ended; the dismissal gets a short time of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dismissTimeout)
	defer cancel()
	_ = conn.Object(secretsName, prompt).CallWithContext(ctx, promptIface+".Dismiss", 0).Store()
}

func notAnswered(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), errUnanswered) {
		return "its unlock prompt was not answered" // unlockCollection says within how long
	}
	return "unlocking it was cancelled"
}

// lockedError is ErrLocked with what became of the unlock prompt.
type lockedError struct {
	collection string
	why        string
}

func (e *lockedError) Error() string {
	return fmt.Sprintf("the Secret Service collection %q is locked and %s; unlock it (log in to the desktop, or headless pipe the keyring password to: gnome-keyring-daemon --replace --unlock) and retry, or choose --keyring-backend file", e.collection, e.why)
}

func (e *lockedError) Is(target error) bool { return target == ErrLocked }
