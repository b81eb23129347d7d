package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// peerUnavailableError says aws-vault cannot use the backend under test:
// the comparison is reported as not measured and the run goes on. Every
// other failure of the comparison ends the run.
type peerUnavailableError struct{ reason string }

func (e *peerUnavailableError) Error() string { return e.reason }

// comparePeer times aws-vault's cache hit, `aws-vault export --format=json`
// served from the GetSessionToken session aws-vault caches in the keyring,
// against awsmfa's cache hit, alternately in one loop, on the backend under
// test. It runs only with a binary given on the command line; nothing is
// downloaded. It returns the Markdown line to print.
func comparePeer(o options, w *workspace, hit command) (string, error) {
	sts, err := interceptSTS(w.stub, w.dir)
	if err != nil {
		return "", err
	}
	defer sts.close()
	v, err := newAWSVault(o.awsVault, w, sts)
	if err != nil {
		return "", err
	}
	if err := v.opensBackend(); err != nil {
		return "", err
	}
	defer v.cleanUp()
	if err := v.add(); err != nil {
		return "", err
	}
	session, err := v.prime(w)
	if err != nil {
		return "", err
	}

	export := v.command("export", "--format=json", profile)
	export.check = func(stdout []byte) error {
		keyID, err := exportedSessionKeyID(stdout)
		if err == nil && keyID != session {
			err = errors.New("printed a session other than the one it cached: not a cache hit")
		}
		return err
	}
	before := w.stub.Calls("GetSessionToken")
	a, p, err := interleave(hit, export, o.runs)
	if err != nil {
		return "", fmt.Errorf("timing aws-vault's cache hit: %w", err)
	}
	if calls := w.stub.Calls("GetSessionToken") - before; calls != 0 {
		return "", fmt.Errorf("%d GetSessionToken calls reached the STS stand-in while cache hits were timed; want 0", calls)
	}

	line := fmt.Sprintf("aws-vault `export --format=json`, served from its session cached in the same backend, %d other session cached: %s vs awsmfa %s: ratio aws-vault / awsmfa = **%.2f×** (target ≥ 2×); GetSessionToken calls during the timed runs: 0.",
		w.others, ms(p.median), ms(a.median), float64(p.median)/float64(a.median))
	if w.backend != "secret-service" {
		line += " aws-vault ran with D-Bus switched off, like the floor: in the default environment each call starts a dbus-daemon that outlives it."
	}
	return line, nil
}

// awsVault runs an aws-vault binary inside the workspace: its own keyring
// directory and config file, the backend under test, D-Bus as the floor has
// it, and STS through the interception.
type awsVault struct {
	path    string
	backend string
	env     []string
}

func newAWSVault(path string, w *workspace, sts *stsInterception) (*awsVault, error) {
	dir := filepath.Join(w.dir, "aws-vault")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// mfa_process is this driver, reading the code off the stand-in's
	// device like the storm's bench prompt; aws-vault runs it only on a miss.
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	configFile := filepath.Join(dir, "config")
	config := fmt.Sprintf("[profile %s]\nregion = %s\nmfa_serial = %s\nmfa_process = %s -mfa-code-for %s\n",
		profile, region, stsstub.DemoMFASerial, shellQuote(self), stsstub.DemoMFASerial)
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return nil, err
	}
	env := slices.DeleteFunc(slices.Clone(w.floorEnv()), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "https_proxy" || name == "NO_PROXY" || name == "no_proxy"
	})
	env = append(env,
		"AWS_CONFIG_FILE="+configFile,
		"AWS_VAULT_BACKEND="+w.backend,
		"AWS_VAULT_FILE_DIR="+filepath.Join(dir, "keyring"),
		"AWS_VAULT_FILE_PASSPHRASE="+passphrase,
		// awsmfa's collection: creating aws-vault's own would need
		// gnome-keyring's prompter, which has no display here.
		"AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME=login",
	)
	return &awsVault{path: path, backend: w.backend, env: append(env, sts.env()...)}, nil
}

func (v *awsVault) command(args ...string) command {
	return command{path: v.path, args: args, env: v.env}
}

// output runs an aws-vault command that prints no secret.
func (v *awsVault) output(args ...string) (string, error) {
	cmd := exec.Command(v.path, args...)
	cmd.Env = v.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("aws-vault %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// opensBackend lists aws-vault's keyring, which opens the backend and does
// nothing else; with --debug the keyring library says why it cannot.
func (v *awsVault) opensBackend() error {
	cmd := exec.Command(v.path, "--debug", "list")
	cmd.Env = v.env
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	for line := range strings.Lines(string(out)) {
		if _, why, ok := strings.Cut(line, "[keyring] Failed backend "); ok {
			return &peerUnavailableError{fmt.Sprintf("aws-vault cannot open the %s backend: %s", v.backend, strings.TrimSpace(why))}
		}
	}
	return fmt.Errorf("aws-vault --debug list: %v: %s", err, strings.TrimSpace(string(out)))
}

// add stores the demo user's long-term keys, as `awsmfa add` did for awsmfa.
func (v *awsVault) add() error {
	cmd := exec.Command(v.path, "add", profile, "--env")
	cmd.Env = slices.Concat(v.env, []string{
		"AWS_ACCESS_KEY_ID=" + stsstub.DemoAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + stsstub.DemoSecretAccessKey,
	})
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("aws-vault add: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// prime has aws-vault fetch and cache its MFA session through the stand-in,
// as on a user's first call of the day, and returns the session's key ID.
func (v *awsVault) prime(w *workspace) (string, error) {
	w.clock.Advance(30 * time.Second) // a fresh TOTP step: each code is accepted once
	before := w.stub.Calls("GetSessionToken")
	export := v.command("export", "--format=json", profile)
	export.check = func(stdout []byte) error {
		_, err := exportedSessionKeyID(stdout)
		return err
	}
	_, out, err := export.run()
	if err != nil {
		return "", fmt.Errorf("priming aws-vault's session cache: %w", err)
	}
	if calls := w.stub.Calls("GetSessionToken") - before; calls != 1 {
		return "", fmt.Errorf("priming aws-vault's session cache made %d GetSessionToken calls to the STS stand-in, want 1", calls)
	}
	return exportedSessionKeyID(out)
}

// cleanUp removes what aws-vault stored: keyctl and secret-service items
// outlive the workspace's directory.
func (v *awsVault) cleanUp() {
	for _, args := range [][]string{{"clear", profile}, {"remove", "--force", profile}} {
		if _, err := v.output(args...); err != nil {
			fmt.Fprintln(os.Stderr, "driver: cleaning up after aws-vault:", err)
		}
	}
}

// exportedSessionKeyID returns the key ID of the session credentials
// `aws-vault export --format=json` printed. Long-term keys, which carry no
// session token, are an error: aws-vault did not use a session.
func exportedSessionKeyID(stdout []byte) (string, error) {
	var creds struct {
		Version         int
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
	}
	if err := json.Unmarshal(stdout, &creds); err != nil || creds.Version != 1 || creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return "", errors.New("printed something other than credential_process JSON")
	}
	if creds.SessionToken == "" {
		return "", errors.New("printed long-term keys, not a session")
	}
	return creds.AccessKeyID, nil
}

// shellQuote quotes s for /bin/sh, which runs aws-vault's mfa_process.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
