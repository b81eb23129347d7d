package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/process"
	"github.com/awsmfa/awsmfa/prompt"
)

type processOptions struct {
	Profile       string
	Prompt        string
	PromptTimeout time.Duration
	Duration      time.Duration
	RefreshWindow time.Duration
	LockWait      time.Duration
}

func newProcessCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &processOptions{}
	cmd := &cobra.Command{
		Use:   "process --profile NAME",
		Short: "Print MFA session credentials for a profile as credential_process JSON",
		Long: `process is what AWS clients run through credential_process. It prints the
cached session for the profile as JSON on stdout and nothing else. When the
cache is empty or the session has less than --refresh-window left, it asks
for the MFA code, calls sts:GetSessionToken with the stored long-term keys,
caches the new session in the keyring and prints it. Many processes started
at once share one dialog and one STS call.`,
		Example: `  # ~/.aws/config
  [profile work]
  mfa_serial = arn:aws:iam::123456789012:mfa/alice
  credential_process = awsmfa process --profile work`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProcess(cmd.Context(), g, o, streams, deps)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Profile, "profile", "p", "", "profile to serve (required)")
	f.StringVar(&o.Prompt, "prompt", "auto", "how to ask for the MFA code: auto, gui or terminal (env AWSMFA_PROMPT)")
	f.DurationVar(&o.PromptTimeout, "prompt-timeout", prompt.DefaultTimeout, "give up on an unanswered prompt after this long (env AWSMFA_PROMPT_TIMEOUT)")
	f.DurationVar(&o.Duration, "duration", process.DefaultDuration, "session duration asked of STS, 15m to 36h (env AWSMFA_DURATION)")
	f.DurationVar(&o.RefreshWindow, "refresh-window", 0, "refresh a cached session that has less than this left; 0 means "+process.DefaultRefreshWindow.String()+", at most half of --duration (env AWSMFA_REFRESH_WINDOW)")
	f.DurationVar(&o.LockWait, "lock-timeout", process.DefaultLockWait, "how long to wait for another awsmfa process that is refreshing the same session (env AWSMFA_LOCK_TIMEOUT)")
	setEnv(f, "prompt", "AWSMFA_PROMPT")
	setEnv(f, "prompt-timeout", "AWSMFA_PROMPT_TIMEOUT")
	setEnv(f, "duration", "AWSMFA_DURATION")
	setEnv(f, "refresh-window", "AWSMFA_REFRESH_WINDOW")
	setEnv(f, "lock-timeout", "AWSMFA_LOCK_TIMEOUT")
	return cmd
}

func runProcess(ctx context.Context, g *globalOptions, o *processOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return fmt.Errorf("no profile given; pass --profile NAME in the credential_process line")
	}
	chain, err := process.EnterChain(os.Getenv(process.ChainEnv), o.Profile)
	if err != nil {
		return err
	}
	// Anything awsmfa starts from here on (a dialog, a code helper) inherits it.
	if err := os.Setenv(process.ChainEnv, chain); err != nil {
		return err
	}
	prompter, err := deps.NewPrompter(o.Prompt, prompt.Options{Timeout: o.PromptTimeout})
	if err != nil {
		return err
	}
	store, err := g.openStore(ctx, prompter)
	if err != nil {
		return err
	}
	sess, err := process.Credentials(ctx, process.Options{
		Profile:       o.Profile,
		Duration:      o.Duration,
		RefreshWindow: o.RefreshWindow,
		LockWait:      o.LockWait,
		Store:         store,
		Prompter:      prompter,
		Debugf:        g.debugf(streams),
	})
	if err != nil {
		return err
	}
	return process.WriteJSON(streams.Out, sess)
}
