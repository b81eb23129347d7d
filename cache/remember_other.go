//go:build !linux

package cache

import (
	"errors"
	"runtime"
	"time"
)

// Off Linux the file keyring's passphrase is not remembered between runs:
// there awsmfa defaults to the Keychain (macOS) or the Credential Manager
// (Windows), which unlock with the login, so the file backend is rare. Each
// run that reads the file keyring asks, unless AWSMFA_FILE_PASSPHRASE is set.
var errCannotRemember = errors.New("awsmfa remembers the file keyring's passphrase only on Linux (in the kernel keyring), not on " + runtime.GOOS)

func canRemember() error                                     { return errCannotRemember }
func rememberPassphrase(string, string, time.Duration) error { return errCannotRemember }
func recallPassphrase(string) (string, error)                { return "", errCannotRemember }
func forgetPassphrase(string) error                          { return nil }
func rememberedUntil(string) (time.Time, bool)               { return time.Time{}, false }
