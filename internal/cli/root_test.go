package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/process"
)

// run executes awsmfa in-process with the given stdin and returns its
// streams and exit code.
func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	// Commands that serve a profile record it in the process environment
	// for their children; each in-process run starts from none.
	t.Setenv(process.ChainEnv, "")
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}, Deps{})
	return out.String(), errOut.String(), code
}

func TestErrorsAreOneLineOnStderr(t *testing.T) {
	stdout, stderr, code := run(t, "", "process")
	if code == 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want a failure with nothing on stdout", code, stdout)
	}
	if want := "awsmfa: no profile given; pass --profile NAME in the credential_process line\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

func TestEnvironmentSetsFlagDefaults(t *testing.T) {
	t.Setenv("AWSMFA_PROMPT", "carrier-pigeon")
	t.Setenv("AWSMFA_KEYRING_BACKEND", "file")
	_, stderr, code := run(t, "", "process", "--profile", "work")
	if code == 0 || !strings.Contains(stderr, `unknown prompt "carrier-pigeon"`) {
		t.Errorf("exit %d, stderr %q; want the env value to reach the flag", code, stderr)
	}
	// A flag on the command line wins over the environment.
	t.Setenv("AWSMFA_DURATION", "not-a-duration")
	_, stderr, code = run(t, "", "process", "--profile", "work", "--duration", "1h", "--prompt", "carrier-pigeon")
	if code == 0 || strings.Contains(stderr, "AWSMFA_DURATION") {
		t.Errorf("exit %d, stderr %q; the --duration flag should have won over AWSMFA_DURATION", code, stderr)
	}
	_, stderr, _ = run(t, "", "process", "--profile", "work")
	if !strings.Contains(stderr, `AWSMFA_DURATION="not-a-duration"`) {
		t.Errorf("stderr %q does not name the bad variable", stderr)
	}
}

func TestValidateKeys(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		keys cache.Keys
		want string // "" = valid
	}{
		{cache.Keys{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: secret}, ""},
		{cache.Keys{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: secret}, "temporary session key"},
		{cache.Keys{AccessKeyID: "akia-lowercase", SecretAccessKey: secret}, "does not look like one"},
		{cache.Keys{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: ""}, "empty or contains spaces"},
		{cache.Keys{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "two words"}, "empty or contains spaces"},
		{cache.Keys{AccessKeyID: secret, SecretAccessKey: "AKIAIOSFODNN7EXAMPLE"}, "not swapped"},
	} {
		err := validateKeys(tc.keys)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.keys.AccessKeyID, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.keys.AccessKeyID, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), tc.keys.AccessKeyID[min(4, len(tc.keys.AccessKeyID)):])) {
			t.Errorf("error repeats what was pasted: %v", err)
		}
	}
}

func TestAddReadsKeysFromStdinAndNeverEchoesTheSecret(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWSMFA_FILE_DIR", dir)
	t.Setenv("AWSMFA_FILE_PASSPHRASE", "pw")
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	stdout, stderr, code := run(t, "AKIAIOSFODNN7EXAMPLE\n"+secret+"\n", "add", "--profile", "work", "--keyring-backend", "file")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, secret) || strings.Contains(stdout+stderr, "AKIAIOSFODNN7EXAMPLE") {
		t.Errorf("output shows the key: %q %q", stdout, stderr)
	}
	store, err := cache.Open(cache.Config{Backend: "file", FileDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Keys("work")
	if err != nil || got.SecretAccessKey != secret || got.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
		t.Fatalf("stored %v, %v", got.AccessKeyID, err)
	}
}

// A command line that names a command builds only that command; its help,
// flags and completions must be what the whole tree gives it.
func TestOneCommandTreeMatchesTheWholeTree(t *testing.T) {
	for _, c := range subcommands {
		// Help goes to stderr: stdout is for credentials.
		_, alone, code := run(t, "", c.name, "--help")
		if code != 0 {
			t.Errorf("%s --help: exit %d", c.name, code)
		}
		_, whole, _ := run(t, "", "help", c.name)
		if alone != whole || alone == "" {
			t.Errorf("%s --help built alone differs from the whole tree's help:\n%s\n---\n%s", c.name, alone, whole)
		}
	}
	if got := newRootCmd(IOStreams{}, Deps{}, "process", "--profile", "work").Commands(); len(got) != 1 || got[0].Name() != "process" {
		t.Errorf("a process command line built %d commands, want only process", len(got))
	}
	if got := newRootCmd(IOStreams{}, Deps{}, "--debug", "process").Commands(); len(got) < len(subcommands) {
		t.Errorf("a line starting with a flag built %d commands, want the whole tree", len(got))
	}
}

func TestDemoSaysWhereTheCodeIsAsked(t *testing.T) {
	if got := demoAskLine("auto", nil); !strings.HasPrefix(got, "A dialog has opened") {
		t.Errorf("with a display: %q", got)
	}
	if got := demoAskLine("auto", errors.New("no display")); !strings.Contains(got, "on this terminal") {
		t.Errorf("without a display: %q", got)
	}
	if got := demoAskLine("terminal", nil); strings.Contains(got, "dialog") {
		t.Errorf("--prompt terminal: %q", got)
	}
}

func TestCobraSuggestionIsOneSentence(t *testing.T) {
	got := oneSentence("unknown command \"proces\" for \"awsmfa\"\n\nDid you mean this?\n\tprocess\n\tprofile\n")
	want := `unknown command "proces"; did you mean "process" or "profile"? Run awsmfa --help for the list.`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
