package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/awsmfa/awsmfa/internal/privdir"
)

// lockRetry is how often a waiting process retries the lock. flock has no
// portable blocking wait with a deadline, so polling is the way to honour
// both ctx and wait. A retry is one syscall; 10ms keeps the dozens of
// processes a cold-cache storm leaves waiting from each adding up to a
// whole interval of idle time once the refresh is done.
const lockRetry = 10 * time.Millisecond

// LockDir is where lock files live by default: <user cache dir>/awsmfa/locks.
func LockDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the lock directory: %w; set HOME (or XDG_CACHE_HOME)", err)
	}
	return filepath.Join(dir, "awsmfa", "locks"), nil
}

// Lock takes the cross-process lock for one session, so that concurrent
// credential_process calls for the same profile prompt for one MFA code and
// call STS once. It blocks until the lock is acquired, ctx is done or wait
// has elapsed (wait <= 0: only ctx limits it). dir "" means LockDir().
//
// The lock is an advisory file lock: the kernel releases it when the holder
// exits or is killed, so a crashed awsmfa never leaves a stale lock. The
// file itself is left in place; removing it on unlock would let a waiter
// lock a file that a third process then replaces.
func Lock(ctx context.Context, dir string, key SessionKey, wait time.Duration) (unlock func() error, err error) {
	unlock, _, err = Acquire(ctx, dir, key, wait, func() bool { return false })
	return unlock, err
}

// waitingHook runs when Acquire starts waiting for another holder; tests
// use it to know a waiter is waiting.
var waitingHook = func() {}

// Acquire is Lock for a process that may not need the lock at all: while
// another process holds it (refreshing the session), Acquire waits for it
// to let go, and then asks ready whether that process did the work. If so
// it returns done without taking the lock. Waiters wait with a shared lock,
// so when the refresher finishes all of them look at the cache at once,
// instead of one after another through the exclusive lock; a cold-cache
// storm of N processes then costs one refresh and N parallel reads.
func Acquire(ctx context.Context, dir string, key SessionKey, wait time.Duration, ready func() bool) (unlock func() error, done bool, err error) {
	if dir == "" {
		if dir, err = LockDir(); err != nil {
			return nil, false, err
		}
	}
	if err := privdir.Ensure(dir, "the lock directory"); err != nil {
		return nil, false, err
	}
	path := filepath.Join(dir, lockFileName(key))
	if err := privdir.CheckRegular(path); err != nil {
		return nil, false, err
	}
	fl := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|privdir.NoFollow))

	wctx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	for {
		// Try the lock itself first, also before any deadline applies:
		// the *Context variants check the context before trying at all.
		if ok, err := fl.TryLock(); err != nil {
			return nil, false, fmt.Errorf("locking %s: %w; check permissions on %s", path, err, dir)
		} else if ok {
			return fl.Unlock, false, nil
		}
		// Someone is refreshing: wait until they let go.
		waitingHook()
		ok, err := fl.TryRLockContext(wctx, lockRetry)
		switch {
		case ok:
			if err := fl.Unlock(); err != nil {
				return nil, false, fmt.Errorf("unlocking %s: %w", path, err)
			}
			if ready() {
				return nil, true, nil
			}
			// The refresh failed or did not happen; compete for the lock.
			continue
		case ctx.Err() != nil:
			return nil, false, fmt.Errorf("stopped waiting for another awsmfa process refreshing profile %q: %w", key.Profile, ctx.Err())
		case errors.Is(err, context.DeadlineExceeded):
			return nil, false, fmt.Errorf("timed out after %v waiting for another awsmfa process refreshing profile %q (it holds %s); answer or cancel its MFA prompt, or end that process, and retry", wait, key.Profile, path)
		case err != nil:
			return nil, false, fmt.Errorf("locking %s: %w; check permissions on %s", path, err, dir)
		}
		return nil, false, fmt.Errorf("could not lock %s; retry", path)
	}
}

// lockFileName is "<profile>-<hash>.lock" with every byte outside
// [A-Za-z0-9._-] percent-encoded, so any profile name is a safe file name
// on every OS (unlike keyring keys, nothing else needs to read it back).
func lockFileName(key SessionKey) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key.Profile); i++ {
		c := key.Profile[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexdig[c>>4])
			b.WriteByte(hexdig[c&15])
		}
	}
	return b.String() + "-" + key.Hash + ".lock"
}
