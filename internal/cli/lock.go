package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
)

func newLockCmd(g *globalOptions, streams IOStreams, _ Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "Forget the file keyring's passphrase, so the next run asks for it",
		Long: `With the file keyring backend, awsmfa asks for the keyring's passphrase once
and then remembers it for this login session (on Linux, in the kernel's user
keyring, never on disk) until AWSMFA_FILE_UNLOCK_TTL (default 12h) ends.
lock forgets it at once. Other backends are locked by the OS.`,
		Example: `  awsmfa lock`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runLock(g, streams)
		},
	}
}

func runLock(g *globalOptions, streams IOStreams) error {
	if b := backendName(g); b != "file" {
		fmt.Fprintf(streams.Out, "Nothing to lock: the %s keyring is locked and unlocked by the OS; awsmfa lock applies to the file backend.\n", b)
		return nil
	}
	forgot, err := cache.LockFile(cache.Config{})
	if err != nil {
		return err
	}
	state, err := cache.FileUnlock(cache.Config{})
	if err != nil {
		return err
	}
	if !forgot {
		fmt.Fprintf(streams.Out, "The file keyring at %s was not unlocked; nothing to forget.\n", state.Dir)
		return nil
	}
	fmt.Fprintf(streams.Out, "Locked the file keyring at %s: the next awsmfa run asks for its passphrase.\n", state.Dir)
	return nil
}

func newUnlockCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "unlock",
		Short: "Ask for the file keyring's passphrase now, for clients that cannot ask",
		Long: `unlock asks for the file keyring's passphrase (on the terminal or in a dialog)
and remembers it for this login session, so that AWS clients started where
nothing can ask (an IDE, a cron job, a systemd unit) find the keyring open.
awsmfa also does this by itself the first time a command needs the keyring.`,
		Example: `  awsmfa unlock
  AWSMFA_FILE_UNLOCK_TTL=8h awsmfa unlock`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUnlock(cmd.Context(), g, streams, deps)
		},
	}
}

func runUnlock(ctx context.Context, g *globalOptions, streams IOStreams, deps Deps) error {
	if b := backendName(g); b != "file" {
		fmt.Fprintf(streams.Out, "Nothing to unlock: the %s keyring is unlocked by the OS.\n", b)
		return nil
	}
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return err
	}
	if err := store.Unlock(); err != nil {
		return err
	}
	state, err := cache.FileUnlock(cache.Config{})
	if err != nil {
		return err
	}
	fmt.Fprintln(streams.Out, describeFileUnlock(state))
	return nil
}

// describeFileUnlock says how the file keyring is unlocked and for how long.
// The kernel tells the time left only rounded down to its unit (11h for
// 11h59m), so the end is said as a lower bound: "until about" would be up to
// an hour early in doctor, and setup, right after the unlock, would disagree.
func describeFileUnlock(s cache.FileUnlockState) string {
	switch {
	case s.FromEnv:
		return fmt.Sprintf("The file keyring at %s takes its passphrase from %s in the environment.", s.Dir, cache.FilePassphraseEnv)
	case s.Remembered && !s.Expires.IsZero():
		return fmt.Sprintf("The file keyring at %s is unlocked for this login session until at least %s; `awsmfa lock` locks it.", s.Dir, s.Expires.Local().Format("15:04 Mon"))
	case s.Remembered:
		return fmt.Sprintf("The file keyring at %s is unlocked for this login session; `awsmfa lock` locks it.", s.Dir)
	case s.CannotRemember != "":
		return fmt.Sprintf("The file keyring at %s asks for its passphrase on every run: %s; set %s for clients that cannot ask, or choose another --keyring-backend.", s.Dir, s.CannotRemember, cache.FilePassphraseEnv)
	case s.TTL < 0:
		return fmt.Sprintf("The file keyring at %s asks for its passphrase on every run (%s=0).", s.Dir, cache.FileUnlockTTLEnv)
	}
	return fmt.Sprintf("The file keyring at %s is locked: the next awsmfa run asks for its passphrase once, then it stays unlocked for %s in this login session (a client with no terminal or display cannot ask: run `awsmfa unlock` first).", s.Dir, shortDuration(s.TTL))
}

// backendName is the backend the global flags choose.
func backendName(g *globalOptions) string {
	if g.KeyringBackend != "" {
		return g.KeyringBackend
	}
	return cache.DefaultBackend()
}
