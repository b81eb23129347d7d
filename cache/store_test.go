package cache

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/cache/internal/dbusenv"
)

// resetPassphrase forgets the process-wide passphrase so each test starts
// as a fresh awsmfa process would.
func resetPassphrase(t *testing.T) {
	t.Helper()
	clear := func() {
		filePass.Lock()
		filePass.done, filePass.value, filePass.source, filePass.err = false, "", typed, nil
		filePass.Unlock()
	}
	clear()
	t.Cleanup(clear)
}

func openFile(t *testing.T, dir string) *Store {
	t.Helper()
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "test passphrase")
	st, err := Open(Config{Backend: "file", FileDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func testSession(tag string) Session {
	return Session{
		AccessKeyID:     "ASIA" + tag,
		SecretAccessKey: "secret-" + tag,
		SessionToken:    "token-" + tag,
		Expiration:      time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func mustSession(t *testing.T, st *Store, key SessionKey, want Session) {
	t.Helper()
	got, err := st.Session(key)
	if err != nil {
		t.Fatalf("Session(%s): %v", key, err)
	}
	if got.AccessKeyID != want.AccessKeyID || got.SecretAccessKey != want.SecretAccessKey ||
		got.SessionToken != want.SessionToken || !got.Expiration.Equal(want.Expiration) {
		t.Fatalf("Session(%s) = %+v, want %+v", key, got, want)
	}
}

func TestFileStoreGetClear(t *testing.T) {
	st := openFile(t, t.TempDir())
	if st.Backend() != "file" {
		t.Fatalf("Backend() = %q", st.Backend())
	}
	if _, err := st.Keys("work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Keys on empty store: %v, want ErrNotFound", err)
	}
	work := NewSessionKey("work", "arn:aws:iam::1:mfa/me", "3600")
	if _, err := st.Session(work); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Session on empty store: %v, want ErrNotFound", err)
	}

	keys := Keys{AccessKeyID: "AKIAWORK", SecretAccessKey: "long-term-secret"}
	if err := st.SetKeys("work", keys); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Keys("work"); err != nil || got != keys {
		t.Fatalf("Keys = %+v, %v", got, err)
	}

	// "team" must not match "team/dev" when clearing, nor the reverse.
	team := NewSessionKey("team", "a")
	teamDev := NewSessionKey("team/dev", "a")
	work2 := NewSessionKey("work", "other serial")
	for i, k := range []SessionKey{work, work2, team, teamDev} {
		if err := st.SetSession(k, testSession(string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	mustSession(t, st, work, testSession("a"))
	mustSession(t, st, teamDev, testSession("d"))

	if n, err := st.ClearSessions("team"); err != nil || n != 1 {
		t.Fatalf("ClearSessions(team) = %d, %v; want 1", n, err)
	}
	mustSession(t, st, teamDev, testSession("d"))
	if n, err := st.ClearSessions("work"); err != nil || n != 2 {
		t.Fatalf("ClearSessions(work) = %d, %v; want 2", n, err)
	}
	if _, err := st.Session(work); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after clear: %v", err)
	}
	if got, err := st.Keys("work"); err != nil || got != keys {
		t.Fatalf("ClearSessions touched the keys: %+v, %v", got, err)
	}
	if n, err := st.ClearSessions(""); err != nil || n != 1 {
		t.Fatalf("ClearSessions(all) = %d, %v; want 1", n, err)
	}
}

func TestSessionKey(t *testing.T) {
	base := NewSessionKey("work", "serial", "3600", "eu-west-1", "")
	if len(base.Hash) != 32 || strings.Trim(base.Hash, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not 32 lowercase hex characters", base.Hash)
	}
	if again := NewSessionKey("work", "serial", "3600", "eu-west-1", ""); again != base {
		t.Fatal("same settings gave different keys")
	}
	if got, want := base.String(), "awsmfa/session/work/"+base.Hash; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	variants := [][]string{
		{"serial2", "3600", "eu-west-1", ""},
		{"serial", "7200", "eu-west-1", ""},
		{"serial", "3600", "us-east-1", ""},
		{"serial", "3600", "eu-west-1", "https://sts.example"},
		{"serial", "3600", "eu-west-1"},
		{"serial3600", "", "eu-west-1", ""},
		{"3600", "serial", "eu-west-1", ""},
	}
	seen := map[string]bool{base.Hash: true}
	for _, v := range variants {
		k := NewSessionKey("work", v...)
		if seen[k.Hash] {
			t.Errorf("settings %q collide with another variant", v)
		}
		seen[k.Hash] = true
	}
	if NewSessionKey("a", "bc") == NewSessionKey("ab", "c") {
		t.Error("profile is not part of the key")
	}
	if k, ok := parseSessionKey(NewSessionKey("team/dev", "x").String()); !ok || k.Profile != "team/dev" {
		t.Errorf("parseSessionKey lost the profile: %+v %v", k, ok)
	}
}

func TestCorruptSessionIsReplaced(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir)
	key := NewSessionKey("work", "x")
	const secret = "AKIA-SHOULD-NOT-LEAK"

	cases := map[string]func(){
		"not json": func() {
			if err := st.ring.Set(keyring.Item{Key: key.String(), Data: []byte("{" + secret)}); err != nil {
				t.Fatal(err)
			}
		},
		"other version": func() {
			if err := st.ring.Set(keyring.Item{Key: key.String(), Data: []byte(`{"version":99,"secret_access_key":"` + secret + `"}`)}); err != nil {
				t.Fatal(err)
			}
		},
		"missing fields": func() {
			if err := st.ring.Set(keyring.Item{Key: key.String(), Data: []byte(`{"version":1,"access_key_id":"` + secret + `"}`)}); err != nil {
				t.Fatal(err)
			}
		},
		"truncated file": func() {
			if err := st.SetSession(key, testSession("old")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, strings.ReplaceAll(key.String(), "/", "%2F"))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data[:len(data)/2], 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			corrupt()
			_, err := st.Session(key)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Session on corrupt item: %v, want ErrCorrupt", err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "SHOULD") {
				t.Fatalf("error leaks item content: %v", err)
			}
			if err := st.SetSession(key, testSession("new")); err != nil {
				t.Fatal(err)
			}
			mustSession(t, st, key, testSession("new"))
		})
	}
}

func TestWrongPassphraseIsWrongNotCorrupt(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir)
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "another passphrase")
	st2, err := Open(Config{Backend: "file", FileDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st2.Keys("work")
	if !errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), FilePassphraseEnv) || strings.Contains(err.Error(), "delete") {
		t.Fatalf("Keys with another passphrase: %v; want ErrWrongPassphrase mentioning %s, never delete", err, FilePassphraseEnv)
	}
}

func TestSetKeysAndRemoveKeysDropSessions(t *testing.T) {
	st := openFile(t, t.TempDir())
	work, other := NewSessionKey("work", "x"), NewSessionKey("other", "x")
	for _, k := range []SessionKey{work, other} {
		if err := st.SetKeys(k.Profile, Keys{AccessKeyID: "AKIA1", SecretAccessKey: "s1"}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetSession(k, testSession(k.Profile)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA2", SecretAccessKey: "s2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Session(work); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session survived new keys: %v", err)
	}
	mustSession(t, st, other, testSession("other"))

	if err := st.SetSession(work, testSession("w")); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveKeys("work"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Keys("work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("keys survived RemoveKeys: %v", err)
	}
	if _, err := st.Session(work); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session survived RemoveKeys: %v", err)
	}
	if err := st.RemoveKeys("work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second RemoveKeys: %v, want ErrNotFound", err)
	}
	mustSession(t, st, other, testSession("other"))
}

func TestClearSessionsOfSomeProfiles(t *testing.T) {
	st := openFile(t, t.TempDir())
	keys := []SessionKey{NewSessionKey("admin", "x"), NewSessionKey("admin", "y"), NewSessionKey("deploy", "x"), NewSessionKey("other", "x")}
	for _, k := range keys {
		if err := st.SetSession(k, testSession(k.Profile)); err != nil {
			t.Fatal(err)
		}
	}
	roles := []string{"admin", "deploy", "absent"}
	if n, err := st.CountSessions(roles); err != nil || n != 3 {
		t.Fatalf("CountSessions = %d, %v; want 3", n, err)
	}
	if n, err := st.ClearSessionsOf(roles); err != nil || n != 3 {
		t.Fatalf("ClearSessionsOf = %d, %v; want 3", n, err)
	}
	for _, k := range keys[:3] {
		if _, err := st.Session(k); !errors.Is(err, ErrNotFound) {
			t.Errorf("session of %s survived: %v", k.Profile, err)
		}
	}
	mustSession(t, st, keys[3], testSession("other"))
	if n, err := st.ClearSessionsOf(nil); err != nil || n != 0 {
		t.Fatalf("ClearSessionsOf(nil) = %d, %v; want nothing cleared", n, err)
	}
	mustSession(t, st, keys[3], testSession("other"))
}

// countingRing counts calls into the backend.
type countingRing struct {
	keyring.Keyring
	gets, keys, metas int
}

func (c *countingRing) Get(key string) (keyring.Item, error) {
	c.gets++
	return c.Keyring.Get(key)
}

func (c *countingRing) GetMetadata(key string) (keyring.Metadata, error) {
	c.metas++
	return c.Keyring.GetMetadata(key)
}

func (c *countingRing) Keys() ([]string, error) {
	c.keys++
	return c.Keyring.Keys()
}

func TestSessionHitIsOneGet(t *testing.T) {
	st := openFile(t, t.TempDir())
	key := NewSessionKey("work", "x")
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSession(key, testSession("a")); err != nil {
		t.Fatal(err)
	}
	counter := &countingRing{Keyring: st.ring}
	st.ring = counter

	mustSession(t, st, key, testSession("a"))
	if counter.gets != 1 || counter.keys != 0 || counter.metas != 0 {
		t.Fatalf("hit made %d Get, %d Keys, %d GetMetadata calls; want exactly 1 Get", counter.gets, counter.keys, counter.metas)
	}
	if _, err := st.Session(NewSessionKey("work", "y")); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if counter.gets != 2 || counter.keys != 0 {
		t.Fatalf("miss made %d Get (total), %d Keys calls", counter.gets, counter.keys)
	}
}

func TestFilePassphraseAskedOnceAndLazily(t *testing.T) {
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "")
	asked := 0
	ask := func(prompt string) (string, error) {
		asked++
		return "typed passphrase", nil
	}
	dir := t.TempDir()
	st, err := Open(Config{Backend: "file", FileDir: dir, FilePassphrase: ask, FileUnlockTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	key := NewSessionKey("work", "x")
	if _, err := st.Session(key); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := st.ClearSessions(""); err != nil {
		t.Fatal(err)
	}
	if asked != 0 {
		t.Fatalf("a miss and a listing asked for the passphrase %d times; want 0", asked)
	}
	if err := st.SetSession(key, testSession("a")); err != nil {
		t.Fatal(err)
	}
	// A second Store (keyring would ask again per instance) in the same process.
	st2, err := Open(Config{Backend: "file", FileDir: dir, FilePassphrase: ask, FileUnlockTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	mustSession(t, st2, key, testSession("a"))
	mustSession(t, st, key, testSession("a"))
	if asked != 2 {
		t.Fatalf("passphrase asked %d times; want 2 (a new keyring's passphrase, and again to confirm it)", asked)
	}
}

func TestFilePassphraseMissing(t *testing.T) {
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "")
	st, err := Open(Config{Backend: "file", FileDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SetSession(NewSessionKey("work"), testSession("a"))
	if err == nil || !strings.Contains(err.Error(), FilePassphraseEnv) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("SetSession without passphrase: %v", err)
	}
}

func TestFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := filepath.Join(t.TempDir(), "keys")
	t.Setenv(FileDirEnv, dir)
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "pw")
	st, err := Open(Config{Backend: "file"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSession(NewSessionKey("work"), testSession("a")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries %v, %v", entries, err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
		if !strings.HasPrefix(e.Name(), "awsmfa%2F") {
			t.Errorf("unexpected file name %q", e.Name())
		}
	}
}

func TestProfileNames(t *testing.T) {
	st := openFile(t, t.TempDir())
	for _, bad := range []string{"", `a\..\b`, "a\nb"} {
		if err := st.SetSession(NewSessionKey(bad), testSession("a")); err == nil {
			t.Errorf("profile %q accepted by the file backend", bad)
		}
	}
	// Names are kept as given, including dots and slashes.
	for _, good := range []string{"..", "team/dev", "prod.admin", "ünï"} {
		key := NewSessionKey(good, "x")
		if err := st.SetSession(key, testSession("a")); err != nil {
			t.Errorf("profile %q: %v", good, err)
			continue
		}
		mustSession(t, st, key, testSession("a"))
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Config{Backend: "vault"}); err == nil || !strings.Contains(err.Error(), "choose one of keychain") {
		t.Errorf("unknown backend: %v", err)
	}
	if runtime.GOOS == "linux" {
		if _, err := Open(Config{Backend: "keychain"}); err == nil || !strings.Contains(err.Error(), "not available on linux") {
			t.Errorf("keychain on linux: %v", err)
		}
		if !dbusenv.BusDiscoverable() {
			_, err := Open(Config{Backend: "secret-service"})
			want := "keyring backend secret-service needs a D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is unset; run inside a desktop session or dbus-run-session, or choose --keyring-backend file"
			if err == nil || err.Error() != want {
				t.Errorf("secret-service without bus: %v", err)
			}
		}
		_, err := Open(Config{Backend: "pass", PassCmd: "awsmfa-no-such-pass"})
		if err == nil || !strings.Contains(err.Error(), "choose --keyring-backend file") {
			t.Errorf("pass without the command: %v", err)
		}
	}
	if got := Backends(); len(got) != 7 || got[len(got)-1] != "file" {
		t.Errorf("Backends() = %v", got)
	}
}
