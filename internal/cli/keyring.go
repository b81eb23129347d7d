package cli

import (
	"cmp"
	"context"
	"os"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/prompt"
)

// openStoreInteractive opens the keyring for a command run by a person:
// the file keyring's passphrase, if needed, is asked in a dialog or on the
// terminal, whichever is usable, or as AWSMFA_PROMPT says.
func (g *globalOptions) openStoreInteractive(ctx context.Context, deps Deps) (*cache.Store, error) {
	p, err := deps.NewPrompter(cmp.Or(os.Getenv("AWSMFA_PROMPT"), "auto"), prompt.Options{})
	if err != nil {
		return nil, err
	}
	return g.openStore(ctx, p)
}

// openStore opens the keyring named by the global flags; the file backend's
// passphrase, when not in AWSMFA_FILE_PASSPHRASE, is asked through p, and
// ctx ends the wait for a locked Secret Service collection's unlock dialog.
func (g *globalOptions) openStore(ctx context.Context, p prompt.Prompter) (*cache.Store, error) {
	return cache.OpenContext(ctx, cache.Config{
		Backend: g.KeyringBackend,
		FilePassphrase: func(message string) (string, error) {
			return p.Passphrase(ctx, message)
		},
	})
}
