package prompt

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// bounded runs ask under ctx limited to timeout, and turns the expiry of that
// limit (not of the caller's ctx) into an error that tells the user what
// happened, since a dialog that just disappears explains nothing.
func bounded(ctx context.Context, timeout time.Duration, ask func(context.Context) (string, error)) (string, error) {
	limited, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answer, err := ask(limited)
	switch {
	case err == nil:
		return answer, nil
	case ctx.Err() != nil:
		return "", fmt.Errorf("MFA prompt stopped: %w", ctx.Err())
	case errors.Is(limited.Err(), context.DeadlineExceeded):
		return "", &timeoutError{after: timeout}
	}
	return "", err
}

type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("MFA prompt timed out after %v; run the command again and answer within that time", e.after)
}

// Unwrap lets callers test for errors.Is(err, context.DeadlineExceeded).
func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }
