//go:build linux

package tests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// TestClients runs every script in testdata/clients with every AWS client
// (AWS CLI v2 and v1, boto3 from Debian and from pip, the Go SDK v2, the
// JavaScript SDK v3) on every keyring backend that can run here. The clients
// run awsmfa exactly as a user's ~/.aws/config tells them to.
func TestClients(t *testing.T) {
	if err := becomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	clients := findClients(t)
	for _, backend := range []string{"file", "secret-service", "keyctl"} {
		for _, c := range clients {
			t.Run(backend+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				if c.missing != "" {
					testenv.Need(t, c.missing)
				}
				needBackend(t, backend)
				testscript.Run(t, clientParams(c, backend))
			})
		}
	}
}

// clientParams are scriptParams plus, for client c on the keyring backend
// (every script on file, keyringScripts on the others):
//
//   - $WORK/bin first on PATH, holding `client PROFILE [N]` (see client) and
//     an `awsmfa` that runs the real one and logs each run (see runsLog);
//   - $CLIENT and $PROFILE: the profile is "work", except on keyctl, whose
//     user keyring all processes of this user share, where it is unique to
//     the run; "$PROFILE" in home/.aws/config is replaced by it;
//   - the conditions [client:NAME], [sdk:botocore|go|js], [cli] and
//     [keyring:BACKEND];
//   - the commands runs, stub cap, xvfb, dialog and waitlines.
func clientParams(c client, backend string) testscript.Params {
	p := scriptParams("testdata/clients")
	if backend != "file" {
		p.Dir, p.Files = "", keyringScripts(c)
	}
	shared := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := shared(env); err != nil {
			return err
		}
		if err := installWrappers(env, c); err != nil {
			return err
		}
		profile := "work"
		switch backend {
		case "secret-service":
			if err := startSecretService(env); err != nil {
				return err
			}
		case "keyctl":
			profile = fmt.Sprintf("work-%d-%d", os.Getpid(), time.Now().UnixNano())
			useKeyctl(env, profile)
		}
		env.Setenv("PROFILE", profile)
		env.Setenv("CLIENT", c.name)
		return expandProfile(env, profile)
	}
	p.Condition = func(cond string) (bool, error) {
		switch kind, value, _ := strings.Cut(cond, ":"); kind {
		case "client":
			return value == c.name, nil
		case "sdk":
			return value == c.sdk, nil
		case "cli":
			return c.cli, nil
		case "keyring":
			return value == backend, nil
		}
		return condMissing(cond)
	}
	p.Cmds["runs"] = cmdRuns
	p.Cmds["stub"] = cmdStubWithCap
	p.Cmds["xvfb"] = cmdXvfb
	p.Cmds["dialog"] = cmdDialog
	p.Cmds["waitlines"] = cmdWaitLines
	return p
}

// keyringScripts are what client c runs on the keyrings other than file:
// the scripts whose outcome depends on the keyring. Prompts, failures and
// refresh rules do not, and run on file only.
func keyringScripts(c client) []string {
	files := []string{"testdata/clients/cold_warm.txtar"}
	if c.sdk == "go" {
		// Sixteen processes at once on one keyring; the Go client starts
		// fastest, and the others would add only their start-up time.
		files = append(files, "testdata/clients/parallel.txtar")
		// A server keeps the keyring open for as long as it runs.
		files = append(files, "testdata/clients/server.txtar")
	}
	return files
}

// runsLog is where $WORK/bin/awsmfa appends one line per run:
// "SUBCOMMAND exit=STATUS stdout=BYTES".
const runsLog = "awsmfa-runs.log"

// installWrappers writes $WORK/bin/client and $WORK/bin/awsmfa and puts
// them first on PATH, so the clients' credential_process line, unchanged
// from README's, runs the logging awsmfa.
func installWrappers(env *testscript.Env, c client) error {
	real, err := exec.LookPath("awsmfa") // testscript's, on the test's PATH
	if err != nil {
		return err
	}
	bin := filepath.Join(env.WorkDir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	// The output is kept in a file so that the log can say whether a failed
	// run printed anything on stdout (it must not).
	logging := fmt.Sprintf(`#!/bin/sh
out=$(mktemp %[1]s/awsmfa-stdout.XXXXXX) || exit 1
%[2]s "$@" >"$out"
rc=$?
cat "$out"
printf '%%s exit=%%d stdout=%%d\n' "$1" "$rc" "$(wc -c <"$out")" >>%[3]s
rm -f "$out"
exit "$rc"
`, filepath.Join(env.WorkDir, ".tmp"), real, filepath.Join(env.WorkDir, runsLog))
	if err := os.WriteFile(filepath.Join(bin, "awsmfa"), []byte(logging), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bin, "client"), []byte("#!/bin/sh\n"+c.script), 0o755); err != nil {
		return err
	}
	env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
	return nil
}

// expandProfile replaces "$PROFILE" in the script's AWS config.
func expandProfile(env *testscript.Env, profile string) error {
	path := filepath.Join(env.WorkDir, "home", ".aws", "config")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "$PROFILE", profile)), 0o600)
}

// cmdRuns checks how many times clients ran `awsmfa process` (runs N).
func cmdRuns(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: runs N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if f, err := os.Open(ts.MkAbs(runsLog)); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "process ") {
				got++
			}
		}
		f.Close()
	}
	if (got == want) == neg {
		ts.Fatalf("awsmfa process ran %d times, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdStubWithCap adds to the shared stub command:
//
//	stub cap DURATION   sessions issued from now on last at most DURATION (0: no cap)
//
// awsmfa, run by a script, tells time by the stand-in's clock; the clients
// use the real one, which is behind by what the script advanced (keep that
// well under a minute where a client's window is tested).
func cmdStubWithCap(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 2 && args[0] == "cap" {
		if neg {
			ts.Fatalf("stub cap cannot be negated")
		}
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		stubOf(ts).SetMaxSessionDuration(d)
		return
	}
	cmdStub(ts, neg, args)
}

// cmdWaitLines waits (up to a minute) for a long-running client's KEY_LOG:
//
//	waitlines FILE N            until FILE has N lines
//	waitlines FILE +N           until it has N more lines than now
//	waitlines FILE N distinct   until N of its lines differ
//
// so that a script moves the clock only once the client has got that far.
func cmdWaitLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 || (len(args) == 3 && args[2] != "distinct") {
		ts.Fatalf("usage: waitlines FILE [+]N [distinct]")
	}
	path := ts.MkAbs(args[0])
	distinct := len(args) == 3
	count := func() int {
		b, _ := os.ReadFile(path) // not there yet: no lines
		// Only whole lines: the client may be halfway through one.
		lines := strings.Split(string(b), "\n")
		lines = lines[:len(lines)-1]
		if distinct {
			seen := map[string]bool{}
			for _, l := range lines {
				seen[l] = true
			}
			return len(seen)
		}
		return len(lines)
	}
	want, err := strconv.Atoi(strings.TrimPrefix(args[1], "+"))
	ts.Check(err)
	if strings.HasPrefix(args[1], "+") {
		want += count()
	}
	deadline := time.Now().Add(time.Minute)
	for count() < want {
		if time.Now().After(deadline) {
			ts.Fatalf("%s has %d lines, not %d, after a minute", args[0], count(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
