package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/process"
)

type addOptions struct {
	Profile string
	FromEnv bool
}

func newAddCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add --profile NAME [--env]",
		Short: "Store an IAM user's long-term access key in the keyring",
		Long: `add stores the access key id and secret access key of an IAM user in the OS
keyring, where awsmfa process uses them to call sts:GetSessionToken. It asks
for them on the terminal (the secret without echo), or takes them from
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with --env. Replacing the keys
drops the profile's cached sessions, and those of the role profiles that use
it as their source_profile (directly or through other roles).`,
		Example: `  awsmfa add --profile work
  AWS_ACCESS_KEY_ID=AKIA... AWS_SECRET_ACCESS_KEY=... awsmfa add --profile work --env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAdd(cmd.Context(), g, o, streams, deps)
		},
	}
	cmd.Flags().StringVarP(&o.Profile, "profile", "p", "", "profile the keys belong to (required)")
	cmd.Flags().BoolVar(&o.FromEnv, "env", false, "take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	return cmd
}

func runAdd(ctx context.Context, g *globalOptions, o *addOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return fmt.Errorf("no profile given; pass --profile NAME")
	}
	var keys cache.Keys
	if o.FromEnv {
		keys = cache.Keys{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY")}
		if keys.AccessKeyID == "" || keys.SecretAccessKey == "" {
			return fmt.Errorf("--env needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set")
		}
	} else {
		var err error
		if keys, err = readKeys(ctx, streams); err != nil {
			return err
		}
	}
	if err := validateKeys(keys); err != nil {
		return err
	}
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	if err := store.SetKeys(o.Profile, keys); cache.IsUnlockError(err) {
		return err
	} else if err != nil {
		return fmt.Errorf("storing keys for profile %q in the %s keyring: %w", o.Profile, store.Backend(), err)
	}
	users := profilesUsing(streams, o.Profile)
	if err := clearSessionsOf(store, users); err != nil {
		return fmt.Errorf("keys stored, but %w", err)
	}
	fmt.Fprintf(streams.Out, "Stored access key %s for profile %q in the %s keyring; its cached sessions%s were dropped.\n",
		keys.MaskedID(), o.Profile, store.Backend(), andThoseOf(users))
	return nil
}

// profilesUsing returns the profiles whose credentials awsmfa gets through
// profile (roles with it in their source_profile chain): their cached
// sessions were made with profile's keys, and go stale with them. When the
// AWS config cannot be read it says so in one line on stderr and returns
// none, so that storing or removing the keys still goes ahead.
func profilesUsing(streams IOStreams, profile string) []string {
	users, err := process.ProfilesDerivedFrom(profile)
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "awsmfa: warning: cannot find which profiles use %q as their source_profile (%s); their cached sessions, if any, stay until you drop them with awsmfa clear --profile NAME (or awsmfa clear for every profile)\n",
			profile, oneLine(err.Error()))
		return nil
	}
	return users
}

// clearSessionsOf drops the cached sessions of the profiles.
func clearSessionsOf(store interface {
	ClearSessionsOf([]string) (int, error)
}, profiles []string) error {
	if _, err := store.ClearSessionsOf(profiles); err != nil {
		return fmt.Errorf("dropping the cached sessions of %s failed: %w; drop them with awsmfa clear --profile NAME", strings.Join(profiles, ", "), err)
	}
	return nil
}

// andThoseOf is ", and those of 2 profiles that use it (admin, readonly),"
// for a message about a profile's sessions, or "" when no profile uses it.
func andThoseOf(users []string) string {
	if len(users) == 0 {
		return ""
	}
	return ", and those of " + profilesThatUseIt(users) + ","
}

// profilesThatUseIt is "1 profile that uses it (admin)" or "2 profiles that
// use it (admin, readonly)".
func profilesThatUseIt(users []string) string {
	if len(users) == 1 {
		return fmt.Sprintf("1 profile that uses it (%s)", users[0])
	}
	// A generated config can have thousands: the message stays a line.
	const shown = 10
	names := strings.Join(users[:min(len(users), shown)], ", ")
	if len(users) > shown {
		names += fmt.Sprintf(" and %d more", len(users)-shown)
	}
	return fmt.Sprintf("%d profiles that use it (%s)", len(users), names)
}

func validateKeys(k cache.Keys) error {
	switch {
	case strings.HasPrefix(k.AccessKeyID, "ASIA"):
		return fmt.Errorf("access key id %s is a temporary session key; GetSessionToken needs the IAM user's long-term key (it starts with AKIA)", k.MaskedID())
	case !looksLikeAccessKeyID(k.AccessKeyID):
		// Not repeated: a malformed id is often the secret key, pasted
		// into the wrong field.
		return fmt.Errorf("the access key id you gave (%d characters) does not look like one (20 upper-case letters and digits, starting AKIA); check that the id and the secret are not swapped", len(k.AccessKeyID))
	case k.SecretAccessKey == "" || strings.ContainsAny(k.SecretAccessKey, " \t\r\n"):
		return fmt.Errorf("the secret access key is empty or contains spaces; paste it again")
	}
	return nil
}

// readKeys asks for the keys on stderr and reads them from stdin; the secret
// is read without echo when stdin is a terminal.
func readKeys(ctx context.Context, streams IOStreams) (cache.Keys, error) {
	q := newQuestions(streams)
	id, err := q.ask(ctx, "AWS access key id (AKIA...): ")
	if err != nil {
		return cache.Keys{}, fmt.Errorf("reading the access key id: %w; run add in a terminal or use --env", err)
	}
	secret, err := q.secret(ctx, "AWS secret access key: ")
	if err != nil {
		return cache.Keys{}, fmt.Errorf("reading the secret access key: %w; run add in a terminal or use --env", err)
	}
	return cache.Keys{AccessKeyID: id, SecretAccessKey: secret}, nil
}
