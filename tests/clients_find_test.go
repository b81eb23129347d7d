//go:build linux

package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// client is one AWS client of the matrix. Every script in testdata/clients
// runs it as `client PROFILE [N]`: N sts:GetCallerIdentity calls (default 1)
// printing the caller's ARN once per call. An SDK makes the N calls in one
// process, as an application does; a CLI runs once per call, as a shell
// script does. PROFILE "-" names no profile: the client's default chain
// finds the credentials (from a server awsmfa exec --server started).
//
// The SDK clients also run as long-running programs: with CALLS_UNTIL=FILE
// they keep calling until FILE exists, and with KEY_LOG=FILE they append,
// after each call, the access key ID their credentials cache then holds.
type client struct {
	name string // in test names and the condition [client:NAME]
	// sdk is the library that runs credential_process: botocore, go or js
	// (the condition [sdk:NAME]).
	sdk string
	cli bool // the AWS CLI: one process per call (the condition [cli])
	// script is the body of $WORK/bin/client; "$@" are PROFILE [N].
	script string
	// missing says why the client cannot run here; empty when it can.
	missing string
}

// findClients locates every client of the matrix and builds the Go one.
func findClients(t *testing.T) []client {
	return []client{
		awsCLIv2(),
		awsCLIv1(),
		boto3Client("boto3-debian", "/usr/bin/python3"),
		boto3Client("boto3-pip", pyenvWhich("python3")),
		goClient(t),
		jsClient(),
	}
}

// eachCall runs cmd once per call; "$@" in cmd is "--profile PROFILE", or
// nothing for "-".
const eachCall = `profile=$1 n=${2:-1} i=0
set --
[ "$profile" = - ] || set -- --profile "$profile"
while [ "$i" -lt "$n" ]; do
	%s || exit
	i=$((i+1))
done
`

// awsCLIv2 is Debian's awscli package. Its version (2.9) predates
// AWS_ENDPOINT_URL_STS, so the stand-in is passed with --endpoint-url.
func awsCLIv2() client {
	c := client{name: "aws-cli-v2", sdk: "botocore", cli: true}
	const bin = "/usr/bin/aws"
	if err := checkOutput(bin, []string{"--version"}, "aws-cli/2."); err != nil {
		c.missing = "the AWS CLI v2 (Debian's awscli at " + bin + ") is not usable: " + err.Error()
		return c
	}
	c.script = fmt.Sprintf(eachCall, bin+` sts get-caller-identity "$@" --endpoint-url "$AWS_ENDPOINT_URL_STS" --query Arn --output text`)
	return c
}

// awsCLIv1 is the pip-installed AWS CLI v1 under pyenv; its botocore reads
// AWS_ENDPOINT_URL_STS like the current SDKs.
func awsCLIv1() client {
	c := client{name: "aws-cli-v1", sdk: "botocore", cli: true}
	bin := pyenvWhich("aws")
	if err := checkOutput(bin, []string{"--version"}, "aws-cli/1."); err != nil {
		c.missing = "the AWS CLI v1 (pip, under pyenv) is not usable: " + err.Error()
		return c
	}
	c.script = fmt.Sprintf(eachCall, bin+` sts get-caller-identity "$@" --query Arn --output text`)
	return c
}

func boto3Client(name, python string) client {
	c := client{name: name, sdk: "botocore"}
	if err := checkOutput(python, []string{"-c", "import boto3; print('boto3', boto3.__version__)"}, "boto3 "); err != nil {
		c.missing = fmt.Sprintf("boto3 for %s is not usable (Debian: apt-get install python3-boto3): %v", python, err)
		return c
	}
	script, err := filepath.Abs(filepath.Join("clients", "python", "getcalleridentity.py"))
	if err != nil {
		c.missing = err.Error()
		return c
	}
	c.script = fmt.Sprintf("exec %s %s \"$@\"\n", python, script)
	return c
}

// goClient builds clients/goclient once per test run.
func goClient(t *testing.T) client {
	c := client{name: "go-sdk-v2", sdk: "go"}
	gobin, err := exec.LookPath("go")
	if err != nil {
		c.missing = "the go command is not on PATH to build the Go SDK client"
		return c
	}
	bin := filepath.Join(t.TempDir(), "goclient")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "./clients/goclient").CombinedOutput(); err != nil {
		t.Fatalf("building the Go SDK client: %v\n%s", err, out)
	}
	c.script = fmt.Sprintf("exec %s \"$@\"\n", bin)
	return c
}

// jsClient needs `npm ci` in clients/js, which .ci/run does.
func jsClient() client {
	c := client{name: "js-sdk-v3", sdk: "js"}
	dir, err := filepath.Abs(filepath.Join("clients", "js"))
	if err != nil {
		c.missing = err.Error()
		return c
	}
	if err := checkOutput("node", []string{"--version"}, "v"); err != nil {
		c.missing = "node is not usable: " + err.Error()
		return c
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-sts")); err != nil {
		c.missing = "the JavaScript SDK is not installed: run `npm ci` in tests/clients/js"
		return c
	}
	c.script = fmt.Sprintf("exec node %s \"$@\"\n", filepath.Join(dir, "getcalleridentity.mjs"))
	return c
}

// pyenvWhich finds the pyenv-managed program the pyenv shim would run; it
// returns the bare name (which then fails checkOutput) without pyenv.
func pyenvWhich(name string) string {
	out, err := exec.Command("pyenv", "which", name).Output()
	if err != nil {
		return name
	}
	return strings.TrimSpace(string(out))
}

// checkOutput runs bin args and wants prefix at the start of its output.
func checkOutput(bin string, args []string, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", bin, strings.Join(args, " "), err, bytesHead(out))
	}
	if !strings.HasPrefix(string(out), prefix) {
		return fmt.Errorf("%s %s printed %q, want %q...", bin, strings.Join(args, " "), bytesHead(out), prefix)
	}
	return nil
}

func bytesHead(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
