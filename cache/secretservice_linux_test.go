package cache

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/cache/internal/dbusenv"
)

// TestSecretServiceUnderRealBus runs TestSecretServiceChild inside a private
// session bus with gnome-keyring's login collection unlocked, as it would be
// in a desktop session.
func TestSecretServiceUnderRealBus(t *testing.T) {
	var missing []string
	for _, bin := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if len(missing) > 0 {
		msg := "needs " + strings.Join(missing, " and ") + " (install dbus and gnome-keyring)"
		if os.Getenv("AWSMFA_REQUIRE_ALL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	home := t.TempDir()
	runtimeDir := t.TempDir()
	script := `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1; exec "$0" -test.run='^TestSecretServiceChild$' -test.v`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	cmd.Env = append(childEnviron("DBUS_SESSION_BUS_ADDRESS", "DISABLE_KWALLET", "AWSMFA_KEYRING_BACKEND", "XDG_RUNTIME_DIR", "HOME"),
		childEnv+"=secret-service", "HOME="+home, "XDG_RUNTIME_DIR="+runtimeDir,
		"XDG_DATA_HOME="+home+"/.local/share", "XDG_CONFIG_HOME="+home+"/.config")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.CombinedOutput()
	t.Logf("child output:\n%s", out)
	// gnome-keyring-daemon exits when the bus goes away; kill whatever of
	// ours is still in the group so the test never leaves a daemon behind.
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	if err != nil {
		t.Fatalf("secret-service child: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestSecretServiceChild") {
		t.Fatal("TestSecretServiceChild did not pass")
	}
}

func TestSecretServiceChild(t *testing.T) {
	if os.Getenv(childEnv) != "secret-service" {
		t.Skip("runs only inside TestSecretServiceUnderRealBus")
	}
	if got := dbusenv.SelectedBackend(); got != "secret-service" {
		t.Fatalf("default backend under a session bus = %q, want secret-service", got)
	}
	st, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	// keyring's own unlock waits forever; every call must be bounded.
	if _, ok := st.ring.(boundedRing); !ok {
		t.Fatalf("the secret-service store calls keyring as %T, without a time limit", st.ring)
	}
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	key := NewSessionKey("work", "serial")
	sess := Session{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}
	if err := st.SetSession(key, sess); err != nil {
		t.Fatal(err)
	}
	// Overwrite must replace, not duplicate.
	sess.SessionToken = "t2"
	if err := st.SetSession(key, sess); err != nil {
		t.Fatal(err)
	}
	got, err := st.Session(key)
	if err != nil || got.SessionToken != "t2" {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	if k, err := st.Keys("work"); err != nil || k.AccessKeyID != "AKIA" {
		t.Fatalf("Keys = %+v, %v", k, err)
	}
	if n, err := st.ClearSessions(""); err != nil || n != 1 {
		t.Fatalf("ClearSessions = %d, %v; want 1", n, err)
	}
	if err := st.RemoveKeys("work"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Keys("work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after RemoveKeys: %v", err)
	}
}

// TestKeyCtl uses the process keyring so nothing outlives the test. The
// kernel or a container's seccomp profile may refuse keyctl: then skip.
func TestKeyCtl(t *testing.T) {
	if _, err := Open(Config{Backend: "keyctl", KeyCtlScope: "galaxy"}); err == nil || !strings.Contains(err.Error(), "choose --keyring-backend file") {
		t.Errorf("keyctl with a bad scope: %v", err)
	}
	st, err := Open(Config{Backend: "keyctl", KeyCtlScope: "process"})
	if err != nil {
		t.Skip(err)
	}
	key := NewSessionKey("work", "x")
	if err := st.SetSession(key, testSession("a")); err != nil {
		t.Skip("keyctl refused a write: ", err)
	}
	mustSession(t, st, key, testSession("a"))
	if err := st.SetSession(key, testSession("b")); err != nil {
		t.Fatal(err)
	}
	mustSession(t, st, key, testSession("b"))
	if n, err := st.ClearSessions("work"); err != nil || n != 1 {
		t.Fatalf("ClearSessions = %d, %v", n, err)
	}
	if _, err := st.Session(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after clear: %v", err)
	}
}
