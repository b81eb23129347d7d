package cli

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/process"
)

type setupOptions struct {
	Profile       string
	AccessKeyID   string
	SecretFromEnv bool
	MFASerial     string
	Region        string
	Duration      time.Duration
	Force         bool
}

func newSetupCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &setupOptions{}
	cmd := &cobra.Command{
		Use:   "setup --profile NAME [flags]",
		Short: "Store a profile's keys and write its awsmfa stanza into the AWS config",
		Long: `setup makes a profile use awsmfa without hand-editing: it stores the IAM
user's long-term access key in the keyring, finds the MFA device with
iam:ListMFADevices when --mfa-serial is not given (one device: that one;
several: it asks; none: it says how to enrol one), and writes mfa_serial,
credential_process and region into the profile in the AWS config file. The
rest of the file (comments, order, other profiles) is left as it was, a
backup is kept next to it, and the new file replaces the old atomically.

Whatever the flags leave out is asked on the terminal: the access key id and
the secret (without echo), and which device to use. Keys already stored for
the profile are kept unless --access-key-id is given; new keys drop the cached
sessions of the profile and of the role profiles that use it.`,
		Example: `  awsmfa setup --profile work
  AWS_SECRET_ACCESS_KEY=... awsmfa setup --profile work --access-key-id AKIA... --secret-from-env \
      --mfa-serial arn:aws:iam::123456789012:mfa/alice --region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSetup(cmd.Context(), g, o, streams, deps)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Profile, "profile", "p", "", "profile to set up (required)")
	f.StringVar(&o.AccessKeyID, "access-key-id", "", "the IAM user's access key id (AKIA...); the secret comes from stdin or --secret-from-env")
	f.BoolVar(&o.SecretFromEnv, "secret-from-env", false, "take the secret access key from AWS_SECRET_ACCESS_KEY")
	f.StringVar(&o.MFASerial, "mfa-serial", "", "ARN of the MFA device (default: found with iam:ListMFADevices)")
	f.StringVar(&o.Region, "region", "", "region to write into the profile")
	f.DurationVar(&o.Duration, "duration", 0, "session duration to put in the credential_process line (default: awsmfa process's own, "+process.DefaultDuration.String()+")")
	f.BoolVar(&o.Force, "force", false, "replace a credential_process line that runs another program")
	return cmd
}

func runSetup(ctx context.Context, g *globalOptions, o *setupOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME")
	}
	if o.Duration != 0 && (o.Duration < process.MinDuration || o.Duration > process.MaxDuration) {
		return fmt.Errorf("--duration %v is outside STS's limits; choose between %v and %v", o.Duration, process.MinDuration, process.MaxDuration)
	}
	if o.SecretFromEnv && o.AccessKeyID == "" {
		return errors.New("--secret-from-env needs --access-key-id as well")
	}
	var extra []string
	if o.Duration != 0 {
		extra = []string{"--duration", shortDuration(o.Duration)}
	}
	// Before any question or keyring write: a name no line can carry
	// safely. The line names this binary the way clients will find it.
	command, why := awsmfaCommand()
	line, err := credentialProcessLine(command, o.Profile, extra...)
	if err != nil {
		return err
	}
	cfgPath, cfg, credPath, creds, err := loadSharedFiles()
	if err != nil {
		return fmt.Errorf("%w; awsmfa does not rewrite a file it cannot read", err)
	}
	if err := checkLayout(o, cfg, cfgPath, creds, credPath); err != nil {
		return err
	}

	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	q := newQuestions(streams)
	keys, isNew, err := setupKeys(ctx, o, store, q)
	if err != nil {
		return err
	}

	serial := o.MFASerial
	if serial == "" {
		serial, _ = cfg.Get(o.Profile, "mfa_serial")
	}
	if serial == "" {
		// Asking IAM also tests new keys: if it fails, the keys stored
		// before (perhaps working ones) stay.
		if serial, err = discoverSerial(ctx, o.Profile, keys, q, streams); err != nil {
			return err
		}
	}
	if isNew {
		if err := store.SetKeys(o.Profile, keys); cache.IsUnlockError(err) {
			return err
		} else if err != nil {
			return fmt.Errorf("storing keys for profile %q in the %s keyring: %w", o.Profile, store.Backend(), err)
		}
		users := profilesUsing(streams, o.Profile)
		if err := clearSessionsOf(store, users); err != nil {
			return fmt.Errorf("keys stored, but %w", err)
		}
		fmt.Fprintf(streams.ErrOut, "Stored access key %s for profile %q in the %s keyring; its cached sessions%s were dropped.\n",
			keys.MaskedID(), o.Profile, store.Backend(), andThoseOf(users))
	}

	if why != "" {
		fmt.Fprintf(streams.ErrOut, "Note: %s.\n", why)
	}
	settings := [][2]string{{"credential_process", line}}
	if serial != "" {
		settings = append(settings, [2]string{"mfa_serial", serial})
	}
	if o.Region != "" {
		settings = append(settings, [2]string{"region", o.Region})
	}
	// The questions and IAM calls took a while: edit the file as it is now,
	// not as it was read at the start, so no change made meanwhile is lost.
	if cfgPath, cfg, err = loadConfigFile(); err != nil {
		return fmt.Errorf("%w; awsmfa does not rewrite a file it cannot read", err)
	}
	if err := checkLayout(o, cfg, cfgPath, creds, credPath); err != nil {
		return err
	}
	for _, kv := range settings {
		if err := cfg.Set(o.Profile, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if err := cfg.Save(cfgPath); err != nil {
		return fmt.Errorf("writing profile %q: %w", o.Profile, err)
	}
	fmt.Fprintf(streams.Out, "Profile %q in %s:\n", o.Profile, cfgPath)
	for _, kv := range settings {
		fmt.Fprintf(streams.Out, "  %s = %s\n", kv[0], kv[1])
	}
	if b := cfg.LastBackup(); b != "" {
		fmt.Fprintf(streams.Out, "The previous file is kept as %s.\n", b)
	}
	if serial == "" {
		fmt.Fprintf(streams.Out, "No MFA device is assigned to this IAM user yet; enrol one with: awsmfa mfa enroll --profile %s\n", o.Profile)
		return nil
	}
	fmt.Fprintf(streams.Out, "Ready: aws sts get-caller-identity --profile %s asks for an MFA code once, then uses the cached session.\n", o.Profile)
	if store.Backend() == "file" {
		if state, err := cache.FileUnlock(cache.Config{}); err == nil {
			fmt.Fprintln(streams.Out, describeFileUnlock(state))
		}
	}
	return nil
}

// checkLayout refuses profiles where clients would not run awsmfa, or
// where awsmfa's line would replace another program's.
func checkLayout(o *setupOptions, cfg *awsconfig.File, cfgPath string, creds *awsconfig.File, credPath string) error {
	p := o.Profile
	if _, ok := creds.Get(p, "aws_access_key_id"); ok {
		return fmt.Errorf("%s has aws_access_key_id for profile %q: every AWS client would use those keys instead of awsmfa; remove the [%s] section from %s (setup stores the keys in the keyring instead), then run setup again", credPath, p, p, credPath)
	}
	for _, key := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} {
		if _, ok := cfg.Get(p, key); ok {
			return fmt.Errorf("profile %q in %s has %s: clients would use it instead of awsmfa; delete that line (setup stores the keys in the keyring), then run setup again", p, cfgPath, key)
		}
	}
	for _, key := range []string{"role_arn", "source_profile", "credential_source", "sso_session", "sso_start_url", "web_identity_token_file"} {
		if _, ok := cfg.Get(p, key); ok {
			return fmt.Errorf("profile %q in %s has %s, so clients get its credentials another way; run setup for a profile of its own that holds only the IAM user's keys (and point role profiles at that one)", p, cfgPath, key)
		}
	}
	if line, ok := cfg.Get(p, "credential_process"); ok && !o.Force {
		if _, isAwsmfa := awsmfaProfile(line); !isAwsmfa {
			return fmt.Errorf("profile %q already runs another credential_process (%s); pass --force to replace it with awsmfa", p, line)
		}
	}
	return nil
}

// setupKeys returns the keys given or asked for (isNew: the caller stores
// them once they are known to work), or the ones already stored.
func setupKeys(ctx context.Context, o *setupOptions, store *cache.Store, q *questions) (keys cache.Keys, isNew bool, err error) {
	keys = cache.Keys{AccessKeyID: o.AccessKeyID}
	if keys.AccessKeyID == "" {
		stored, err := store.Keys(o.Profile)
		if err == nil {
			fmt.Fprintf(q.out, "Using the access key %s already stored for profile %q.\n", stored.MaskedID(), o.Profile)
			return stored, false, nil
		}
		if cache.IsUnlockError(err) {
			return cache.Keys{}, false, err
		}
		if !errors.Is(err, cache.ErrNotFound) {
			return cache.Keys{}, false, fmt.Errorf("reading the stored keys of profile %q: %w", o.Profile, err)
		}
		if keys.AccessKeyID, err = q.ask(ctx, "AWS access key id (AKIA...): "); err != nil {
			return cache.Keys{}, false, fmt.Errorf("reading the access key id: %w; pass --access-key-id", err)
		}
	}
	if o.SecretFromEnv {
		keys.SecretAccessKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
		if keys.SecretAccessKey == "" {
			return cache.Keys{}, false, errors.New("--secret-from-env: AWS_SECRET_ACCESS_KEY is empty; set it or leave out --secret-from-env to type the secret")
		}
	} else if keys.SecretAccessKey, err = q.secret(ctx, "AWS secret access key: "); err != nil {
		return cache.Keys{}, false, fmt.Errorf("reading the secret access key: %w; pass it on stdin or use --secret-from-env", err)
	}
	if err := validateKeys(keys); err != nil {
		return cache.Keys{}, false, err
	}
	return keys, true, nil
}

// discoverSerial asks IAM which MFA devices the keys' user has: one is
// used, several are offered, none returns "".
func discoverSerial(ctx context.Context, profile string, keys cache.Keys, q *questions, streams IOStreams) (string, error) {
	client, err := iamClient(ctx, profile, keys)
	if err != nil {
		return "", err
	}
	devices, err := listMFADevices(ctx, client, "")
	if err != nil {
		// The keys just typed are kept: IAM may be out of reach (a proxy,
		// a policy that denies iam:ListMFADevices) while STS works.
		fmt.Fprintf(streams.ErrOut, "Could not list the MFA devices: %v\n", explainAWSError("IAM ListMFADevices", err, profile, keys))
		return askSerial(ctx, q)
	}
	var serials []string
	for _, d := range devices {
		serials = append(serials, aws.ToString(d.SerialNumber))
	}
	switch len(serials) {
	case 0:
		return "", nil
	case 1:
		fmt.Fprintf(streams.ErrOut, "Found MFA device %s.\n", shownSerial(serials[0]))
		return serials[0], nil
	}
	fmt.Fprintln(streams.ErrOut, "The IAM user has several MFA devices:")
	for i, s := range serials {
		fmt.Fprintf(streams.ErrOut, "  %d) %s\n", i+1, shownSerial(s))
	}
	for try := 1; try <= maxCodeTries; try++ {
		answer, err := q.ask(ctx, fmt.Sprintf("Which one should awsmfa use? [1-%d] ", len(serials)))
		if err != nil {
			return "", fmt.Errorf("choosing an MFA device: %w; pass --mfa-serial with one of %s", err, shownSerials(serials))
		}
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(serials) {
			return serials[n-1], nil
		}
		fmt.Fprintf(streams.ErrOut, "Enter a number from 1 to %d.\n", len(serials))
	}
	return "", fmt.Errorf("no MFA device chosen; pass --mfa-serial with one of %s", shownSerials(serials))
}

// askSerial asks for the MFA device's ARN when IAM cannot be asked.
func askSerial(ctx context.Context, q *questions) (string, error) {
	for try := 1; try <= maxCodeTries; try++ {
		answer, err := q.ask(ctx, "MFA device ARN (IAM console, Security credentials: arn:aws:iam::ACCOUNT:mfa/NAME): ")
		if err != nil {
			return "", fmt.Errorf("reading the MFA device ARN: %w; pass --mfa-serial arn:aws:iam::ACCOUNT:mfa/NAME", err)
		}
		if mfaSerialPattern().MatchString(answer) {
			return answer, nil
		}
		fmt.Fprintln(q.out, "That is not an MFA device ARN; it looks like arn:aws:iam::123456789012:mfa/alice.")
	}
	return "", errors.New("no MFA device ARN entered; pass --mfa-serial arn:aws:iam::ACCOUNT:mfa/NAME")
}

// shortDuration writes 8h rather than Go's 8h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func shownSerials(serials []string) string {
	shown := make([]string, len(serials))
	for i, s := range serials {
		shown[i] = shownSerial(s)
	}
	return strings.Join(shown, ", ")
}
