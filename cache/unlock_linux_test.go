package cache

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// fakeSecrets is a Secret Service with one collection, "login", whose
// unlock dialog answers as the test says: "unlock", "dismiss" (what
// gnome-keyring does when no prompter can show it) or "never" (nobody at
// the screen).
type fakeSecrets struct {
	conn     *dbus.Conn
	answer   string
	onPrompt func() // called when the dialog is up, if set
	onUnlock func() // called in Unlock before it answers, if set

	mu          sync.Mutex
	exists      bool
	locked      bool
	unlockCalls int
	dismissals  int
	listings    int // times the collections were listed
}

const fakePrompt = dbus.ObjectPath("/org/freedesktop/secrets/prompt/p1")

var fakeLogin = dbus.ObjectPath(secretCollectionPath + "login")

// serviceProps and collectionProps answer org.freedesktop.DBus.Properties.Get.
type (
	serviceProps    struct{ f *fakeSecrets }
	collectionProps struct{ f *fakeSecrets }
	fakeService     struct{ f *fakeSecrets }
	fakePromptObj   struct{ f *fakeSecrets }
)

func (p serviceProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	p.f.listings++
	paths := []dbus.ObjectPath{secretCollectionPath + "session"}
	if p.f.exists {
		paths = append(paths, fakeLogin)
	}
	return dbus.MakeVariant(paths), nil
}

func (p collectionProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	if !p.f.exists {
		// What a Secret Service answers for a collection it does not have.
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownObject", []any{"no such collection"})
	}
	return dbus.MakeVariant(p.f.locked), nil
}

func (s fakeService) Unlock(objects []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	s.f.mu.Lock()
	s.f.unlockCalls++
	s.f.mu.Unlock()
	if s.f.onUnlock != nil {
		s.f.onUnlock()
	}
	return []dbus.ObjectPath{}, fakePrompt, nil
}

// Prompt answers, as a real dialog may, before the method call returns.
func (p fakePromptObj) Prompt(windowID string) *dbus.Error {
	if p.f.onPrompt != nil {
		p.f.onPrompt()
	}
	switch p.f.answer {
	case "unlock":
		p.f.mu.Lock()
		p.f.locked = false
		p.f.mu.Unlock()
		p.f.complete(false)
	case "dismiss":
		p.f.complete(true)
	}
	return nil
}

func (p fakePromptObj) Dismiss() *dbus.Error {
	p.f.mu.Lock()
	p.f.dismissals++
	p.f.mu.Unlock()
	p.f.complete(true)
	return nil
}

func (f *fakeSecrets) complete(dismissed bool) {
	_ = f.conn.Emit(fakePrompt, promptIface+".Completed", dismissed, dbus.MakeVariant([]dbus.ObjectPath{fakeLogin}))
}

// startFakeSecrets starts a private bus with f on it and returns a client
// connection to that bus.
func startFakeSecrets(t *testing.T, f *fakeSecrets) *dbus.Conn {
	t.Helper()
	addr := startPrivateBus(t)
	f.conn = dialBus(t, addr)
	for _, e := range []struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}{
		{serviceProps{f}, secretsPath, "org.freedesktop.DBus.Properties"},
		{fakeService{f}, secretsPath, secretServiceIface},
		{collectionProps{f}, fakeLogin, "org.freedesktop.DBus.Properties"},
		{fakePromptObj{f}, fakePrompt, promptIface},
	} {
		if err := f.conn.Export(e.v, e.path, e.iface); err != nil {
			t.Fatal(err)
		}
	}
	if reply, err := f.conn.RequestName(secretsName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v, %v", secretsName, reply, err)
	}
	return dialBus(t, addr)
}

// startPrivateBus runs a dbus-daemon that activates nothing, so no real
// Secret Service can answer in the fake's place.
func startPrivateBus(t *testing.T) string {
	t.Helper()
	testenv.NeedCommands(t, "dbus-daemon")
	// Not t.TempDir(): with the subtest's name in it, the socket path
	// would pass the 108 bytes a unix socket address allows.
	dir, err := os.MkdirTemp("", "bus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	config := filepath.Join(dir, "bus.conf")
	err = os.WriteFile(config, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--print-address=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// The daemon prints its address once it listens.
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v: %s", err, stderr.String())
	}
	return strings.TrimSpace(addr)
}

func dialBus(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestLockedCollection(t *testing.T) {
	const wait = 300 * time.Millisecond
	cases := []struct {
		name           string
		exists, locked bool
		answer         string
		wantErr        string // "" for success
		wantUnlocks    int
		wantDismissals int
	}{
		{name: "unlocked: no dialog", exists: true},
		{name: "absent: left to keyring, which creates it", exists: false, locked: true},
		{name: "unlocked in the dialog", exists: true, locked: true, answer: "unlock", wantUnlocks: 1},
		{name: "dialog dismissed or not shown (headless)", exists: true, locked: true, answer: "dismiss", wantUnlocks: 1,
			wantErr: `the Secret Service collection "login" is locked and its unlock prompt was dismissed or could not be shown (no desktop session?); unlock it (log in to the desktop, or headless pipe the keyring password to: gnome-keyring-daemon --replace --unlock) and retry, or choose --keyring-backend file`},
		{name: "nobody answers: bounded, dialog closed", exists: true, locked: true, answer: "never", wantUnlocks: 1, wantDismissals: 1,
			wantErr: `the Secret Service collection "login" is locked and its unlock prompt was not answered within 300ms; unlock it`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeSecrets{exists: c.exists, locked: c.locked, answer: c.answer}
			client := startFakeSecrets(t, f)

			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- unlockCollection(context.Background(), client, "login", wait) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("unlock still waits for the dialog after a minute: its wait is not bounded")
			}
			took := time.Since(start)

			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unlock: %v", err)
			case c.wantErr != "" && (!errors.Is(err, ErrLocked) || !strings.HasPrefix(err.Error(), c.wantErr)):
				t.Fatalf("unlock error = %v\nwant ErrLocked starting %q", err, c.wantErr)
			}
			// The wait is bounded by wait (plus the dismissal), never more.
			if took > wait+dismissTimeout {
				t.Errorf("took %v, want at most %v", took, wait+dismissTimeout)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.unlockCalls != c.wantUnlocks || f.dismissals != c.wantDismissals {
				t.Errorf("Unlock called %d times, dialog dismissed %d times; want %d and %d",
					f.unlockCalls, f.dismissals, c.wantUnlocks, c.wantDismissals)
			}
		})
	}
}

func TestUnlockCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C while the dialog is up.
	f := &fakeSecrets{exists: true, locked: true, answer: "never", onPrompt: cancel}
	client := startFakeSecrets(t, f)
	err := unlockCollection(ctx, client, "login", time.Minute)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is locked and unlocking it was cancelled;") {
		t.Fatalf("unlock error = %v, want ErrLocked saying it was cancelled", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dismissals != 1 {
		t.Errorf("dialog dismissed %d times, want 1", f.dismissals)
	}
}

func TestUnlockCancelledWhileAsking(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C while the Secret Service has not yet answered Unlock (it is
	// slow to put its dialog up); it answers only after the test.
	answered := make(chan struct{})
	f := &fakeSecrets{exists: true, locked: true, answer: "never", onUnlock: func() { cancel(); <-answered }}
	client := startFakeSecrets(t, f)
	defer close(answered)
	err := unlockCollection(ctx, client, "login", time.Minute)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is locked and unlocking it was cancelled;") {
		t.Fatalf("unlock error = %v, want ErrLocked saying it was cancelled", err)
	}
}

func TestDecodeObjectPath(t *testing.T) {
	for in, want := range map[string]string{
		"/org/freedesktop/secrets/collection/login":          "/org/freedesktop/secrets/collection/login",
		"/org/freedesktop/secrets/collection/my_20keys":      "/org/freedesktop/secrets/collection/my keys",
		"/org/freedesktop/secrets/collection/a_5fb":          "/org/freedesktop/secrets/collection/a_b",
		"/org/freedesktop/secrets/collection/trailing_":      "/org/freedesktop/secrets/collection/trailing_",
		"/org/freedesktop/secrets/collection/not_zzhex_4":    "/org/freedesktop/secrets/collection/not_zzhex_4",
		"/org/freedesktop/secrets/collection/awsmfa_2ftest1": "/org/freedesktop/secrets/collection/awsmfa/test1",
	} {
		if got := decodeObjectPath(in); got != want {
			t.Errorf("decodeObjectPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every open of the secret-service keyring asks whether the collection is
// locked: for an unlocked "login" that must be one question, not a listing.
func TestUnlockedCollectionCostsOneQuestion(t *testing.T) {
	f := &fakeSecrets{exists: true}
	client := startFakeSecrets(t, f)
	if err := unlockCollection(context.Background(), client, "login", time.Minute); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listings != 0 || f.unlockCalls != 0 {
		t.Errorf("listed the collections %d times and asked to unlock %d times; want neither", f.listings, f.unlockCalls)
	}
}
