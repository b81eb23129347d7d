// Package process is the credential flow behind `awsmfa process`: serve the
// cached MFA session when it has enough life left, else refresh it exactly
// once across all processes (lock, prompt, STS) and cache the result.
package process

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/prompt"
)

// Defaults, documented in README.md.
const (
	// DefaultDuration is STS's own default for GetSessionToken: one dialog a working day.
	DefaultDuration = 12 * time.Hour
	// DefaultRefreshWindow is how much life a cached session must have left to
	// be served. botocore re-runs the helper on every credential use once
	// under 15 minutes are left and blocks on it under 10; the JS SDK treats
	// under 5 minutes as expired. Serving only sessions with more than 20
	// minutes left keeps every client out of those windows, so each one
	// refreshes at most once per session, and that refresh gets a new session.
	DefaultRefreshWindow = 20 * time.Minute
	// DefaultLockWait bounds how long a process waits for another one that is
	// showing the dialog: long enough for a user to answer it.
	DefaultLockWait = 2 * time.Minute
	// MaxTries is how many codes a user may enter before awsmfa gives up.
	MaxTries = 3
)

// STS's limits for GetSessionToken called by an IAM user.
const (
	MinDuration = 15 * time.Minute
	MaxDuration = 36 * time.Hour
)

// Store is the part of the keyring cache the flow uses.
type Store interface {
	Session(key cache.SessionKey) (cache.Session, error)
	SetSession(key cache.SessionKey, sess cache.Session) error
	Keys(profile string) (cache.Keys, error)
}

// Options configures one credential request.
type Options struct {
	Profile       string
	Duration      time.Duration // GetSessionToken DurationSeconds
	RefreshWindow time.Duration // 0: DefaultRefreshWindow, at most half of Duration
	LockWait      time.Duration
	LockDir       string // "" means the user's cache dir

	Store    Store
	Prompter prompt.Prompter
	Now      func() time.Time
	// Debugf receives diagnostics; it must never be given a secret.
	Debugf func(format string, args ...any)
}

func (o *Options) setDefaults() {
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.RefreshWindow == 0 {
		// A session shorter than twice the window would never be served
		// from the cache; for those, refresh at half-life instead.
		o.RefreshWindow = min(DefaultRefreshWindow, o.Duration/2)
	}
	if o.LockWait == 0 {
		o.LockWait = DefaultLockWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
}

func (o *Options) validate() error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME, the profile whose credential_process runs awsmfa")
	}
	if o.Duration < MinDuration || o.Duration > MaxDuration {
		return fmt.Errorf("session duration %v is outside STS's limits; choose between %v and %v", o.Duration, MinDuration, MaxDuration)
	}
	if o.RefreshWindow < 0 || o.RefreshWindow >= o.Duration {
		return fmt.Errorf("refresh window %v must be shorter than the session duration %v, or every call would ask for a code; lower --refresh-window or raise --duration", o.RefreshWindow, o.Duration)
	}
	return nil
}

// Credentials returns a session for o.Profile with more than o.RefreshWindow
// left, from the cache when it has one, else from STS after asking for a code.
func Credentials(ctx context.Context, o Options) (cache.Session, error) {
	o.setDefaults()
	if err := o.validate(); err != nil {
		return cache.Session{}, err
	}
	p, err := loadProfile(ctx, o.Profile)
	if err != nil {
		return cache.Session{}, err
	}
	if p.RoleARN != "" {
		return cache.Session{}, fmt.Errorf("profile %q has role_arn: awsmfa serves IAM-user profiles (GetSessionToken) only so far; remove role_arn from the profile that runs awsmfa", p.Name)
	}
	if p.MFASerial == "" {
		return cache.Session{}, fmt.Errorf("profile %q has no mfa_serial; add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE to it", p.Name)
	}
	key := cache.NewSessionKey(p.Name, p.cacheSettings(o.Duration)...)

	if sess, ok := o.fresh(key, "cache"); ok {
		return sess, nil
	}

	unlock, err := cache.Lock(ctx, o.LockDir, key, o.LockWait)
	if err != nil {
		return cache.Session{}, err
	}
	defer func() {
		if err := unlock(); err != nil {
			o.Debugf("releasing lock: %v", err)
		}
	}()
	// Another process may have refreshed the session while we waited.
	if sess, ok := o.fresh(key, "cache after lock"); ok {
		return sess, nil
	}

	keys, err := o.Store.Keys(p.Name)
	if errors.Is(err, cache.ErrNotFound) {
		return cache.Session{}, fmt.Errorf("no long-term keys stored for profile %q; store them with: awsmfa add --profile %s", p.Name, p.Name)
	}
	if err != nil {
		return cache.Session{}, fmt.Errorf("reading long-term keys for profile %q: %w", p.Name, err)
	}

	sess, err := o.refresh(ctx, p, keys)
	if err != nil {
		return cache.Session{}, err
	}
	if err := o.Store.SetSession(key, sess); err != nil {
		// The session is still good: hand it out, the next call asks again.
		o.Debugf("caching session: %v", err)
	}
	return sess, nil
}

// fresh returns the cached session if it has more than the refresh window left.
func (o *Options) fresh(key cache.SessionKey, where string) (cache.Session, bool) {
	sess, err := o.Store.Session(key)
	switch {
	case errors.Is(err, cache.ErrNotFound):
		o.Debugf("%s: miss", where)
		return cache.Session{}, false
	case err != nil:
		// A corrupt or unreadable item is a miss; the refresh overwrites it.
		o.Debugf("%s: unusable entry, treating as a miss: %v", where, err)
		return cache.Session{}, false
	}
	left := sess.Expiration.Sub(o.Now())
	if left <= o.RefreshWindow {
		o.Debugf("%s: session has %v left, refresh window is %v", where, left.Round(time.Second), o.RefreshWindow)
		return cache.Session{}, false
	}
	o.Debugf("%s: hit, %v left", where, left.Round(time.Second))
	return sess, true
}

// refresh asks for a code and calls GetSessionToken, asking again with STS's
// reason when the code is rejected, up to MaxTries times.
func (o *Options) refresh(ctx context.Context, p profile, keys cache.Keys) (cache.Session, error) {
	req := prompt.Request{Profile: p.Name, MFASerial: p.MFASerial}
	for try := 1; ; try++ {
		code, err := o.Prompter.MFACode(ctx, req)
		if errors.Is(err, prompt.ErrInvalidCode) && try < MaxTries {
			// A typo never reaches STS; ask again and say what was wrong.
			req.Retry = err.Error()
			continue
		}
		if err != nil {
			return cache.Session{}, err
		}
		start := o.Now()
		sess, err := getSessionToken(ctx, p, keys, code, o.Duration)
		o.Debugf("GetSessionToken took %v", o.Now().Sub(start).Round(time.Millisecond))
		var rejected *codeRejectedError
		if errors.As(err, &rejected) && try < MaxTries {
			req.Retry = rejected.Message
			continue
		}
		if errors.As(err, &rejected) {
			return cache.Session{}, fmt.Errorf("STS rejected %d MFA codes for %s (%s); check the device's clock and that mfa_serial names the device you read the code from", MaxTries, p.MFASerial, rejected.Message)
		}
		return sess, err
	}
}
