package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/keyring"
)

// boundedRing limits how long each call into a Secret Service keyring may
// take. keyring (through go-libsecret) unlocks a collection that is locked
// when it reads or writes, and then waits for the Secret Service's prompt
// with no time limit. Open unlocks the collection itself, with a bound; but
// the collection can be locked again later (a screen lock while awsmfa
// waits for an MFA code), or gnome-keyring can restart with it locked, and
// a prompt that gnome-keyring never completes (seen with many clients at
// once and no prompter) would then hang awsmfa, holding the refresh lock
// that every other awsmfa process waits on.
type boundedRing struct {
	keyring.Keyring
	ctx   context.Context
	limit time.Duration
	// patience is how long a call runs before it also watches ctx (a
	// goroutine and a timer), which a cache hit, done in microseconds,
	// should not pay for.
	patience time.Duration
}

// errStuck is the cause of a call that ran out of time.
var errStuck = errors.New("the Secret Service did not answer")

func (r boundedRing) Get(key string) (keyring.Item, error) {
	return boundedCall(r, func() (keyring.Item, error) { return r.Keyring.Get(key) })
}

func (r boundedRing) GetMetadata(key string) (keyring.Metadata, error) {
	return boundedCall(r, func() (keyring.Metadata, error) { return r.Keyring.GetMetadata(key) })
}

func (r boundedRing) Set(item keyring.Item) error {
	_, err := boundedCall(r, func() (struct{}, error) { return struct{}{}, r.Keyring.Set(item) })
	return err
}

func (r boundedRing) Remove(key string) error {
	_, err := boundedCall(r, func() (struct{}, error) { return struct{}{}, r.Keyring.Remove(key) })
	return err
}

func (r boundedRing) Keys() ([]string, error) {
	return boundedCall(r, r.Keyring.Keys)
}

// boundedCall runs call and waits for it at most r.limit, or until r.ctx
// ends. A call given up on is left running: keyring offers no way to stop
// it, and awsmfa exits soon after.
func boundedCall[T any](r boundedRing, call func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	limit := time.NewTimer(r.limit)
	defer limit.Stop()
	patience := time.NewTimer(min(r.patience, r.limit))
	defer patience.Stop()
	var zero T
	select {
	case res := <-done:
		return res.v, res.err
	case <-limit.C:
		return zero, stuckError(r.limit)
	case <-patience.C:
	}
	select {
	case res := <-done:
		return res.v, res.err
	case <-limit.C:
		return zero, stuckError(r.limit)
	case <-r.ctx.Done():
		return zero, fmt.Errorf("stopped waiting for the Secret Service: %w", r.ctx.Err())
	}
}

func stuckError(limit time.Duration) error {
	return fmt.Errorf("%w within %v (its collection may have been locked again and its unlock prompt not completed, or gnome-keyring is stuck); unlock or restart the keyring (awsmfa doctor checks it) and retry, or choose --keyring-backend file",
		errStuck, limit)
}
