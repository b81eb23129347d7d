package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/process"
	"github.com/awsmfa/awsmfa/prompt"
)

// sessionOptions are the flags of every command that gets a session for a
// profile (process, export, exec), each with its AWSMFA_* variable.
type sessionOptions struct {
	Profile       string
	Prompt        string
	PromptTimeout time.Duration
	YkmanAccount  string
	Duration      time.Duration
	RefreshWindow time.Duration
	LockWait      time.Duration
	STSTimeout    time.Duration
	// runLimit is process.Options.RunLimit: set by the process command
	// only, since only a credential_process run is killed by its caller.
	runLimit time.Duration
}

// useServedProfile makes o.Profile the profile awsmfa serves for it (see
// servedProfileName), and takes the --duration of the credential_process
// line that serves it when neither --duration nor AWSMFA_DURATION chose
// one, so that commands other than process (export, exec, serve, login,
// rotate) share that line's session instead of asking for another code.
func (o *sessionOptions) useServedProfile(ctx context.Context, f *pflag.FlagSet) error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME")
	}
	served, d, err := servedProfileName(ctx, o.Profile)
	if err != nil {
		return err
	}
	o.Profile = served
	if d > 0 && !f.Changed("duration") && os.Getenv("AWSMFA_DURATION") == "" {
		o.Duration = d
	}
	return nil
}

// servedProfile is useServedProfile, also handing back the SDK clients of
// the served profile (login, rotate).
func (o *sessionOptions) servedProfile(ctx context.Context, f *pflag.FlagSet) (*awsClients, error) {
	if err := o.useServedProfile(ctx, f); err != nil {
		return nil, err
	}
	return newAWSClients(ctx, o.Profile, aws.Credentials{})
}

func (o *sessionOptions) addFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.Profile, "profile", "p", "", "profile to serve (required)")
	f.StringVar(&o.Prompt, "prompt", "auto", "how to ask for the MFA code: auto, gui, terminal or ykman (env AWSMFA_PROMPT); a profile's mfa_process wins")
	f.DurationVar(&o.PromptTimeout, "prompt-timeout", prompt.DefaultTimeout, "give up on a prompt not answered this long after awsmfa started, the wait for the next code window included: the Go SDKs kill a credential_process after 60s (env AWSMFA_PROMPT_TIMEOUT)")
	f.StringVar(&o.YkmanAccount, "ykman-account", "", "OATH account --prompt ykman reads; default: the profile's mfa_serial (env AWSMFA_YKMAN_ACCOUNT)")
	f.DurationVar(&o.Duration, "duration", process.DefaultDuration, "MFA session duration asked of STS, 15m to 36h; role sessions last duration_seconds, default and at most 1h when made with an MFA session (env AWSMFA_DURATION)")
	f.DurationVar(&o.RefreshWindow, "refresh-window", 0, "refresh a cached session that has less than this left; 0 means "+process.DefaultRefreshWindow.String()+", at most half of the session (env AWSMFA_REFRESH_WINDOW)")
	f.DurationVar(&o.LockWait, "lock-timeout", process.DefaultLockWait, "how long to wait for another awsmfa process that is refreshing the same session (env AWSMFA_LOCK_TIMEOUT)")
	setEnv(f, "prompt", "AWSMFA_PROMPT")
	setEnv(f, "prompt-timeout", "AWSMFA_PROMPT_TIMEOUT")
	setEnv(f, "ykman-account", "AWSMFA_YKMAN_ACCOUNT")
	setEnv(f, "duration", "AWSMFA_DURATION")
	setEnv(f, "refresh-window", "AWSMFA_REFRESH_WINDOW")
	setEnv(f, "lock-timeout", "AWSMFA_LOCK_TIMEOUT")
	f.DurationVar(&o.STSTimeout, "sts-timeout", process.DefaultSTSTimeout, "give up on an STS call (retries included) after this long (env AWSMFA_STS_TIMEOUT)")
	setEnv(f, "sts-timeout", "AWSMFA_STS_TIMEOUT")
}

// credentials gets the profile's session: from the cache, or by asking for
// a code. Nothing but diagnostics and waiting notes go to stderr.
func (o *sessionOptions) credentials(ctx context.Context, g *globalOptions, streams IOStreams, deps Deps) (cache.Session, error) {
	flow, err := o.flow(ctx, g, streams, deps)
	if err != nil {
		return cache.Session{}, err
	}
	return process.Credentials(ctx, flow)
}

// credentialsAndStore is credentials, also handing back the keyring it
// opened, for commands that go on to use it (rotate).
func (o *sessionOptions) credentialsAndStore(ctx context.Context, g *globalOptions, streams IOStreams, deps Deps) (cache.Session, *cache.Store, error) {
	flow, err := o.flow(ctx, g, streams, deps)
	if err != nil {
		return cache.Session{}, nil, err
	}
	store, ok := flow.Store.(*cache.Store)
	if !ok {
		return cache.Session{}, nil, fmt.Errorf("internal error: the credential flow's store is a %T", flow.Store)
	}
	sess, err := process.Credentials(ctx, flow)
	return sess, store, err
}

// flow sets up the credential flow for the profile (recursion guard,
// prompt, keyring) once; process.Credentials may then run it any number
// of times, as the credentials server does.
func (o *sessionOptions) flow(ctx context.Context, g *globalOptions, streams IOStreams, deps Deps) (process.Options, error) {
	if o.Profile == "" {
		return process.Options{}, fmt.Errorf("no profile given; pass --profile NAME")
	}
	chain, err := process.EnterChain(os.Getenv(process.ChainEnv), o.Profile)
	if err != nil {
		return process.Options{}, err
	}
	// Anything awsmfa starts from here on (a dialog, mfa_process) inherits it.
	if err := os.Setenv(process.ChainEnv, chain); err != nil {
		return process.Options{}, err
	}
	popts := prompt.Options{Timeout: o.PromptTimeout, YkmanAccount: o.YkmanAccount}
	prompter, err := deps.NewPrompter(o.Prompt, popts)
	if err != nil {
		return process.Options{}, err
	}
	store, err := g.openStore(ctx, prompter)
	if err != nil {
		return process.Options{}, err
	}
	// Notes can come from a timer goroutine while the flow writes debug
	// lines: one lock keeps their lines whole.
	diag := streams
	diag.ErrOut = &lockedWriter{w: streams.ErrOut}
	return process.Options{
		Profile:       o.Profile,
		Duration:      o.Duration,
		RefreshWindow: o.RefreshWindow,
		LockWait:      o.LockWait,
		STSTimeout:    o.STSTimeout,
		PromptTimeout: o.PromptTimeout,
		RunLimit:      o.runLimit,
		Store:         store,
		Prompter:      prompter,
		MFAProcess:    func(command string) prompt.Prompter { return prompt.NewCommand(command, popts) },
		Now:           deps.Now,
		Sleep:         deps.Sleep,
		Notef:         notef(diag),
		Debugf:        g.debugf(diag),
	}, nil
}

// notef returns the logger for notes a user should see: one line on stderr.
func notef(streams IOStreams) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(streams.ErrOut, "awsmfa: "+format+"\n", args...)
	}
}
