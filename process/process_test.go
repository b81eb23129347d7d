package process

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
	"github.com/awsmfa/awsmfa/prompt"
)

// memStore is an in-memory Store whose sessions a test can plant.
type memStore struct {
	mu       sync.Mutex
	sessions map[cache.SessionKey]cache.Session
	keys     map[string]cache.Keys
}

func (m *memStore) Session(k cache.SessionKey) (cache.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[k]
	if !ok {
		return cache.Session{}, cache.ErrNotFound
	}
	return s, nil
}

func (m *memStore) SetSession(k cache.SessionKey, s cache.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[k] = s
	return nil
}

func (m *memStore) Keys(profile string) (cache.Keys, error) {
	k, ok := m.keys[profile]
	if !ok {
		return cache.Keys{}, cache.ErrNotFound
	}
	return k, nil
}

// codePrompter answers with the stand-in's current code, or with the
// scripted answers first, and counts how often it was asked.
type codePrompter struct {
	srv     *stsstub.Server
	mu      sync.Mutex
	answers []string
	asked   []prompt.Request
	onAsk   func(ctx context.Context) // sees the prompt's context
}

func (p *codePrompter) MFACode(ctx context.Context, req prompt.Request) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, req)
	if len(p.answers) > 0 {
		a := p.answers[0]
		p.answers = p.answers[1:]
		if a == "cancel" {
			return "", prompt.ErrCanceled
		}
		return prompt.ParseCode(a) // as every driver does
	}
	if p.onAsk != nil {
		p.onAsk(ctx)
	}
	return p.srv.Code(req.MFASerial)
}

func (p *codePrompter) Passphrase(context.Context, string) (string, error) {
	return "", errors.New("no passphrase in tests")
}

type fixture struct {
	srv        *stsstub.Server
	faults     *stsstub.Faults
	clock      *stsstub.ManualClock
	store      *memStore
	prompt     *codePrompter
	opts       Options
	configPath string
	notes      []string        // what Notef told the user
	slept      []time.Duration // what Sleep waited
}

// newFixture points the SDK's config loading at a temporary config file and
// the endpoint settings at a fresh stand-in, as a user's environment would.
// With roles, the stand-in accepts AssumeRole only for those.
func newFixture(t *testing.T, roles ...stsstub.Role) *fixture {
	clock := stsstub.NewManualClock(time.Now().UTC().Truncate(time.Second))
	user := stsstub.DemoUser()
	srv, faults, err := stsstub.StartForTests(stsstub.Config{Clock: clock, Users: []stsstub.User{user}, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	err = os.WriteFile(cfg, []byte("[profile work]\nmfa_serial = "+stsstub.DemoMFASerial+"\ncredential_process = awsmfa process --profile work\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_PROFILE", "")

	store := &memStore{
		sessions: map[cache.SessionKey]cache.Session{},
		keys:     map[string]cache.Keys{"work": {AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey}},
	}
	p := &codePrompter{srv: srv}
	f := &fixture{srv: srv, faults: faults, clock: clock, store: store, prompt: p, configPath: cfg}
	f.opts = Options{
		Profile:  "work",
		Store:    store,
		Prompter: p,
		LockDir:  filepath.Join(dir, "locks"),
		StateDir: filepath.Join(dir, "codes"),
		Now:      clock.Now,
		// Waiting for the next code window moves the stand-in's clock,
		// as the real time would move on.
		Sleep: func(ctx context.Context, d time.Duration) error {
			f.slept = append(f.slept, d)
			clock.Advance(d)
			return ctx.Err()
		},
		Notef: func(format string, args ...any) { f.notes = append(f.notes, fmt.Sprintf(format, args...)) },
	}
	return f
}

// addConfig appends sections to the fixture's AWS config file.
func (f *fixture) addConfig(t *testing.T, text string) {
	t.Helper()
	file, err := os.OpenFile(f.configPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := file.WriteString("\n" + text); err != nil {
		t.Fatal(err)
	}
}

func TestColdThenWarm(t *testing.T) {
	f := newFixture(t)
	first, err := Credentials(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.AccessKeyID, "ASIA") || first.SessionToken == "" {
		t.Fatalf("not a session: %+v", first.AccessKeyID)
	}
	if got, want := first.Expiration.Sub(f.clock.Now()), DefaultDuration; got != want {
		t.Errorf("session lasts %v, want the default %v", got, want)
	}
	second, err := Credentials(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Error("warm call did not serve the cached session")
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken called %d times, want 1", n)
	}
}

func TestRefreshWindow(t *testing.T) {
	f := newFixture(t)
	first, err := Credentials(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	// Just outside the window: still served.
	f.clock.Set(first.Expiration.Add(-DefaultRefreshWindow - time.Second))
	if got, err := Credentials(context.Background(), f.opts); err != nil || got != first {
		t.Fatalf("with %v left: got a new session or error %v, want the cached one", DefaultRefreshWindow+time.Second, err)
	}
	// Inside the window: refreshed, so no client ever gets a session that
	// botocore (15 min) or the JS SDK (5 min) would refresh at once.
	f.clock.Set(first.Expiration.Add(-DefaultRefreshWindow))
	got, err := Credentials(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if got == first {
		t.Fatal("a session inside the refresh window was served")
	}
	if n := len(f.prompt.asked); n != 2 {
		t.Errorf("asked %d times, want 2", n)
	}
}

func TestShortSessionsRefreshAtHalfLife(t *testing.T) {
	f := newFixture(t)
	f.opts.Duration = 15 * time.Minute
	first, err := Credentials(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(first.Expiration.Add(-7*time.Minute - 31*time.Second))
	if got, err := Credentials(context.Background(), f.opts); err != nil || got != first {
		t.Fatalf("a 15-minute session with 7m31s left was not served from the cache (err %v)", err)
	}
	f.clock.Set(first.Expiration.Add(-7*time.Minute - 30*time.Second))
	if got, err := Credentials(context.Background(), f.opts); err != nil || got == first {
		t.Fatalf("a 15-minute session at half-life was served, want a refresh (err %v)", err)
	}
}

func TestSettingsChangeTheCacheKey(t *testing.T) {
	f := newFixture(t)
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(){
		func() { t.Setenv("AWS_REGION", "us-west-2") },
		func() { f.opts.Duration = time.Hour },
		func() { t.Setenv("AWS_ENDPOINT_URL_STS", f.srv.URL()+"/") },
	} {
		change()
		f.clock.Advance(30 * time.Second) // a fresh TOTP window for the next code
		before := len(f.prompt.asked)
		if _, err := Credentials(context.Background(), f.opts); err != nil {
			t.Fatal(err)
		}
		if len(f.prompt.asked) != before+1 {
			t.Errorf("after a settings change the old session was served")
		}
	}
}

func TestRejectedCodeIsAskedAgainWithSTSReason(t *testing.T) {
	f := newFixture(t)
	f.prompt.answers = []string{"000000"}
	if code, _ := f.srv.Code(stsstub.DemoMFASerial); code == "000000" {
		f.prompt.answers = []string{"111111"}
	}
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.prompt.asked) != 2 {
		t.Fatalf("asked %d times, want 2", len(f.prompt.asked))
	}
	if r := f.prompt.asked[1].Retry; !strings.Contains(r, "invalid MFA one time pass code") {
		t.Errorf("retry prompt shows %q, want STS's reason", r)
	}
	if r := f.prompt.asked[0].Retry; r != "" {
		t.Errorf("first prompt shows a retry reason %q", r)
	}
}

func TestCancelStopsWithoutCallingSTS(t *testing.T) {
	f := newFixture(t)
	f.prompt.answers = []string{"cancel"}
	_, err := Credentials(context.Background(), f.opts)
	if !errors.Is(err, prompt.ErrCanceled) {
		t.Fatalf("got %v, want ErrCanceled", err)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 0 {
		t.Errorf("STS called %d times after a cancel", n)
	}
}

func TestARerunRightAfterACancelFailsWithoutASecondDialog(t *testing.T) {
	f := newFixture(t)
	f.prompt.answers = []string{"cancel"}
	if _, err := Credentials(context.Background(), f.opts); !errors.Is(err, prompt.ErrCanceled) {
		t.Fatalf("got %v, want ErrCanceled", err)
	}
	// The JavaScript SDK's default chain runs the helper again at once.
	f.clock.Advance(GiveUpMemory - time.Second)
	_, err := Credentials(context.Background(), f.opts)
	if err == nil || !strings.Contains(err.Error(), "does not ask the same command again within 5s") {
		t.Fatalf("got %v, want the remembered cancel", err)
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Fatalf("asked %d times, want 1: the rerun must not pop a second dialog", n)
	}
	// A person trying again a moment later is asked as usual.
	f.clock.Advance(time.Second)
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if n := len(f.prompt.asked); n != 2 {
		t.Errorf("asked %d times, want 2", n)
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	f := newFixture(t)
	const callers = 8
	var wg sync.WaitGroup
	results := make([]cache.Session, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Credentials(context.Background(), f.opts)
		}()
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("caller %d got a different session", i)
		}
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken called %d times, want 1", n)
	}
}

func TestOptionErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		change func(o *Options)
		want   string
	}{
		{"no profile", func(o *Options) { o.Profile = "" }, "no profile given"},
		{"short duration", func(o *Options) { o.Duration = time.Minute }, "outside STS's limits"},
		{"long duration", func(o *Options) { o.Duration = 37 * time.Hour }, "outside STS's limits"},
		{"window too wide", func(o *Options) { o.Duration = 15 * time.Minute; o.RefreshWindow = 15 * time.Minute }, "must be shorter than the session duration"},
		{"missing profile", func(o *Options) { o.Profile = "nosuch" }, `profile "nosuch" is not in the AWS config files`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := f.opts
			tc.change(&o)
			_, err := Credentials(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if len(f.prompt.asked) != 0 {
		t.Error("an invalid request prompted the user")
	}
}

func TestEnterChain(t *testing.T) {
	chain, err := EnterChain("", "work")
	if err != nil || chain != "work" {
		t.Fatalf("got %q, %v", chain, err)
	}
	chain, err = EnterChain(chain, "other")
	if err != nil || chain != "work,other" {
		t.Fatalf("got %q, %v", chain, err)
	}
	if _, err := EnterChain(chain, "work"); err == nil || !strings.Contains(err.Error(), "work -> other -> work") {
		t.Fatalf("recursion not reported: %v", err)
	}
}

func TestAWaitForAnotherProcessIsExplained(t *testing.T) {
	f := newFixture(t)
	o := f.opts
	o.setDefaults()
	p, err := loadProfile(context.Background(), "work")
	if err != nil {
		t.Fatal(err)
	}
	target, err := o.plan(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another process holds the lock: it is showing the dialog.
	unlock, err := cache.Lock(context.Background(), f.opts.LockDir, target.key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	notes := make(chan string, 1)
	o = f.opts
	o.lockNoteAfter = time.Millisecond
	o.Notef = func(format string, args ...any) { notes <- fmt.Sprintf(format, args...) }
	result := make(chan error, 1)
	go func() {
		_, err := Credentials(context.Background(), o)
		result <- err
	}()
	select {
	case note := <-notes:
		if !strings.Contains(note, `waiting for another awsmfa process that is asking for the MFA code for profile "work"`) {
			t.Errorf("note = %q", note)
		}
	case err := <-result:
		t.Fatalf("returned (%v) while another process held the lock", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no note while waiting for the lock")
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

// A config file that cannot be opened is reported as such, not as a
// profile to add.
func TestUnopenableConfigFileIsReportedAsItself(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(notADir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(notADir, "credentials"))
	_, err := loadProfile(context.Background(), "work")
	if err == nil || !strings.Contains(err.Error(), `profile "work" cannot be read:`) || strings.Contains(err.Error(), "add a [profile") {
		t.Errorf("error %v; want the file that cannot be read", err)
	}
}

// A setting the SDK refuses is named without repeating a value that may be
// a secret pasted into the wrong place.
func TestSDKRefusalsDoNotRepeatSecrets(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nmax_attempts = "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	_, err := loadProfile(context.Background(), "work")
	if err == nil || strings.Contains(err.Error(), "wJalr") || !strings.Contains(err.Error(), "max_attempts") {
		t.Errorf("got %v; want max_attempts named and the value not shown", err)
	}
}

// STS took the code but its answer was lost (a 5xx after the work was
// done): the SDK does not send the spent code again; awsmfa waits for the
// next code window and asks for the next code, saying why in the prompt.
func TestALostReplyAsksForTheNextCode(t *testing.T) {
	f := newFixture(t)
	f.faults.LoseReplyNext("GetSessionToken", 1, http.StatusInternalServerError, "InternalFailure", "An internal error has occurred")
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 2 {
		t.Errorf("GetSessionToken called %d times, want 2 (the lost one, then one with the next code)", n)
	}
	if len(f.prompt.asked) != 2 || !strings.Contains(f.prompt.asked[1].Retry, "may have used that code") {
		t.Fatalf("asked %+v; want a second prompt that says the last code may be spent", f.prompt.asked)
	}
	if len(f.slept) == 0 {
		t.Error("asked again without waiting for the next code window")
	}
}
