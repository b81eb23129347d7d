package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type clearOptions struct {
	Profile string
}

func newClearCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &clearOptions{}
	cmd := &cobra.Command{
		Use:   "clear [--profile NAME]",
		Short: "Remove cached MFA sessions (long-term keys stay)",
		Long: `clear removes cached sessions from the keyring, for one profile or for all,
so the next AWS call asks for a fresh MFA code. Stored long-term keys stay.`,
		Example: `  awsmfa clear --profile work
  awsmfa clear`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runClear(cmd.Context(), g, o, streams, deps)
		},
	}
	cmd.Flags().StringVarP(&o.Profile, "profile", "p", "", "profile whose sessions to remove (default: all)")
	return cmd
}

func runClear(ctx context.Context, g *globalOptions, o *clearOptions, streams IOStreams, deps Deps) error {
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	n, err := store.ClearSessions(o.Profile)
	if err != nil {
		return fmt.Errorf("clearing sessions: %w", err)
	}
	what := "all profiles"
	if o.Profile != "" {
		what = fmt.Sprintf("profile %q", o.Profile)
	}
	fmt.Fprintf(streams.Out, "Removed %d cached session(s) for %s.\n", n, what)
	return nil
}
