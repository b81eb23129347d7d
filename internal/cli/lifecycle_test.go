package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	root := newRootCmd(IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}, Deps{})
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Name() != "help" {
			seen++
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%q has no example in its --help", c.CommandPath())
			}
			if c.Short == "" {
				t.Errorf("%q has no short description", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if seen < 12 {
		t.Errorf("walked only %d commands", seen)
	}
}

func TestAwsmfaProfileReadsCredentialProcessLines(t *testing.T) {
	for line, want := range map[string]string{
		"awsmfa process --profile work":                                  "work",
		"awsmfa process -p work --duration 8h":                           "work",
		"/usr/local/bin/awsmfa process --profile=work":                   "work",
		`"C:\Program Files\awsmfa\awsmfa.exe" process -p=work`:           "work",
		"'/opt/my tools/awsmfa' process --prompt gui --profile team-dev": "team-dev",
		"awsmfa process": "",
	} {
		got, ok := awsmfaProfile(line)
		if !ok || got != want {
			t.Errorf("awsmfaProfile(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
	for _, line := range []string{"", "aws-vault export --format=json work", "awsmfa add --profile work", "notawsmfa process --profile x"} {
		if _, ok := awsmfaProfile(line); ok {
			t.Errorf("awsmfaProfile(%q) says it runs awsmfa process", line)
		}
	}
}

func TestSessionSummary(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	all := []cache.SessionInfo{
		{Key: cache.SessionKey{Profile: "a"}, Expiration: now.Add(90 * time.Minute)},
		{Key: cache.SessionKey{Profile: "a"}, Expiration: now.Add(-time.Hour)},
		{Key: cache.SessionKey{Profile: "b"}, Expiration: now.Add(-time.Hour)},
		{Key: cache.SessionKey{Profile: "c"}, Err: cache.ErrCorrupt},
	}
	for profile, want := range map[string]string{
		"a": "1h30m left",
		"b": "expired",
		"c": "unreadable (awsmfa clear --profile c)",
		"d": "none",
	} {
		if got := sessionSummary(all, profile, now); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want it to start with %q", profile, got, want)
		}
	}
	if got := sessionSummary(all, "a", now); !strings.HasSuffix(got, ", 2 cached") {
		t.Errorf("a: %q does not count both sessions", got)
	}
}

// stubEnv starts a stand-in answering STS and IAM, with a file keyring and
// an AWS config in a temporary directory.
func stubEnv(t *testing.T, users ...stsstub.User) *stsstub.Server {
	t.Helper()
	if len(users) == 0 {
		users = []stsstub.User{stsstub.DemoUser()}
	}
	srv, err := stsstub.Start(stsstub.Config{Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_STS":        srv.URL(),
		"AWS_ENDPOINT_URL_IAM":        srv.URL(),
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWSMFA_KEYRING_BACKEND":      "file",
		"AWSMFA_FILE_DIR":             filepath.Join(dir, "keyring"),
		"AWSMFA_FILE_PASSPHRASE":      "pw",
	} {
		t.Setenv(k, v)
	}
	return srv
}

func storeDemoKeys(t *testing.T, profile string) {
	t.Helper()
	u := stsstub.DemoUser()
	t.Setenv("AWS_ACCESS_KEY_ID", u.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", u.SecretAccessKey)
	if _, stderr, code := run(t, "", "add", "--profile", profile, "--env"); code != 0 {
		t.Fatalf("add: %s", stderr)
	}
}

// signalWriter records what is written and closes seen once it contains want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestEnrollCancelledDeletesTheDevice is Ctrl-C at the code prompt: the
// command's context ends while it waits for input that never comes.
func TestEnrollCancelledDeletesTheDevice(t *testing.T) {
	srv := stubEnv(t)
	storeDemoKeys(t, "work")
	stdin, stdinW := io.Pipe()
	defer stdinW.Close()
	stderr := &signalWriter{want: "Enter the code the app shows now", seen: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"mfa", "enroll", "--profile", "work", "--device-name", "phone"}, IOStreams{In: stdin, Out: io.Discard, ErrOut: stderr}, Deps{})
	}()
	select {
	case <-stderr.seen:
	case code := <-done:
		t.Fatalf("enroll ended (exit %d) before asking: %s", code, stderr)
	}
	const serial = "arn:aws:iam::123456789012:mfa/phone"
	if _, exists := srv.VirtualMFADevice(serial); !exists {
		t.Fatal("the device was not created before the question")
	}
	cancel()
	if code := <-done; code == 0 {
		t.Fatal("a cancelled enrolment exited 0")
	}
	if _, exists := srv.VirtualMFADevice(serial); exists {
		t.Error("the cancelled enrolment left its device behind")
	}
	out := stderr.String()
	for _, want := range []string{"Deleted the unassigned virtual MFA device " + serial, "awsmfa: MFA enrolment cancelled"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if srv.Calls("EnableMFADevice") != 0 {
		t.Error("EnableMFADevice was called")
	}
	if _, err := os.Stat(os.Getenv("AWS_CONFIG_FILE")); !os.IsNotExist(err) {
		t.Errorf("the config file was written: %v", err)
	}
}

func TestSetupWithoutAnyDeviceSuggestsEnrolment(t *testing.T) {
	user := stsstub.DemoUser()
	user.MFADevices = nil
	stubEnv(t, user)
	t.Setenv("AWS_SECRET_ACCESS_KEY", user.SecretAccessKey)
	stdout, stderr, code := run(t, "", "setup", "--profile", "work", "--access-key-id", user.AccessKeyID, "--secret-from-env")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "No MFA device is assigned to this IAM user yet; enrol one with: awsmfa mfa enroll --profile work") {
		t.Errorf("stdout:\n%s", stdout)
	}
	cfg, err := os.ReadFile(os.Getenv("AWS_CONFIG_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[profile work]\ncredential_process = awsmfa process --profile work\n"; string(cfg) != want {
		t.Errorf("config = %q, want %q", cfg, want)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{8 * time.Hour: "8h", 90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 36 * time.Hour: "36h", 15*time.Minute + 30*time.Second: "15m30s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
