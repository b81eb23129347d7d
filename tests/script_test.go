package tests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// Where a script's STS stand-in and its clock are kept in testscript's values.
type (
	stubKey   struct{}
	faultsKey struct{}
	clockKey  struct{}
)

func TestScripts(t *testing.T) {
	if err := becomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, scriptParams("testdata"))
}

// scriptParams are the settings every script suite here shares: a stand-in
// per script (setupScript), the [missing:PROG] condition and the custom
// commands. Another suite (its own test, its own directory) calls this and
// may add commands of its own to the returned Cmds.
func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:       dir,
		Setup:     setupScript,
		Condition: condMissing,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"stub":      cmdStub,
			"prompts":   cmdPrompts,
			"leftovers": cmdLeftovers,
			"clobber":   cmdClobber,
		},
	}
}

// setupScript gives every script its own STS stand-in on loopback, with a
// clock the script controls, a throwaway file keyring, and a HOME whose
// ~/.aws/config the script writes.
func setupScript(env *testscript.Env) error {
	user := stsstub.DemoUser()
	// The stand-in's clock starts at the real time, because awsmfa signs
	// requests with it, and moves only when a script says so.
	clock := stsstub.NewManualClock(time.Now().UTC().Truncate(time.Second))
	srv, faults, err := stsstub.StartForTests(stsstub.Config{
		Clock: clock,
		Users: []stsstub.User{user},
	})
	if err != nil {
		return err
	}
	env.Defer(func() { srv.Close() })
	// A script that unlocks its file keyring leaves no passphrase in the
	// kernel keyring behind, even when it fails.
	env.Defer(func() { _, _ = cache.LockFile(cache.Config{FileDir: filepath.Join(env.WorkDir, "keyring")}) })
	env.Values[stubKey{}] = srv
	env.Values[faultsKey{}] = faults
	env.Values[clockKey{}] = clock

	work := env.WorkDir
	home := filepath.Join(work, "home")
	for _, kv := range [][2]string{
		{"HOME", home},
		{"USERPROFILE", home},
		{"XDG_CACHE_HOME", filepath.Join(work, "cache")},
		{"AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config")},
		{"AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials")},
		{"AWS_ENDPOINT_URL_STS", srv.URL()},
		{"AWS_EC2_METADATA_DISABLED", "true"},
		{"AWSMFA_KEYRING_BACKEND", "file"},
		{"AWSMFA_FILE_DIR", filepath.Join(work, "keyring")},
		{"AWSMFA_FILE_PASSPHRASE", "test-passphrase"},
		{"AWSMFA_PROMPT", "script"},
		{"AWSMFA_TEST_ANSWERS", "valid"},
		{"AWSMFA_TEST_STUB_URL", srv.URL()},
		{"AWSMFA_TEST_PROMPT_LOG", filepath.Join(work, "prompts.log")},
		{"STUB_URL", srv.URL()},
		{"DEMO_SERIAL", firstSerial(user)},
		{"DEMO_KEY_ID", user.AccessKeyID},
		{"DEMO_SECRET", user.SecretAccessKey},
		{"AWSMFA_REQUIRE_ALL", os.Getenv("AWSMFA_REQUIRE_ALL")},
		// Where the script's awsmfa is: setup writes this absolute path.
		{"AWSMFA_BIN", awsmfaOnPath(env.Getenv("PATH"))},
	} {
		env.Setenv(kv[0], kv[1])
	}
	return os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
}

// awsmfaOnPath is the awsmfa that PATH finds, as an absolute path.
func awsmfaOnPath(path string) string {
	for _, dir := range filepath.SplitList(path) {
		name := filepath.Join(dir, "awsmfa")
		if fi, err := os.Stat(name); err == nil && !fi.IsDir() {
			if abs, err := filepath.Abs(name); err == nil {
				return abs
			}
			return name
		}
	}
	return "awsmfa"
}

func firstSerial(u stsstub.User) string {
	for serial := range u.MFADevices {
		return serial
	}
	return ""
}

func stubOf(ts *testscript.TestScript) *stsstub.Server {
	return ts.Value(stubKey{}).(*stsstub.Server)
}

// faultsOf is the fault plan of the script's stand-in.
func faultsOf(ts *testscript.TestScript) *stsstub.Faults {
	return ts.Value(faultsKey{}).(*stsstub.Faults)
}

// cmdStub drives and checks the script's STS stand-in:
//
//	stub code                          print the code the stand-in accepts now
//	stub advance DURATION              move the stand-in's clock forward
//	stub calls ACTION N                ACTION was called N times (any outcome)
//	stub ok ACTION N                   ACTION was carried out N times (its reply lost or not)
//	stub fail ACTION N STATUS CODE MSG the next N calls of ACTION fail so
//	stub lose-reply ACTION N STATUS CODE MSG
//	                                   the next N calls of ACTION run, but
//	                                   answer so instead of their reply
func cmdStub(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: stub code|advance|calls|ok|fail|lose-reply ...")
	}
	srv := stubOf(ts)
	if neg && args[0] != "calls" && args[0] != "ok" {
		ts.Fatalf("stub %s does something; it cannot be negated", args[0])
	}
	switch args[0] {
	case "code":
		code, err := srv.Code(ts.Getenv("DEMO_SERIAL"))
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), code)
	case "advance":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		ts.Value(clockKey{}).(*stsstub.ManualClock).Advance(d)
	case "calls", "ok":
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := srv.Calls(args[1])
		if args[0] == "ok" {
			got = srv.Succeeded(args[1])
		}
		if (got == want) == neg {
			ts.Fatalf("stub %s %s: got %d, want %s%d", args[0], args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	case "fail", "lose-reply":
		if len(args) < 5 {
			ts.Fatalf("usage: stub %s ACTION N STATUS CODE [MESSAGE...]", args[0])
		}
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		status, err := strconv.Atoi(args[3])
		ts.Check(err)
		inject := faultsOf(ts).FailNext
		if args[0] == "lose-reply" {
			inject = faultsOf(ts).LoseReplyNext
		}
		inject(args[1], n, status, args[4], strings.Join(args[5:], " "))
	default:
		ts.Fatalf("stub: unknown subcommand %q", args[0])
	}
}

// cmdPrompts checks how many times any awsmfa process asked for a code.
func cmdPrompts(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: prompts N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if f, err := os.Open(ts.Getenv("AWSMFA_TEST_PROMPT_LOG")); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			got++
		}
		f.Close()
	}
	if (got == want) == neg {
		ts.Fatalf("prompts: got %d, want %d", got, want)
	}
}

// condMissing is the script condition [missing:PROG]: true when PROG is not
// installed, so the script can skip; an error (failing the script) when
// AWSMFA_REQUIRE_ALL=1, since CI installs everything and a skip there is a bug.
func condMissing(cond string) (bool, error) {
	if cond == "nokeyctl" {
		// [nokeyctl]: the kernel keyring cannot remember a passphrase here.
		// A skip even under AWSMFA_REQUIRE_ALL=1, as for the keyctl
		// backend: whether the kernel or a container's seccomp profile
		// allows keyctl is not up to CI's packages.
		// A private directory: the file keyring refuses one others can
		// write, such as /tmp itself.
		dir, err := os.MkdirTemp("", "awsmfa-nokeyctl-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		state, err := cache.FileUnlock(cache.Config{FileDir: dir})
		if err != nil {
			return false, err
		}
		return state.CannotRemember != "", nil
	}
	prog, ok := strings.CutPrefix(cond, "missing:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(prog); err != nil {
		if os.Getenv("AWSMFA_REQUIRE_ALL") == "1" {
			return false, fmt.Errorf("%s is required (AWSMFA_REQUIRE_ALL=1): %v", prog, err)
		}
		return true, nil
	}
	return false, nil
}

// cmdClobber overwrites with garbage every file in DIR whose name contains
// SUBSTRING: a keyring item damaged by a crash or another program.
func cmdClobber(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: clobber DIR SUBSTRING")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	n := 0
	for _, e := range entries {
		if strings.Contains(e.Name(), args[1]) {
			ts.Check(os.WriteFile(filepath.Join(ts.MkAbs(args[0]), e.Name()), []byte("not a keyring item"), 0o600))
			n++
		}
	}
	if n == 0 {
		ts.Fatalf("clobber: no file in %s contains %q", args[0], args[1])
	}
}

// cmdLeftovers succeeds when a process named NAME... is still running among
// this test's descendants (so `! leftovers NAME` asserts none is), including orphans: TestMain makes the test a
// child subreaper, so a daemon that double-forks away from awsmfa lands here
// instead of at init. Other packages' tests, running at the same time, do not.
func cmdLeftovers(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: leftovers NAME...")
	}
	left := descendantsNamed(ts, args)
	if (len(left) > 0) == neg {
		ts.Fatalf("leftover processes: %v", left)
	}
}

// descendantsNamed lists the live descendants of this process whose name
// is one of names, as "name(pid)".
func descendantsNamed(ts *testscript.TestScript, names []string) []string {
	entries, err := os.ReadDir("/proc")
	ts.Check(err)
	parent := map[int]int{}
	comm := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...; comm may contain spaces, so split after ')'.
		s := string(stat)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[closing+1:])
		if open < 0 || closing < open || len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		parent[pid], comm[pid] = ppid, s[open+1:closing]
	}
	self := os.Getpid()
	var found []string
	for pid, name := range comm {
		if !slices.Contains(names, name) {
			continue
		}
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == self {
				found = append(found, fmt.Sprintf("%s(%d)", name, pid))
				break
			}
		}
	}
	return found
}
