package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

const (
	region     = "us-east-1"
	passphrase = "bench-passphrase"
)

// profile is the benchmarked profile. The file keyring is the workspace's
// own, but keyctl's user keyring is shared by every process of the user:
// there a name unique to the run keeps the bench from reading, and its
// clean-up from deleting, the user's own "work" items.
var profile = "work"

// workspace is a throwaway HOME, AWS config and keyring directory, and an
// STS stand-in on loopback whose clock moves only when the driver says so.
type workspace struct {
	backend string
	dir     string
	env     []string
	stub    *stsstub.Server
	clock   *stsstub.ManualClock
	store   *cache.Store
	others  int
	keep    bool // leave the keyring and directory for a later look
}

func newWorkspace(backend string) (*workspace, error) {
	dir, err := os.MkdirTemp("", "awsmfa-bench-")
	if err != nil {
		return nil, err
	}
	if backend != "file" {
		profile = fmt.Sprintf("bench-%d", os.Getpid())
	}
	w := &workspace{backend: backend, dir: dir}
	w.clock = stsstub.NewManualClock(time.Now().UTC().Truncate(time.Second))
	w.stub, _, err = stsstub.StartForTests(stsstub.Config{Clock: w.clock, Users: []stsstub.User{stsstub.DemoUser()}})
	if err != nil {
		return nil, err
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		return nil, err
	}
	config := fmt.Sprintf("[profile %s]\nregion = %s\nmfa_serial = %s\ncredential_process = awsmfa process --profile %s\n",
		profile, region, stsstub.DemoMFASerial, profile)
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	settings := map[string]string{
		"HOME":                        home,
		"XDG_CACHE_HOME":              filepath.Join(dir, "cache"),
		"AWS_CONFIG_FILE":             filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_STS":        w.stub.URL(),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWSMFA_KEYRING_BACKEND":      backend,
		"AWSMFA_FILE_DIR":             filepath.Join(dir, "keyring"),
		"AWSMFA_FILE_PASSPHRASE":      passphrase,
		"BENCH_STUB_URL":              w.stub.URL(),
		"BENCH_PROMPT_LOG":            filepath.Join(dir, "prompts.log"),
	}
	// The default environment: the user's, minus AWS and awsmfa settings,
	// and with no D-Bus variables unless the backend needs the bus.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS") || strings.HasPrefix(name, "_AWS") || strings.HasPrefix(name, "BENCH_") ||
			(backend != "secret-service" && (name == "DBUS_SESSION_BUS_ADDRESS" || name == "DISABLE_KWALLET")) {
			continue
		}
		if _, ours := settings[name]; !ours {
			w.env = append(w.env, kv)
		}
	}
	for k, v := range settings {
		w.env = append(w.env, k+"="+v)
	}
	// The driver's own store, for seeding and cleaning up.
	if err := os.Setenv(cache.FilePassphraseEnv, passphrase); err != nil {
		return nil, err
	}
	w.store, err = cache.Open(cache.Config{Backend: backend, FileDir: settings["AWSMFA_FILE_DIR"]})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// floorEnv keeps keyring's init off D-Bus for backends that do not use it,
// as awsmfa does for itself: the floor must be the fastest possible reader.
func (w *workspace) floorEnv() []string {
	if w.backend == "secret-service" {
		return w.env
	}
	return append(w.env[:len(w.env):len(w.env)], "DBUS_SESSION_BUS_ADDRESS=disabled:", "DISABLE_KWALLET=1")
}

// prime stores the demo user's keys and fetches one session through STS,
// exactly as a user would with `awsmfa add` and a first `awsmfa process`.
func (w *workspace) prime(benchBin string) error {
	add := exec.Command(benchBin, "add", "--profile", profile, "--env")
	add.Env = append(w.env, "AWS_ACCESS_KEY_ID="+stsstub.DemoAccessKeyID, "AWS_SECRET_ACCESS_KEY="+stsstub.DemoSecretAccessKey)
	if out, err := add.CombinedOutput(); err != nil {
		return fmt.Errorf("awsmfa add: %v: %s", err, out)
	}
	w.clock.Advance(30 * time.Second) // a fresh TOTP step: each code is accepted once
	_, _, err := command{path: benchBin, args: []string{"process", "--profile", profile, "--prompt", "bench"}, env: w.env}.run()
	return err
}

// sessionItemKey finds the keyring key of the cached session, for the floor.
func (w *workspace) sessionItemKey() (string, error) {
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:         []keyring.BackendType{keyring.BackendType(w.backend)},
		ServiceName:             "awsmfa",
		KeyCtlScope:             "user",
		LibSecretCollectionName: "login",
		FileDir:                 filepath.Join(w.dir, "keyring"),
		FilePasswordFunc:        keyring.FixedStringPrompt(passphrase),
	})
	if err != nil {
		return "", err
	}
	keys, err := ring.Keys()
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "awsmfa/session/"+profile+"/") {
			return k, nil
		}
	}
	return "", fmt.Errorf("no cached session for %s among %d keyring items", profile, len(keys))
}

// seedOthers caches sessions of other profiles until there are n.
func (w *workspace) seedOthers(n int) error {
	sess := cache.Session{AccessKeyID: "ASIAOTHEROTHEROTHER0", SecretAccessKey: "other-secret", SessionToken: "other-token", Expiration: time.Now().Add(12 * time.Hour)}
	for ; w.others < n; w.others++ {
		if err := w.store.SetSession(cache.NewSessionKey(otherProfile(w.others), "bench"), sess); err != nil {
			return fmt.Errorf("seeding other sessions: %w", err)
		}
	}
	return nil
}

// close removes what the bench stored: keyctl and secret-service items
// outlive the temporary directory.
func (w *workspace) close() {
	if w.stub != nil {
		w.stub.Close()
	}
	if w.keep {
		return
	}
	if w.store != nil {
		// Only the bench's own sessions: the keyring may be the user's.
		mine := []string{profile}
		for i := range w.others {
			mine = append(mine, otherProfile(i))
		}
		if _, err := w.store.ClearSessionsOf(mine); err != nil {
			fmt.Fprintln(os.Stderr, "driver: cleaning up sessions:", err)
		}
		if err := w.store.RemoveKeys(profile); err != nil {
			fmt.Fprintln(os.Stderr, "driver: cleaning up keys:", err)
		}
	}
	os.RemoveAll(w.dir)
}

// promptLog returns the durations the bench prompt logged, and clears it.
func (w *workspace) promptLog() ([]time.Duration, error) {
	path := filepath.Join(w.dir, "prompts.log")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	for _, line := range bytes.Fields(b) {
		var us int64
		if _, err := fmt.Sscan(string(line), &us); err != nil {
			return nil, err
		}
		ds = append(ds, time.Duration(us)*time.Microsecond)
	}
	return ds, os.Remove(path)
}

// otherProfile names the i-th other profile whose session is seeded.
func otherProfile(i int) string { return fmt.Sprintf("%s-other-%04d", profile, i) }
