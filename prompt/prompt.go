// Package prompt asks the user for an MFA code (and the file keyring's
// passphrase) through one of several drivers behind one interface: a native
// dialog, the controlling terminal, or a choice between them.
package prompt

import (
	"context"
	"errors"
)

// ErrCanceled reports that the user dismissed the prompt. A dismissed
// passphrase question is reported as an error that errors.Is ErrCanceled but
// names the passphrase.
var ErrCanceled = errors.New("MFA prompt cancelled")

// canceledError is ErrCanceled for a prompt other than the MFA code's.
type canceledError struct{ what string }

func (e *canceledError) Error() string        { return e.what + " cancelled" }
func (e *canceledError) Is(target error) bool { return target == ErrCanceled }

// Request describes what the user is asked for.
type Request struct {
	Profile   string // AWS profile the code is for, shown to the user
	MFASerial string // ARN of the MFA device, shown to the user
	Retry     string // why we ask again: STS's reason for rejecting the last code; empty on the first ask
	Invalid   string // why we ask again: the last answer was not a six-digit code (it never reached STS)
}

// Prompter asks the user for secrets. Implementations must never write to
// stdout: under credential_process the SDK reads stdout as credentials.
type Prompter interface {
	// MFACode returns exactly six ASCII digits, ErrCanceled, or another error.
	MFACode(ctx context.Context, req Request) (string, error)
	// Passphrase asks for a hidden secret, such as the file keyring's passphrase.
	Passphrase(ctx context.Context, message string) (string, error)
}
