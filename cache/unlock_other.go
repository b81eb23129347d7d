//go:build !linux

package cache

import (
	"context"
	"time"
)

// unlockSecretService is never reached off Linux: keyring registers the
// secret-service backend only there.
func unlockSecretService(context.Context, string, time.Duration) error { return nil }
