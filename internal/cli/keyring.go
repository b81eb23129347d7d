package cli

import (
	"context"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/prompt"
)

// openStore opens the keyring named by the global flags; the file backend's
// passphrase, when not in AWSMFA_FILE_PASSPHRASE, is asked through p.
func (g *globalOptions) openStore(ctx context.Context, p prompt.Prompter) (*cache.Store, error) {
	return cache.Open(cache.Config{
		Backend: g.KeyringBackend,
		FilePassphrase: func(message string) (string, error) {
			return p.Passphrase(ctx, message)
		},
	})
}
