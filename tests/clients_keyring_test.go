//go:build linux

package tests

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/testenv"
)

// needBackend skips (or, under AWSMFA_REQUIRE_ALL=1, fails) when backend
// cannot run here. keyctl is skipped even then: whether the kernel or a
// container's seccomp profile allows it is not up to CI's packages.
func needBackend(t *testing.T, backend string) {
	switch backend {
	case "secret-service":
		testenv.NeedCommands(t, "dbus-run-session", "gnome-keyring-daemon")
	case "keyctl":
		if err := probeKeyctl(); err != nil {
			t.Skip("keyctl is not usable here: ", err)
		}
	}
}

// probeKeyctl writes and removes an item in the user keyring, as awsmfa's
// keyctl backend would.
func probeKeyctl() error {
	st, err := cache.Open(cache.Config{Backend: "keyctl"})
	if err != nil {
		return err
	}
	profile := fmt.Sprintf("awsmfa-test-probe-%d", os.Getpid())
	if err := st.SetKeys(profile, cache.Keys{AccessKeyID: "AKIAPROBE", SecretAccessKey: "probe"}); err != nil {
		return err
	}
	return st.RemoveKeys(profile)
}

// useKeyctl points the script at keyctl's user keyring and removes the
// profile's items when the script ends: that keyring outlives the test and
// belongs to the user.
func useKeyctl(env *testscript.Env, profile string) {
	env.Setenv("AWSMFA_KEYRING_BACKEND", "keyctl")
	env.Defer(func() {
		st, err := cache.Open(cache.Config{Backend: "keyctl"})
		if err != nil {
			env.T().Log("cleaning keyctl: ", err)
			return
		}
		if _, err := st.ClearSessions(profile); err != nil {
			env.T().Log("cleaning keyctl sessions: ", err)
		}
		if err := st.RemoveKeys(profile); err != nil && !errors.Is(err, cache.ErrNotFound) {
			env.T().Log("cleaning keyctl keys: ", err)
		}
	})
}

// startSecretService gives the script its own D-Bus session bus with
// gnome-keyring's login collection unlocked, as in a desktop session, and
// selects the secret-service backend. Everything is stopped when the
// script ends.
func startSecretService(env *testscript.Env) error {
	addr, runtimeDir, err := startKeyringBus(env.WorkDir, env.Getenv("HOME"), env.Defer)
	if err != nil {
		return err
	}
	env.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	env.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	env.Setenv("AWSMFA_KEYRING_BACKEND", "secret-service")
	return nil
}

// keyringPassword unlocks the login collection of startKeyringBus's
// gnome-keyring.
const keyringPassword = "pw"

// startKeyringBus starts dbus-run-session with gnome-keyring (its login
// collection unlocked with keyringPassword, its files under home) and
// returns the bus address and the XDG_RUNTIME_DIR it uses (under workDir).
// deferred is given what stops them all.
//
// The bus gets no DISPLAY or WAYLAND_DISPLAY: a prompt gnome-keyring asks
// for (to unlock a locked collection) must never show a dialog on the
// desktop of whoever runs the tests, and fails as it would headless.
func startKeyringBus(workDir, home string, deferred func(func())) (addr, runtimeDir string, err error) {
	runtimeDir = filepath.Join(workDir, "run")
	if err := os.MkdirAll(runtimeDir, 0o700); err != nil {
		return "", "", err
	}
	script := fmt.Sprintf(`printf %s | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
echo "$DBUS_SESSION_BUS_ADDRESS"
exec cat`, keyringPassword)
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script)
	cmd.Env = append(environWithout("DISPLAY", "WAYLAND_DISPLAY"), "HOME="+home, "XDG_RUNTIME_DIR="+runtimeDir,
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe() // `cat` keeps the session up until this closes
	if err != nil {
		return "", "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", "", fmt.Errorf("starting dbus-run-session: %w", err)
	}
	deferred(func() {
		stdin.Close()
		// gnome-keyring-daemon leaves when its bus goes; kill what is left
		// of the group so no daemon outlives the script.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	address := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		address <- strings.TrimSpace(line)
	}()
	select {
	case addr = <-address:
		if addr == "" {
			return "", "", fmt.Errorf("dbus-run-session with gnome-keyring gave no bus address: %s", stderr.String())
		}
		return addr, runtimeDir, nil
	case <-time.After(time.Minute):
		return "", "", fmt.Errorf("gnome-keyring did not start within a minute: %s", stderr.String())
	}
}

// environWithout is os.Environ minus the named variables.
func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			env = append(env, kv)
		}
	}
	return env
}
