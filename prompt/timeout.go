package prompt

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What a prompt asks for, as its errors name it.
const (
	mfaPrompt        = "MFA prompt"
	passphrasePrompt = "passphrase prompt"
)

// bounded runs ask under ctx limited to timeout, and turns the expiry of that
// limit (not of the caller's ctx) into an error that tells the user what
// happened, since a dialog that just disappears explains nothing. what names
// the prompt in those errors, so that a passphrase question is not reported
// as an MFA prompt.
func bounded(ctx context.Context, what string, timeout time.Duration, ask func(context.Context) (string, error)) (string, error) {
	limited, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answer, err := ask(limited)
	switch {
	case err == nil:
		return answer, nil
	case errors.Is(ctx.Err(), context.Canceled):
		return "", &interruptedError{what: what}
	case ctx.Err() != nil && context.Cause(ctx) != ctx.Err():
		return "", context.Cause(ctx) // the caller's own deadline, in one sentence
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s ran out of time: %w", what, ctx.Err())
	case errors.Is(limited.Err(), context.DeadlineExceeded):
		return "", &timeoutError{what: what, after: timeout}
	case err == ErrCanceled && what != mfaPrompt: //nolint:errorlint // only the bare sentinel is renamed
		return "", &canceledError{what: what}
	}
	return "", err
}

type timeoutError struct {
	what  string
	after time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s timed out after %v; run the command again and answer within that time", e.what, e.after)
}

// Unwrap lets callers test for errors.Is(err, context.DeadlineExceeded).
func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// interruptedError is a prompt ended by Ctrl-C, or by the AWS client
// stopping awsmfa.
type interruptedError struct{ what string }

func (e *interruptedError) Error() string {
	return e.what + " interrupted (Ctrl-C, or the AWS client stopped awsmfa); run the command again to be asked"
}

func (e *interruptedError) Unwrap() error { return context.Canceled }
