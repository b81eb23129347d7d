package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
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
drops the profile's cached sessions.`,
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
	if err := store.SetKeys(o.Profile, keys); err != nil {
		return fmt.Errorf("storing keys for profile %q in the %s keyring: %w", o.Profile, store.Backend(), err)
	}
	fmt.Fprintf(streams.Out, "Stored access key %s for profile %q in the %s keyring; its cached sessions were dropped.\n", keys.MaskedID(), o.Profile, store.Backend())
	return nil
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
	id, err := q.ask(ctx, "AWS access key id: ")
	if err != nil {
		return cache.Keys{}, fmt.Errorf("reading the access key id: %w; run add in a terminal or use --env", err)
	}
	secret, err := q.secret(ctx, "AWS secret access key: ")
	if err != nil {
		return cache.Keys{}, fmt.Errorf("reading the secret access key: %w; run add in a terminal or use --env", err)
	}
	return cache.Keys{AccessKeyID: id, SecretAccessKey: secret}, nil
}
