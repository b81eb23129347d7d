package credserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// fetcher plays process.Credentials: each call takes the next result from
// results, after announcing itself on called.
type fetcher struct {
	called  chan int
	results chan result
	n       int
}

type result struct {
	sess cache.Session
	err  error
}

func newFetcher() *fetcher {
	return &fetcher{called: make(chan int, 16), results: make(chan result, 16)}
}

func (f *fetcher) fetch(ctx context.Context) (cache.Session, error) {
	f.n++
	f.called <- f.n
	select {
	case r := <-f.results:
		return r.sess, r.err
	case <-ctx.Done():
		return cache.Session{}, ctx.Err()
	}
}

func session(key string, exp time.Time) cache.Session {
	return cache.Session{AccessKeyID: key, SecretAccessKey: "secret-" + key, SessionToken: "token-" + key, Expiration: exp}
}

// logs collects what the server says, to check that no secret is in it.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type harness struct {
	srv   *Server
	clock *stsstub.ManualClock
	fetch *fetcher
	logs  *logs
	t0    time.Time
}

// start runs a server on loopback whose first session expires in life.
func start(t testing.TB, life time.Duration) *harness {
	t.Helper()
	t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	h := &harness{clock: stsstub.NewManualClock(t0), fetch: newFetcher(), logs: &logs{}, t0: t0}
	h.fetch.results <- result{sess: session("ASIAFIRST", t0.Add(life))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.srv, err = Start(t.Context(), ln, Options{
		Profile:       "work",
		Fetch:         h.fetch.fetch,
		RefreshWindow: 20 * time.Minute,
		Now:           h.clock.Now,
		Notef:         h.logs.logf,
		Debugf:        h.logs.logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	<-h.fetch.called
	t.Cleanup(func() {
		if err := h.srv.Close(); err != nil {
			t.Error(err)
		}
		for _, secret := range []string{h.srv.Token, "secret-", "token-"} {
			if strings.Contains(h.logs.String(), secret) {
				t.Errorf("the server logged a secret (%q):\n%s", secret, h.logs)
			}
		}
	})
	return h
}

type reply struct {
	status int
	body   map[string]string
}

// get sends the request an SDK sends, changed by edit.
func (h *harness) get(t *testing.T, edit func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", h.srv.Token)
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode}
	// Go's own refusal of oversized headers is plain text.
	if len(b) > 0 && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("reply %d is not a JSON object of strings: %q", resp.StatusCode, b)
		}
	}
	return r
}

func TestServesTheSessionInTheContainerFormat(t *testing.T) {
	h := start(t, 12*time.Hour)
	r := h.get(t, nil)
	want := map[string]string{
		"AccessKeyId":     "ASIAFIRST",
		"SecretAccessKey": "secret-ASIAFIRST",
		"Token":           "token-ASIAFIRST",
		"Expiration":      "2030-01-02T00:00:00Z",
	}
	if r.status != http.StatusOK || fmt.Sprint(r.body) != fmt.Sprint(want) {
		t.Errorf("got %d %v, want 200 %v", r.status, r.body, want)
	}
	// The Host an SDK sends for http://localhost:PORT/ is the server's own too.
	port := h.srv.URL[strings.LastIndex(h.srv.URL, ":")+1 : len(h.srv.URL)-1]
	if r := h.get(t, func(req *http.Request) { req.Host = "localhost:" + port }); r.status != http.StatusOK {
		t.Errorf("Host localhost: got %d %v", r.status, r.body)
	}
}

func TestRefusesRequestsWithoutTokenOrForOtherHosts(t *testing.T) {
	h := start(t, 12*time.Hour)
	port := h.srv.URL[strings.LastIndex(h.srv.URL, ":")+1 : len(h.srv.URL)-1]
	for _, c := range []struct {
		name   string
		edit   func(*http.Request)
		status int
	}{
		{"no token", func(r *http.Request) { r.Header.Del("Authorization") }, http.StatusUnauthorized},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", strings.ToUpper(h.srv.Token)) }, http.StatusForbidden},
		{"token with a suffix", func(r *http.Request) { r.Header.Set("Authorization", h.srv.Token+"x") }, http.StatusForbidden},
		{"rebound DNS name", func(r *http.Request) { r.Host = "rebound.example:" + port }, http.StatusForbidden},
		{"another port", func(r *http.Request) { r.Host = "127.0.0.1:1" }, http.StatusForbidden},
		{"no port", func(r *http.Request) { r.Host = "127.0.0.1" }, http.StatusForbidden},
		{"POST", func(r *http.Request) { r.Method = http.MethodPost }, http.StatusMethodNotAllowed},
		{"another path", func(r *http.Request) { r.URL.Path = "/latest/meta-data/" }, http.StatusNotFound},
		{"a body", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("x")), 1
		}, http.StatusRequestEntityTooLarge},
		{"huge headers", func(r *http.Request) { r.Header.Set("X-Pad", strings.Repeat("p", 2*maxHeaderBytes)) }, http.StatusRequestHeaderFieldsTooLarge},
	} {
		r := h.get(t, c.edit)
		if r.status != c.status || r.body["AccessKeyId"] != "" || r.body["SecretAccessKey"] != "" {
			t.Errorf("%s: got %d %v, want %d without credentials", c.name, r.status, r.body, c.status)
		}
		if c.status != http.StatusRequestHeaderFieldsTooLarge && !strings.HasPrefix(r.body["message"], "awsmfa: ") {
			t.Errorf("%s: the error body says no reason: %v", c.name, r.body)
		}
	}
}

func TestEveryServerHasItsOwnToken(t *testing.T) {
	a, b := start(t, time.Hour), start(t, time.Hour)
	if a.srv.Token == b.srv.Token || len(a.srv.Token) != 43 {
		t.Errorf("tokens %q and %q: want two different 256-bit tokens", a.srv.Token, b.srv.Token)
	}
}

func TestTheOldSessionIsServedWhileTheRenewalWaits(t *testing.T) {
	h := start(t, time.Hour)
	h.clock.Advance(41 * time.Minute) // 19 minutes left: due
	if r := h.get(t, nil); r.status != http.StatusOK || r.body["AccessKeyId"] != "ASIAFIRST" {
		t.Fatalf("got %d %v, want the first session", r.status, r.body)
	}
	<-h.fetch.called // the request started the renewal, which waits for its code
	for range 3 {
		if r := h.get(t, nil); r.status != http.StatusOK || r.body["AccessKeyId"] != "ASIAFIRST" {
			t.Fatalf("during the renewal: got %d %v, want the first session", r.status, r.body)
		}
	}
	h.fetch.results <- result{sess: session("ASIASECOND", h.clock.Now().Add(12*time.Hour))}
	waitFor(t, func() bool { return h.get(t, nil).body["AccessKeyId"] == "ASIASECOND" })
	select {
	case n := <-h.fetch.called:
		t.Errorf("the renewed session was renewed again (call %d)", n)
	default:
	}
}

func TestWithoutASessionARequestFailsAtOnceAndAsksAgainLater(t *testing.T) {
	h := start(t, time.Hour)
	h.clock.Advance(41 * time.Minute)
	h.get(t, nil)
	<-h.fetch.called
	h.fetch.results <- result{err: errors.New("MFA prompt cancelled")}
	waitFor(t, func() bool { return strings.Contains(h.logs.String(), "failed: MFA prompt cancelled") })
	if !strings.Contains(h.logs.String(), `renewing the session of profile "work" failed: MFA prompt cancelled; the session served is good for 19m0s, and awsmfa asks again in 1m0s`) {
		t.Errorf("the failure was not told as expected:\n%s", h.logs)
	}

	// Still good: served, and no new prompt on every request.
	for range 3 {
		if r := h.get(t, nil); r.status != http.StatusOK {
			t.Fatalf("got %d %v, want the old session while it lasts", r.status, r.body)
		}
	}
	// Expired: a request fails at once, with the reason, and asks again.
	h.clock.Advance(19 * time.Minute)
	if r := h.get(t, nil); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body["message"], "(MFA prompt cancelled)") {
		t.Fatalf("got %d %v, want 503 with the reason", r.status, r.body)
	}
	<-h.fetch.called
	h.fetch.results <- result{err: errors.New("no display")}
	waitFor(t, func() bool { return strings.Contains(h.logs.String(), "failed: no display") })
	r := h.get(t, nil)
	want := "awsmfa: no session to serve: renewing it failed (no display); retry 10s after that to be asked for the MFA code again"
	if r.status != http.StatusServiceUnavailable || r.body["message"] != want || r.body["AccessKeyId"] != "" {
		t.Fatalf("got %d %v, want 503 with %q", r.status, r.body, want)
	}
	// Within 10 s of a failure a request does not ask again...
	h.clock.Advance(9 * time.Second)
	h.get(t, nil)
	select {
	case n := <-h.fetch.called:
		t.Fatalf("a request 9s after a failure asked again (call %d)", n)
	default:
	}
	// ...after that it does, and the new session is served.
	h.clock.Advance(time.Second)
	h.get(t, nil)
	<-h.fetch.called
	h.fetch.results <- result{sess: session("ASIASECOND", h.clock.Now().Add(12*time.Hour))}
	waitFor(t, func() bool { return h.get(t, nil).body["AccessKeyId"] == "ASIASECOND" })
}

func TestRenewsOnItsOwnBeforeTheWindow(t *testing.T) {
	// The real clock: the first session enters the window at once.
	f := newFetcher()
	f.results <- result{sess: session("ASIAFIRST", time.Now().Add(20*time.Minute+50*time.Millisecond))}
	f.results <- result{sess: session("ASIASECOND", time.Now().Add(12*time.Hour))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(t.Context(), ln, Options{Fetch: f.fetch, RefreshWindow: 20 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	<-f.called
	<-f.called // no request made: the timer did it
	waitFor(t, func() bool { s, _ := srv.Session(); return s.AccessKeyID == "ASIASECOND" })
}

func TestFailedRenewalsBackOff(t *testing.T) {
	h := start(t, 12*time.Hour)
	var waits []time.Duration
	for range 6 {
		h.srv.failed(errors.New("no display"))
		h.srv.mu.Lock()
		waits = append(waits, h.srv.nextAttempt.Sub(h.clock.Now()))
		h.srv.mu.Unlock()
	}
	if got, want := fmt.Sprint(waits), "[1m0s 2m0s 4m0s 8m0s 10m0s 10m0s]"; got != want {
		t.Errorf("waits after failures: %s, want %s", got, want)
	}
	h.srv.renewed(session("ASIASECOND", h.clock.Now().Add(12*time.Hour)))
	h.srv.failed(errors.New("no display"))
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	if d := h.srv.nextAttempt.Sub(h.clock.Now()); d != time.Minute {
		t.Errorf("after a success the first retry waits %v, want 1m", d)
	}
}

func TestTheSameSessionBackIsLookedAtAgainInAMinute(t *testing.T) {
	// A role session shorter than twice the window: the flow's own window
	// is shorter, so it hands back the session served, still "fresh".
	h := start(t, 30*time.Minute)
	h.srv.renewed(session("ASIAFIRST", h.t0.Add(30*time.Minute)))
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	if d := h.srv.nextAttempt.Sub(h.clock.Now()); d != recheck {
		t.Errorf("the next look is in %v, want %v", d, recheck)
	}
}

func TestStartFailsWithoutASession(t *testing.T) {
	f := newFetcher()
	f.results <- result{err: errors.New("MFA prompt cancelled")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Start(t.Context(), ln, Options{Fetch: f.fetch, RefreshWindow: time.Minute}); err == nil || err.Error() != "MFA prompt cancelled" {
		t.Errorf("Start = %v, want the fetch's error", err)
	}
}

func TestHostsAccepted(t *testing.T) {
	for _, c := range []struct {
		addr    *net.TCPAddr
		url     string
		allowed []string
		refused []string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9911}, "http://127.0.0.1:9911/",
			[]string{"127.0.0.1:9911", "localhost:9911"}, []string{"127.0.0.2:9911", "rebound.example:9911", "localhost:80"}},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9911}, "http://[::1]:9911/",
			[]string{"[::1]:9911", "localhost:9911"}, []string{"127.0.0.1:9911", "rebound.example:9911"}},
		{&net.TCPAddr{IP: net.IPv4(169, 254, 170, 2), Port: 80}, "http://169.254.170.2:80/",
			[]string{"169.254.170.2:80"}, []string{"localhost:80", "rebound.example:80"}},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9911}, "http://127.0.0.1:9911/",
			[]string{"127.0.0.1:9911", "10.1.2.3:9911", "[fe80::1]:9911"}, []string{"localhost:9911", "rebound.example:9911"}},
	} {
		s := &Server{}
		if err := s.setAddress(c.addr); err != nil {
			t.Fatal(err)
		}
		if s.URL != c.url {
			t.Errorf("%v: URL %s, want %s", c.addr, s.URL, c.url)
		}
		for _, h := range c.allowed {
			if !s.hostAllowed(h) {
				t.Errorf("%v: Host %s refused", c.addr, h)
			}
		}
		for _, h := range c.refused {
			if s.hostAllowed(h) {
				t.Errorf("%v: Host %s accepted", c.addr, h)
			}
		}
	}
}

// waitFor waits for cond, which another goroutine makes true, for at
// most 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
