package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsini"
	"github.com/awsmfa/awsmfa/internal/redact"
)

type listOptions struct{}

func newListCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show the profiles awsmfa serves, their stored keys and cached sessions",
		Long: `list shows every profile awsmfa serves (for a profile whose
credential_process runs awsmfa process --profile P, the profile P, under
which the sessions are cached) and every profile with keys in the keyring:
its stored key or, for a role, its source_profile, its mfa_serial, and its
cached sessions with the time they have left. It never shows a secret;
access key ids are masked.`,
		Example: `  awsmfa list
  awsmfa list --keyring-backend file`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), g, o, streams, deps)
		},
	}
	return cmd
}

func runList(ctx context.Context, g *globalOptions, _ *listOptions, streams IOStreams, deps Deps) error {
	// One read of the files and one listing of the keyring, however many
	// profiles there are: list stays linear in the size of the config.
	files, err := awsini.Read()
	if err != nil {
		return err
	}
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	withKeys, err := store.ProfilesWithKeys()
	if err != nil {
		return err
	}
	sessions, err := store.ListSessions("")
	if err != nil {
		return err
	}
	// A wrong file keyring passphrase makes every item unreadable: say so,
	// rather than a table that calls the sessions unreadable and offers clear.
	for _, s := range sessions {
		if errors.Is(s.Err, cache.ErrWrongPassphrase) {
			return s.Err
		}
	}

	profiles := listedProfiles(files, withKeys)
	if len(profiles) == 0 {
		fmt.Fprintf(streams.Out, "No profile in %s runs awsmfa and no keys are stored in the %s keyring; start with: awsmfa setup --profile NAME\n", files.ConfigPath, store.Backend())
		return nil
	}

	hasKeys := map[string]bool{}
	for _, p := range withKeys {
		hasKeys[p] = true
	}
	sessionsOf := map[string][]cache.SessionInfo{}
	for _, s := range sessions {
		sessionsOf[s.Key.Profile] = append(sessionsOf[s.Key.Profile], s)
	}
	now := time.Now()
	w := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tKEYS\tMFA SERIAL\tSESSION")
	for _, p := range profiles {
		keys := "no"
		switch {
		case hasKeys[p]:
			keys = "stored"
			k, err := store.Keys(p)
			if errors.Is(err, cache.ErrWrongPassphrase) {
				return err
			}
			if err == nil {
				keys = k.MaskedID()
			}
		case roleSource(files, p) != "":
			keys = "role, from " + roleSource(files, p)
		}
		serial := files.Get(p, "mfa_serial")
		if !files.Has(p) {
			serial = "(not in config)"
		} else if serial == "" {
			serial = "-"
		} else {
			serial = redact.Show(redact.ARN, serial)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p, keys, serial, sessionSummary(sessionsOf[p], p, now))
	}
	return w.Flush()
}

// listedProfiles names the profiles awsmfa serves, in config order (the
// user's own), then keyring-only profiles. A profile whose
// credential_process runs awsmfa for another profile (a client profile
// such as admin running awsmfa process --profile admin-role) is listed as
// that other profile, since its sessions are cached under that name.
func listedProfiles(files *awsini.Files, withKeys []string) []string {
	var profiles []string
	listed := map[string]bool{}
	add := func(p string) {
		if p != "" && !listed[p] {
			listed[p] = true
			profiles = append(profiles, p)
		}
	}
	hasKeys := map[string]bool{}
	for _, p := range withKeys {
		hasKeys[p] = true
	}
	for _, p := range files.Profiles() {
		if served, ok := awsmfaProfile(files.Get(p, "credential_process")); ok {
			if served == "" {
				served = p // no --profile: listed so that the user sees it
			}
			add(served)
		}
		if hasKeys[p] {
			add(p)
		}
	}
	for _, p := range withKeys {
		add(p)
	}
	return profiles
}

// roleSource is the source_profile of a role profile, "" for anything else.
func roleSource(files *awsini.Files, profile string) string {
	if files.Get(profile, "role_arn") == "" {
		return ""
	}
	return files.Get(profile, "source_profile")
}

// sessionSummary describes the profile's longest-lived cached session.
func sessionSummary(all []cache.SessionInfo, profile string, now time.Time) string {
	var best *cache.SessionInfo
	n := 0
	for i := range all {
		s := &all[i]
		if s.Key.Profile != profile {
			continue
		}
		n++
		if s.Err == nil && (best == nil || s.Expiration.After(best.Expiration)) {
			best = s
		}
	}
	var text string
	switch {
	case n == 0:
		return "none"
	case best == nil:
		text = "unreadable (awsmfa clear --profile " + profile + ")"
	case !best.Expiration.After(now):
		text = "expired " + best.Expiration.Local().Format("2006-01-02 15:04")
	default:
		text = formatLeft(best.Expiration.Sub(now)) + " left (until " + best.Expiration.Local().Format("15:04") + ")"
	}
	if n > 1 {
		text += fmt.Sprintf(", %d cached", n)
	}
	return text
}

// formatLeft shows a duration the way people say it: 11h58m, 14m, 40s.
func formatLeft(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
