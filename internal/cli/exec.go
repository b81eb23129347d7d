package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/credserver"
	"github.com/awsmfa/awsmfa/internal/secretenv"
	"github.com/awsmfa/awsmfa/process"
)

// execMarkerEnv is set for the command awsmfa exec runs: an awsmfa exec
// inside it would only hide which credentials are in use.
const execMarkerEnv = "AWSMFA_EXEC_PROFILE"

// exitCodeError ends awsmfa with the exit code of the command exec ran,
// without a message of its own: the command has said what it had to say.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string {
	return fmt.Sprintf("the command exited with status %d", e.code)
}

type execOptions struct {
	sessionOptions
	Server bool
}

func newExecCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &execOptions{}
	cmd := &cobra.Command{
		Use:   "exec [--server] --profile NAME -- COMMAND [ARG...]",
		Short: "Run a command with the profile's session in AWS_* variables, or (--server) from a local server that renews it",
		Long: `exec gets the profile's MFA (or role) session, from the cache or after asking
for a code, and runs COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION set, plus AWS_REGION and
AWS_DEFAULT_REGION when the profile sets a region. AWS_PROFILE is removed,
since SDKs would otherwise prefer the profile to the variables.

Signals sent to awsmfa (SIGTERM, SIGHUP, SIGINT, ...) are passed on to the
command, and awsmfa exits with the command's exit code (128+N when signal N
ended it). The variables do not renew: a command that outlives the session
should use credential_process or --server. exec refuses to run inside
another awsmfa exec (AWSMFA_EXEC_PROFILE is set there).

With --server, exec instead starts a credentials server on 127.0.0.1 (what
awsmfa serve runs) and gives COMMAND only AWS_CONTAINER_CREDENTIALS_FULL_URI
and AWS_CONTAINER_AUTHORIZATION_TOKEN, which every AWS SDK reads: no keys, no
AWS_PROFILE. The server gets the session before COMMAND starts (asking for
the code then) and renews it in the background before it runs out, so a
notebook, a dev server or a container (docker run --network host -e
AWS_CONTAINER_CREDENTIALS_FULL_URI -e AWS_CONTAINER_AUTHORIZATION_TOKEN ...)
can run all day. The server stops when COMMAND ends. A [default] profile
with credentials of its own still wins over the server in SDKs that read
~/.aws/config.`,
		Example: `  awsmfa exec --profile work -- aws s3 ls
  awsmfa exec --profile admin-role -- terraform apply
  awsmfa exec --server --profile work -- jupyter lab`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("no command given; usage: awsmfa exec --profile NAME -- COMMAND [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), g, o, cmd.Flags(), args, streams, deps)
		},
	}
	// Flags after COMMAND belong to COMMAND, even without "--".
	cmd.Flags().SetInterspersed(false)
	o.addFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.Server, "server", false, "serve the session to COMMAND from a local credentials server that renews it, instead of in AWS_* key variables")
	return cmd
}

func runExec(ctx context.Context, g *globalOptions, o *execOptions, flags *pflag.FlagSet, args []string, streams IOStreams, deps Deps) error {
	if outer := os.Getenv(execMarkerEnv); outer != "" {
		return fmt.Errorf("already inside awsmfa exec for profile %q (%s is set); run the command directly, or leave that shell first", outer, execMarkerEnv)
	}
	// Look the command up before asking for a code that would go unused.
	path, err := exec.LookPath(args[0])
	if err != nil {
		return fmt.Errorf("cannot run %q: %v; check the command's name and PATH", args[0], errors.Unwrap(err))
	}
	// The region and the marker are the profile's the user named; the
	// session is the one its credential_process line caches.
	asked := o.Profile
	if err := o.useServedProfile(ctx, flags); err != nil {
		return err
	}
	outerChain := os.Getenv(process.ChainEnv)
	var srv *credserver.Server
	var sess cache.Session
	if o.Server {
		if srv, err = o.startServer(ctx, g, streams, deps, defaultListen); err != nil {
			return err
		}
		defer srv.Close()
	} else if sess, err = o.credentials(ctx, g, streams, deps); err != nil {
		return err
	}
	region, regionSet, err := process.Region(ctx, asked)
	if err != nil {
		return err
	}
	if !regionSet {
		region = ""
	}
	set := sessionEnv(sess, region)
	if srv != nil {
		set = serverEnv(srv, region)
	}

	cmd := secretenv.Command(context.Background(), path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = streams.In, streams.Out, streams.ErrOut
	cmd.Env = childEnv(os.Environ(), set, asked, outerChain)
	// Catch signals before the start, so that none can end awsmfa and
	// leave the command running without it.
	signals := catchSignals()
	defer signal.Stop(signals)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %q: %w", args[0], err)
	}
	done := make(chan struct{})
	go forwardSignals(signals, cmd.Process, done)
	err = cmd.Wait()
	close(done)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return fmt.Errorf("running %q: %w", args[0], err)
	}
	if code := exitStatus(cmd.ProcessState); code != 0 {
		return &exitCodeError{code: code}
	}
	return nil
}

// credentialEnv are the variables through which SDKs find credentials
// other than the ones exec sets: none of them may reach the command, or it
// would use those instead (AWS_PROFILE above all: SDKs prefer a profile to
// the key variables, and web identity and keys to a credentials server).
var credentialEnv = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
}

// childEnv is env with the variables set, every other source of AWS
// credentials and awsmfa's secret-bearing variables (the keyring
// passphrase) removed, the exec marker set and the recursion guard as it
// was before awsmfa: the command may well run awsmfa process for this same
// profile through some other profile.
func childEnv(env []string, set [][2]string, profileName, outerChain string) []string {
	drop := append([]string{process.ChainEnv, execMarkerEnv}, credentialEnv...)
	for _, kv := range set {
		drop = append(drop, kv[0])
	}
	out := secretenv.Without(env, func(name string) bool {
		return containsFold(drop, name) || secretenv.IsSecret(name)
	})
	for _, kv := range set {
		out = append(out, kv[0]+"="+kv[1])
	}
	out = append(out, execMarkerEnv+"="+profileName)
	if outerChain != "" {
		out = append(out, process.ChainEnv+"="+outerChain)
	}
	return out
}

// containsFold compares names case-insensitively, as Windows does.
func containsFold(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
