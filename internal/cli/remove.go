package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/redact"
)

type removeOptions struct {
	Profile string
	Yes     bool
	Config  bool
}

func newRemoveCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &removeOptions{}
	cmd := &cobra.Command{
		Use:   "remove --profile NAME [--yes] [--config]",
		Short: "Delete a profile's stored keys and cached sessions",
		Long: `remove deletes the profile's long-term keys and cached sessions from the
keyring, and the cached sessions of the role profiles that use it as their
source_profile (directly or through other roles), after asking for
confirmation on the terminal (--yes skips it). The profile's stanza in the AWS
config file stays unless --config is given, which also removes its
credential_process line (when it runs awsmfa), keeping a backup of the file.
The IAM user and its access key are not touched: deactivate the key in the IAM
console if you no longer need it.`,
		Example: `  awsmfa remove --profile work
  awsmfa remove --profile work --yes --config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRemove(cmd.Context(), g, o, streams, deps)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Profile, "profile", "p", "", "profile to remove (required)")
	f.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	f.BoolVar(&o.Config, "config", false, "also remove the profile's awsmfa credential_process line from the AWS config")
	return cmd
}

func runRemove(ctx context.Context, g *globalOptions, o *removeOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME")
	}
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	keys, err := store.Keys(o.Profile)
	// An item that cannot be read (corrupt, another passphrase) is still
	// there, and removing it is exactly what its error message advises.
	corrupt := errors.Is(err, cache.ErrCorrupt)
	hasKeys := err == nil || corrupt
	if err != nil && !errors.Is(err, cache.ErrNotFound) && !corrupt {
		if cache.IsUnlockError(err) {
			return err
		}
		return fmt.Errorf("reading the keys of profile %q: %w", o.Profile, err)
	}
	sessions, err := store.ListSessions(o.Profile)
	if err != nil {
		return err
	}
	// Sessions of the roles that use the profile were made with its keys:
	// they go too, or those roles would go on serving the old identity.
	users := profilesUsing(streams, o.Profile)
	usersSessions, err := store.CountSessions(users)
	if err != nil {
		return err
	}
	if !hasKeys && len(sessions) == 0 && usersSessions == 0 {
		fmt.Fprintf(streams.Out, "Nothing is stored for profile %q in the %s keyring.\n", o.Profile, store.Backend())
		if o.Config {
			return removeConfigLines(streams, o.Profile)
		}
		return nil
	}
	what := fmt.Sprintf("%d cached session(s)", len(sessions))
	switch {
	case corrupt:
		what = "an unreadable keys item and " + what
	case hasKeys:
		what = fmt.Sprintf("the access key %s and %s", keys.MaskedID(), what)
	}
	what += fmt.Sprintf(" of profile %q", o.Profile)
	if len(users) > 0 {
		what += fmt.Sprintf(", and %d cached session(s) of %s,", usersSessions, profilesThatUseIt(users))
	}
	if !o.Yes {
		ok, err := newQuestions(streams).confirm(ctx, fmt.Sprintf("Remove %s from the %s keyring?", what, store.Backend()))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("nothing removed; answer y to remove, or pass --yes")
		}
	}
	err = store.RemoveKeys(o.Profile)
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		return fmt.Errorf("removing the keys of profile %q: %w", o.Profile, err)
	}
	if err := clearSessionsOf(store, users); err != nil {
		return fmt.Errorf("the keys of profile %q were removed, but %w", o.Profile, err)
	}
	fmt.Fprintf(streams.Out, "Removed %s from the %s keyring.\n", what, store.Backend())
	if !o.Config {
		fmt.Fprintf(streams.Out, "The profile's stanza in the AWS config is kept; pass --config to remove its awsmfa line too.\n")
		return nil
	}
	return removeConfigLines(streams, o.Profile)
}

// removeConfigLines deletes the profile's credential_process when it runs awsmfa.
func removeConfigLines(streams IOStreams, profile string) error {
	cfgPath, cfg, err := loadConfigFile()
	if err != nil {
		return err
	}
	line, ok := cfg.Get(profile, "credential_process")
	if _, isAwsmfa := awsmfaProfile(line); !ok || !isAwsmfa {
		fmt.Fprintf(streams.Out, "Profile %q in %s has no awsmfa credential_process line; the file is unchanged.\n", profile, cfgPath)
		return nil
	}
	cfg.Unset(profile, "credential_process")
	if err := cfg.Save(cfgPath); err != nil {
		return fmt.Errorf("removing credential_process from profile %q: %w", profile, err)
	}
	fmt.Fprintf(streams.Out, "Removed credential_process = %s from profile %q in %s (backup: %s); mfa_serial stays, the AWS CLI uses it too.\n", redact.Show(redact.Command, line), profile, cfgPath, cfg.LastBackup())
	return nil
}
