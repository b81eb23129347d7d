package tests

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// TestFaults runs testdata/faults: every way a refresh can go wrong, each
// asserting one actionable line on stderr, nothing on stdout, the keyring
// untouched and the next call recovering. Every awsmfa run there is followed
// by `failed` or `nosecrets`, and every script ends with `nosecrets files`.
func TestFaults(t *testing.T) {
	if err := becomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, faultParams(false))
}

// TestSecretHygiene runs the same scripts with --debug on (AWSMFA_DEBUG=1),
// so the scans also cover every diagnostic awsmfa prints.
func TestSecretHygiene(t *testing.T) {
	if err := becomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, faultParams(true))
}

type secretsKey struct{}

// secrets are the values no output but the credential JSON may contain.
type secrets struct {
	values   []string            // long-term secret, passphrase, issued session secrets and tokens
	preexist map[string]bool     // files the script archive wrote, not awsmfa
	started  time.Time           // when the script began, for the codes it may have used
	mfa      map[string]struct{} // TOTP secrets of the stand-in's devices
}

func faultParams(debug bool) testscript.Params {
	p := scriptParams("testdata/faults")
	p.Setup = func(env *testscript.Env) error {
		if err := setupScript(env); err != nil {
			return err
		}
		if debug {
			env.Setenv("AWSMFA_DEBUG", "1")
		}
		s := &secrets{
			values:   []string{env.Getenv("DEMO_SECRET"), env.Getenv("AWSMFA_FILE_PASSPHRASE")},
			preexist: map[string]bool{},
			started:  time.Now(),
			mfa:      map[string]struct{}{stsstub.DemoTOTPSecret: {}},
		}
		err := filepath.WalkDir(env.WorkDir, func(path string, d fs.DirEntry, err error) error {
			s.preexist[path] = true
			return err
		})
		env.Values[secretsKey{}] = s
		return err
	}
	p.Cmds["failed"] = cmdFailed
	p.Cmds["nosecrets"] = cmdNoSecrets
	p.Cmds["keyring-state"] = cmdKeyringState
	p.Cmds["waitfile"] = cmdWaitFile
	p.Cmds["onlypath"] = cmdOnlyPath
	p.Cmds["delay"] = cmdDelay
	p.Cmds["secretservice"] = cmdSecretService
	return p
}

// cmdFailed checks the last command's output the way a client shows a
// failure: nothing on stdout, exactly one line on stderr (besides --debug
// lines) saying "awsmfa: ...", and no secret anywhere.
func cmdFailed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: failed")
	}
	if out := ts.ReadFile("stdout"); out != "" {
		ts.Fatalf("stdout is not empty: %q", out)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(ts.ReadFile("stderr"), "\n"), "\n") {
		if !strings.HasPrefix(l, "awsmfa: debug: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "awsmfa: ") {
		ts.Fatalf("want one line \"awsmfa: ...\" on stderr, got %q", lines)
	}
	checkNoSecrets(ts, "stdout", ts.ReadFile("stdout"))
	checkNoSecrets(ts, "stderr", ts.ReadFile("stderr"))
}

// cmdNoSecrets scans the last command's output, or with "files" every file
// under $WORK that awsmfa wrote (which must also be 0600). "creds" accepts
// stdout holding exactly one credential_process JSON and remembers the
// session's secret and token, so that no later output may repeat them.
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: nosecrets [creds|files]")
	}
	s := ts.Value(secretsKey{}).(*secrets)
	switch {
	case len(args) == 1 && args[0] == "files":
		checkFiles(ts, s)
		return
	case len(args) == 1 && args[0] == "creds":
		var c struct {
			Version                                    int
			AccessKeyId, SecretAccessKey, SessionToken string //nolint:revive // wire format
			Expiration                                 string
		}
		out := ts.ReadFile("stdout")
		if err := json.Unmarshal([]byte(out), &c); err != nil || c.Version != 1 || c.SecretAccessKey == "" || strings.Count(out, "\n") != 1 {
			ts.Fatalf("stdout is not one credential_process JSON line: %q", out)
		}
		// Nothing but this session's own secrets may be in it.
		rest := strings.NewReplacer(c.SecretAccessKey, "", c.SessionToken, "").Replace(out)
		checkNoSecrets(ts, "stdout", rest)
		if !slices.Contains(s.values, c.SecretAccessKey) {
			s.values = append(s.values, c.SecretAccessKey, c.SessionToken)
		}
	case len(args) == 0:
		checkNoSecrets(ts, "stdout", ts.ReadFile("stdout"))
	default:
		ts.Fatalf("usage: nosecrets [creds|files]")
	}
	checkNoSecrets(ts, "stderr", ts.ReadFile("stderr"))
}

// checkNoSecrets fails if text holds a known secret or an MFA code the
// stand-in's devices showed since the script began.
func checkNoSecrets(ts *testscript.TestScript, where, text string) {
	s := ts.Value(secretsKey{}).(*secrets)
	for _, v := range s.values {
		if v != "" && strings.Contains(text, v) {
			ts.Fatalf("%s contains a secret (%d bytes, starting %q)", where, len(v), v[:min(4, len(v))])
		}
	}
	for _, code := range s.codes(ts) {
		if strings.Contains(text, code) {
			ts.Fatalf("%s contains MFA code %s", where, code)
		}
	}
}

// codes lists every code the devices showed from the script's start until
// now on the stand-in's clock (which scripts move forward).
func (s *secrets) codes(ts *testscript.TestScript) []string {
	now := ts.Value(clockKey{}).(*stsstub.ManualClock).Now()
	var codes []string
	for secret := range s.mfa {
		for t := s.started.Add(-30 * time.Second); !t.After(now.Add(30 * time.Second)); t = t.Add(30 * time.Second) {
			code, err := totp.GenerateCode(secret, t)
			ts.Check(err)
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
	}
	return codes
}

func checkFiles(ts *testscript.TestScript, s *secrets) {
	work := ts.Getenv("WORK")
	skip := map[string]bool{"prompts.log": true, "stdout": true, "stderr": true}
	n := 0
	err := filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || s.preexist[path] || skip[filepath.Base(path)] {
			return err
		}
		rel, _ := filepath.Rel(work, path)
		if top := strings.Split(rel, string(filepath.Separator))[0]; top != "home" && top != "cache" && top != "keyring" {
			return nil // the script's own scratch files
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().Type() == 0 && info.Mode().Perm() != 0o600 {
			ts.Fatalf("%s has mode %v, want 0600", rel, info.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checkNoSecrets(ts, rel, string(b))
		n++
		return nil
	})
	ts.Check(err)
	ts.Logf("nosecrets: scanned %d files awsmfa wrote", n)
}

// cmdKeyringState writes one line per file in $WORK/keyring (name, mode,
// SHA-256) to FILE, so `cmp` can prove a fault left the keyring untouched.
func cmdKeyringState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: keyring-state FILE")
	}
	dir := ts.MkAbs("keyring")
	entries, err := os.ReadDir(dir)
	ts.Check(err)
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		ts.Check(err)
		info, err := e.Info()
		ts.Check(err)
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s %v %s\n", e.Name(), info.Mode(), hex.EncodeToString(sum[:]))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o600))
}

// cmdWaitFile waits (up to 30 s) until PATH exists: a background process
// saying it reached a point, not a guess at how long that takes.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 30s", args[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cmdOnlyPath sets PATH to a fresh directory holding only the named
// programs (found on the current PATH): a machine without, say, zenity.
func cmdOnlyPath(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: onlypath PROG...")
	}
	dir := ts.MkAbs("onlypath")
	ts.Check(os.MkdirAll(dir, 0o755))
	for _, prog := range args {
		path, err := exec.LookPath(prog)
		ts.Check(err)
		ts.Check(os.Symlink(path, filepath.Join(dir, prog)))
	}
	ts.Setenv("PATH", dir)
}

// cmdDelay holds the next N calls of ACTION for DURATION on the stand-in.
func cmdDelay(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: delay ACTION N DURATION")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	d, err := time.ParseDuration(args[2])
	ts.Check(err)
	faultsOf(ts).DelayNext(args[0], n, d)
}
