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

	"github.com/awsmfa/awsmfa/cache"
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

func newExecCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &sessionOptions{}
	cmd := &cobra.Command{
		Use:   "exec --profile NAME -- COMMAND [ARG...]",
		Short: "Run a command with the profile's session in AWS_* variables",
		Long: `exec gets the profile's MFA (or role) session, from the cache or after asking
for a code, and runs COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION set, plus AWS_REGION and
AWS_DEFAULT_REGION when the profile sets a region. AWS_PROFILE is removed,
since SDKs would otherwise prefer the profile to the variables.

Signals sent to awsmfa (SIGTERM, SIGHUP, SIGINT, ...) are passed on to the
command, and awsmfa exits with the command's exit code (128+N when signal N
ended it). The variables do not renew: a command that outlives the session
should use credential_process instead. exec refuses to run inside another
awsmfa exec (AWSMFA_EXEC_PROFILE is set there).`,
		Example: `  awsmfa exec --profile work -- aws s3 ls
  awsmfa exec --profile admin-role -- terraform apply`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("no command given; usage: awsmfa exec --profile NAME -- COMMAND [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), g, o, args, streams, deps)
		},
	}
	// Flags after COMMAND belong to COMMAND, even without "--".
	cmd.Flags().SetInterspersed(false)
	o.addFlags(cmd.Flags())
	return cmd
}

func runExec(ctx context.Context, g *globalOptions, o *sessionOptions, args []string, streams IOStreams, deps Deps) error {
	if outer := os.Getenv(execMarkerEnv); outer != "" {
		return fmt.Errorf("already inside awsmfa exec for profile %q (%s is set); run the command directly, or leave that shell first", outer, execMarkerEnv)
	}
	// Look the command up before asking for a code that would go unused.
	path, err := exec.LookPath(args[0])
	if err != nil {
		return fmt.Errorf("cannot run %q: %v; check the command's name and PATH", args[0], errors.Unwrap(err))
	}
	outerChain := os.Getenv(process.ChainEnv)
	sess, err := o.credentials(ctx, g, streams, deps)
	if err != nil {
		return err
	}
	region, regionSet, err := process.Region(ctx, o.Profile)
	if err != nil {
		return err
	}
	if !regionSet {
		region = ""
	}

	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = streams.In, streams.Out, streams.ErrOut
	cmd.Env = childEnv(os.Environ(), sess, region, o.Profile, outerChain)
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

// childEnv is env with the session's variables set, every other source of
// AWS credentials (AWS_PROFILE above all) removed, the exec marker set and
// the recursion guard as it was before awsmfa: the command may well run
// awsmfa process for this same profile through some other profile.
func childEnv(env []string, sess cache.Session, region, profileName, outerChain string) []string {
	drop := []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", process.ChainEnv, execMarkerEnv}
	set := sessionEnv(sess, region)
	for _, kv := range set {
		drop = append(drop, kv[0])
	}
	out := make([]string, 0, len(env)+len(set)+2)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !containsFold(drop, name) {
			out = append(out, kv)
		}
	}
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
