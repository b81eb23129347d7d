// Package process is the credential flow behind `awsmfa process`: serve the
// cached MFA session when it has enough life left, else refresh it exactly
// once across all processes (lock, prompt, STS) and cache the result.
//
// Read it top-down from Credentials, in this file:
//
//   - profile: loadProfile (profile.go) resolves it with the AWS SDK, one
//     read of the files for the whole source_profile chain; plan (role.go)
//     works out which session serves it and under which cache key;
//   - obtain: userSession (an IAM user's MFA session) or roleSession (a
//     role, its source's credentials obtained first), each through
//   - cache: cachedOrRefreshed, which returns a session with enough life left
//     (a hit ends here; internal/cli prints it with WriteJSON);
//   - lock: else it takes the profile's lock and looks again;
//   - code: withMFACode asks for the code (prompt or mfa_process);
//   - STS: getSessionToken or assumeRole (sts.go) through service/sts;
//   - cache: store keeps the new session, which is returned.
package process

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/redact"
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
	// MaxTries is how many codes STS may reject before awsmfa gives up.
	MaxTries = 3
	// maxTypos is how many answers that are not six digits are refused
	// (and asked again, without using up one of MaxTries) before awsmfa
	// gives up: a bound for a prompt that keeps answering nonsense.
	maxTypos = 5
	// CredentialProcessRunLimit is how long the Go SDKs let a
	// credential_process run before they kill it, minus the time to report
	// why: `awsmfa process` sets it as Options.RunLimit.
	CredentialProcessRunLimit = 58 * time.Second
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
	LockDir       string        // "" means the user's cache dir
	STSTimeout    time.Duration // bounds each STS call, retries included; 0: DefaultSTSTimeout
	// PromptTimeout is how long after the start of the run the prompt
	// must be answered, the wait for the next code window included, so
	// that the prompt and STS fit in the Go SDKs' 60 s; 0: prompt.DefaultTimeout.
	PromptTimeout time.Duration
	// RunLimit is how long after the start of the run STS must have
	// answered a call with a code, so that a client that kills the run
	// (credential_process: CredentialProcessRunLimit) never kills it after
	// a code was spent; 0 means no limit but STSTimeout, for commands
	// nothing kills (serve, exec, login, rotate).
	RunLimit time.Duration
	// Caller tells the rerun of one command (an SDK retrying at once,
	// parallel callers of one command) from a new command; "" means this
	// process's own (see caller_unix.go), looked up only when a prompt is
	// due: a cache hit does not need it.
	Caller string
	// StateDir keeps, per MFA device, when STS last accepted a code from it
	// (no secret); "" means <user cache dir>/awsmfa/codes.
	StateDir string

	Store    Store
	Prompter prompt.Prompter
	// MFAProcess makes the prompter for a profile's mfa_process command;
	// nil means prompt.NewCommand with default options.
	MFAProcess func(command string) prompt.Prompter

	Now func() time.Time
	// Sleep waits for d or until ctx is done; tests replace it (with Now)
	// so that waiting for the next code window takes no real time.
	Sleep func(ctx context.Context, d time.Duration) error
	// lockNoteAfter is how long a wait for another process's refresh goes
	// unexplained; 0 means 2s (tests shorten it).
	lockNoteAfter time.Duration
	// Notef tells the user something worth knowing while they wait (one
	// line on stderr); it must never be given a secret.
	Notef func(format string, args ...any)
	// Debugf receives diagnostics; it must never be given a secret.
	Debugf func(format string, args ...any)

	start time.Time // when Credentials was called, by Now
	// cacheFailureSaid: the user was told a session could not be cached.
	cacheFailureSaid bool
}

func (o *Options) setDefaults() {
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	o.RefreshWindow = RefreshWindow(o.RefreshWindow, o.Duration)
	if o.LockWait == 0 {
		o.LockWait = DefaultLockWait
	}
	if o.PromptTimeout == 0 {
		o.PromptTimeout = prompt.DefaultTimeout
	}
	if o.MFAProcess == nil {
		o.MFAProcess = func(command string) prompt.Prompter { return prompt.NewCommand(command, prompt.Options{}) }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.lockNoteAfter == 0 {
		o.lockNoteAfter = 2 * time.Second
	}
	if o.Notef == nil {
		o.Notef = func(string, ...any) {}
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	if o.STSTimeout <= 0 {
		o.STSTimeout = DefaultSTSTimeout
	}
}

// RefreshWindow is the refresh window a session of duration is served by
// when window is asked for: window itself, or for 0 DefaultRefreshWindow,
// at most half the session (a session shorter than twice the window would
// never be served from the cache; those are refreshed at half-life).
func RefreshWindow(window, duration time.Duration) time.Duration {
	if window != 0 {
		return window
	}
	return min(DefaultRefreshWindow, duration/2)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
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

// Credentials returns a session for o.Profile with more than the refresh
// window left, from the cache when it has one, else from STS after asking
// for a code. An IAM-user profile (mfa_serial) gets a GetSessionToken
// session; a role profile (role_arn + source_profile) gets an AssumeRole
// session made with its source's session (see role.go).
func Credentials(ctx context.Context, o Options) (cache.Session, error) {
	o.setDefaults()
	if err := o.validate(); err != nil {
		return cache.Session{}, err
	}
	o.start = o.Now()
	p, err := loadProfile(ctx, o.Profile)
	if err != nil {
		return cache.Session{}, err
	}
	t, err := o.plan(ctx, p, nil)
	if err != nil {
		return cache.Session{}, err
	}
	o.Debugf("serving %s", t.describe())
	return o.obtain(ctx, t)
}

// obtain returns t's credentials: from the cache, or from STS.
func (o *Options) obtain(ctx context.Context, t *target) (cache.Session, error) {
	switch t.kind {
	case keysUser:
		keys, err := o.keys(t.p.Name)
		if err != nil {
			return cache.Session{}, err
		}
		return cache.Session{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey}, nil
	case mfaUser:
		return o.userSession(ctx, t)
	}
	return o.roleSession(ctx, t)
}

// roleSession serves a role profile from the cache, or assumes the role
// with its source's credentials (getting or reusing the source's MFA
// session first) under the role's own lock.
func (o *Options) roleSession(ctx context.Context, t *target) (cache.Session, error) {
	return o.cachedOrRefreshed(ctx, t, func() (cache.Session, error) {
		// Locks are always taken role first, then source: no cycle, no deadlock.
		creds, err := o.obtain(ctx, t.source)
		if err != nil {
			return cache.Session{}, err
		}
		if t.clampedFrom > 0 {
			o.Notef("profile %q sets duration_seconds = %d, but a role assumed with a session (role chaining) lasts at most 1h; asking for 1h",
				t.p.Name, int64(t.clampedFrom/time.Second))
		}
		in := assumeRoleInput{
			RoleARN:     t.p.RoleARN,
			SessionName: t.sessionName,
			ExternalID:  t.p.ExternalID,
			Duration:    t.duration,
		}
		call := func(ctx context.Context, code string) (cache.Session, error) {
			start := o.Now()
			sess, err := o.assumeRole(ctx, t.p, creds, t.source.p.Name, in, code)
			o.Debugf("AssumeRole %s took %v", redact.Show(redact.ARN, t.p.RoleARN), o.Now().Sub(start).Round(time.Millisecond))
			return sess, err
		}
		if t.mfaInRequest {
			return o.withMFACode(ctx, t.p, call)
		}
		return call(ctx, "")
	})
}

// userSession serves an IAM-user profile with mfa_serial: the cached
// GetSessionToken session, or a new one made under the profile's lock.
func (o *Options) userSession(ctx context.Context, t *target) (cache.Session, error) {
	return o.cachedOrRefreshed(ctx, t, func() (cache.Session, error) {
		keys, err := o.keys(t.p.Name)
		if err != nil {
			return cache.Session{}, err
		}
		return o.withMFACode(ctx, t.p, func(ctx context.Context, code string) (cache.Session, error) {
			start := o.Now()
			sess, err := o.getSessionToken(ctx, t.p, keys, code)
			o.Debugf("GetSessionToken took %v", o.Now().Sub(start).Round(time.Millisecond))
			return sess, err
		})
	})
}

// cachedOrRefreshed serves t from the cache when it has enough life left;
// otherwise it takes t's lock, looks again (another process may have
// refreshed it while we waited), and only then calls refresh and caches
// the result. This is what makes N processes cost one prompt.
func (o *Options) cachedOrRefreshed(ctx context.Context, t *target, refresh func() (cache.Session, error)) (cache.Session, error) {
	if sess, ok := o.fresh(t, "cache"); ok {
		return sess, nil
	}
	var sess cache.Session
	refreshedElsewhere := func() bool {
		var ok bool
		sess, ok = o.fresh(t, "cache after waiting")
		return ok
	}
	// Say why we sit still if another process's dialog keeps us waiting.
	note := time.AfterFunc(o.lockNoteAfter, func() {
		o.Notef("waiting for another awsmfa process that is asking for the MFA code for profile %q; answer its dialog", t.p.Name)
	})
	unlock, done, err := cache.Acquire(ctx, o.LockDir, t.key, o.LockWait, refreshedElsewhere)
	note.Stop()
	if err != nil {
		return cache.Session{}, err
	}
	if done {
		return sess, nil
	}
	defer o.unlock(unlock)
	if sess, ok := o.fresh(t, "cache after lock"); ok {
		return sess, nil
	}
	sess, err = refresh()
	if err != nil {
		return cache.Session{}, err
	}
	o.store(t, sess)
	return sess, nil
}

func (o *Options) keys(profileName string) (cache.Keys, error) {
	keys, err := o.Store.Keys(profileName)
	if errors.Is(err, cache.ErrNotFound) {
		return cache.Keys{}, fmt.Errorf("no long-term keys stored for profile %q; store them with: awsmfa add --profile %s", profileName, profileName)
	}
	if err != nil {
		return cache.Keys{}, err // names the item and says what to do
	}
	return keys, nil
}

func (o *Options) unlock(unlock func() error) {
	if err := unlock(); err != nil {
		o.Debugf("releasing lock: %v", err)
	}
}

// store caches sess. A failure costs a prompt on every later call, so it is
// said (once a run), but the session is still good: it is handed out.
func (o *Options) store(t *target, sess cache.Session) {
	if err := o.Store.SetSession(t.key, sess); err != nil {
		o.Debugf("caching session for %q: %v", t.p.Name, err)
		if !o.cacheFailureSaid {
			o.cacheFailureSaid = true
			o.Notef("the session for profile %q could not be cached (%v), so the next call asks for an MFA code again; fix that and the cache works again", t.p.Name, err)
		}
	}
}

// fresh returns the cached session if it has more than the refresh window left.
func (o *Options) fresh(t *target, where string) (cache.Session, bool) {
	where = t.p.Name + ": " + where
	sess, err := o.Store.Session(t.key)
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
	if left <= t.window {
		o.Debugf("%s: session has %v left, refresh window is %v", where, left.Round(time.Second), t.window)
		return cache.Session{}, false
	}
	o.Debugf("%s: hit, %v left", where, left.Round(time.Second))
	return sess, true
}

// withMFACode asks for a code for p's MFA device and passes it to call,
// asking again with STS's reason when the code is rejected, up to MaxTries
// times; an answer that is not six digits is refused on the spot and asked
// again without using up a try. It first waits out the 30-second window of
// a code STS just accepted for this device, since STS takes each code once.
// The prompt must be answered within PromptTimeout of the start of the run,
// that wait included, and STS must answer within RunLimit of it (when set).
func (o *Options) withMFACode(ctx context.Context, p profile, call func(ctx context.Context, code string) (cache.Session, error)) (cache.Session, error) {
	// mfa_process is read only now, when a code is needed: a cache hit
	// reads no file the SDK has not read already.
	prompter := o.Prompter
	command, err := customKey(p.Name, "mfa_process")
	if err != nil {
		return cache.Session{}, err
	}
	if command != "" {
		o.Debugf("%s: reading the MFA code from mfa_process", p.Name)
		prompter = o.MFAProcess(command)
	}
	if err := o.checkGaveUp(p.MFASerial); err != nil {
		return cache.Session{}, err
	}
	req := prompt.Request{Profile: p.Name, MFASerial: p.MFASerial}
	for try, typos := 1, 0; ; {
		if err := o.waitForNextCode(ctx, p.MFASerial, try == 1 && typos == 0); err != nil {
			return cache.Session{}, err
		}
		code, err := o.ask(ctx, prompter, req)
		if errors.Is(err, prompt.ErrInvalidCode) && typos < maxTypos {
			// A typo never reaches STS and costs no try: say what was
			// wrong and ask again at once.
			typos++
			req.Retry, req.Invalid = "", err.Error()
			continue
		}
		req.Invalid = ""
		if err != nil {
			// Only an answer the user gave (or withheld) is remembered: a
			// missing display should be reported as itself. mfa_process
			// is remembered whatever its failure: running it again at once
			// would ask for a second PIN or key touch.
			if command != "" || errors.Is(err, prompt.ErrCanceled) || errors.Is(err, prompt.ErrInvalidCode) || errors.Is(err, context.DeadlineExceeded) {
				o.rememberGaveUp(p.MFASerial)
			}
			return cache.Session{}, err
		}
		sess, err := o.callWithinRun(ctx, call, code)
		var rejected *codeRejectedError
		var maybeSpent *codeMaybeSpentError
		switch {
		case err == nil:
			o.codeAccepted(p.MFASerial)
			return sess, nil
		case errors.As(err, &rejected) && try < MaxTries:
			try++
			req.Retry = rejected.Message
		case errors.As(err, &maybeSpent) && try < MaxTries:
			// STS may have taken the code without its answer reaching us:
			// the same code again would be refused as spent.
			try++
			o.codeAccepted(p.MFASerial)
			req.Retry = "STS did not answer for sure, and may have used that code; enter the next code your device shows"
			o.Debugf("%s: %v; asking for the next code", p.Name, err)
		case errors.As(err, &rejected):
			o.rememberGaveUp(p.MFASerial)
			return cache.Session{}, fmt.Errorf("STS rejected %d MFA codes for %s (%s); check the device's clock and that mfa_serial names the device you read the code from", MaxTries, redact.Show(redact.ARN, p.MFASerial), rejected.Message)
		default:
			// STS failed after the user answered (network, keys, device):
			// processes waiting on the lock must not each ask again.
			o.rememberGaveUp(p.MFASerial)
			return cache.Session{}, err
		}
	}
}

// callWithinRun makes the call with a code, ended at RunLimit after the
// start of the run when there is one.
func (o *Options) callWithinRun(ctx context.Context, call func(ctx context.Context, code string) (cache.Session, error), code string) (cache.Session, error) {
	if o.RunLimit <= 0 {
		return call(ctx, code)
	}
	ctx, cancel := context.WithTimeout(ctx, o.start.Add(o.RunLimit).Sub(o.Now()))
	defer cancel()
	return call(ctx, code)
}

// errPromptDeadline ends a prompt at PromptTimeout after the start of the run.
type errPromptDeadline struct{ after time.Duration }

func (e *errPromptDeadline) Error() string {
	return fmt.Sprintf("the MFA code was not entered within %v of the start of awsmfa (the Go SDKs stop a credential_process after 60s); run the command again and enter the code sooner", e.after)
}

func (e *errPromptDeadline) Unwrap() error { return context.DeadlineExceeded }

// minAnswerTime is the least time a prompt is shown for: less is not worth
// a dialog the user cannot answer.
const minAnswerTime = 5 * time.Second

// ask runs one prompt, ended at PromptTimeout after the start of the run.
func (o *Options) ask(ctx context.Context, prompter prompt.Prompter, req prompt.Request) (string, error) {
	left := o.start.Add(o.PromptTimeout).Sub(o.Now())
	deadline := &errPromptDeadline{after: o.PromptTimeout}
	if left < minAnswerTime {
		return "", deadline
	}
	pctx, cancel := context.WithTimeoutCause(ctx, left, deadline)
	defer cancel()
	code, err := prompter.MFACode(pctx, req)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(pctx), deadline) {
		return "", deadline
	}
	return code, err
}
