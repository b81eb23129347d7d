// Package credserver serves one profile's session on the container
// credentials endpoint that every AWS SDK reads: a GET on
// AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN
// in the Authorization header, answered with AccessKeyId, SecretAccessKey,
// Token and Expiration.
//
// SDKs give up on this endpoint within a second or two, so a request never
// waits for a person: it gets the session held in memory. The session is
// fetched when the server starts (which may ask for a code) and renewed in
// the background before it enters the refresh window, while the old one is
// still served.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/cache"
)

// The environment variables the SDKs read, set for the programs served.
const (
	URIEnv   = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	TokenEnv = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
)

const (
	// MinServedLife is the least life a session must have left to be handed
	// out: a call signed with it would likely fail on its way.
	MinServedLife = time.Minute
	// firstRetry and maxRetry bound the wait before asking again after a
	// renewal failed (cancelled, no display, STS down); it doubles in
	// between. A request that finds no session to serve asks sooner.
	firstRetry = time.Minute
	maxRetry   = 10 * time.Minute
	// recheck is how soon to look again when a renewal returned the session
	// already served: the flow's own window for it is shorter (a short role
	// session) and has not been reached yet.
	recheck = time.Minute
	// requestRetryGap is how long after a failed renewal a request may start
	// another: longer than the flow's 5-second memory of a dismissed prompt,
	// so that the new attempt asks again rather than failing at once.
	requestRetryGap = 10 * time.Second
	// maxHeaderBytes bounds a request; a credentials request is a few
	// hundred bytes, and no body is read.
	maxHeaderBytes = 8 << 10
)

// Options configures a server.
type Options struct {
	// Profile names the profile served, in messages.
	Profile string
	// Fetch returns a session with more than the refresh window left: from
	// the cache, or a new one after asking for a code. It is the same call
	// credential_process makes, with its cache, lock and prompt.
	Fetch func(ctx context.Context) (cache.Session, error)
	// RefreshWindow is how long before its expiry a session is renewed: the
	// window Fetch itself uses, so that the server and credential_process
	// callers renew at the same moment, under one lock and one prompt.
	RefreshWindow time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Notef tells the user about a failed renewal (one line, no secret).
	Notef func(format string, args ...any)
	// Debugf receives diagnostics; never a secret.
	Debugf func(format string, args ...any)
}

// Server is a running credentials endpoint.
type Server struct {
	// URL is the address to put in AWS_CONTAINER_CREDENTIALS_FULL_URI.
	URL string
	// Token is the value for AWS_CONTAINER_AUTHORIZATION_TOKEN.
	Token string

	o         Options
	tokenHash [sha256.Size]byte
	port      string
	hosts     []string // the Host names accepted; nil: any IP literal
	http      *http.Server
	kick      chan struct{}
	stop      context.CancelFunc
	done      sync.WaitGroup

	mu          sync.Mutex
	sess        cache.Session
	lastErr     error     // why the last renewal failed; nil after a success
	nextAttempt time.Time // when the renewer next calls Fetch
	lastEnded   time.Time // when the last call to Fetch returned
	retry       time.Duration
}

// Start gets the first session with ctx (so the user can interrupt the
// prompt), then serves it on ln until Close. A failure to get it is
// returned, and nothing is served.
func Start(ctx context.Context, ln net.Listener, o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Notef == nil {
		o.Notef = func(string, ...any) {}
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	s := &Server{Token: token, o: o, tokenHash: sha256.Sum256([]byte(token)), kick: make(chan struct{}, 1), retry: firstRetry}
	if err := s.setAddress(ln.Addr()); err != nil {
		return nil, err
	}
	sess, err := o.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	s.renewed(sess)

	// The renewer outlives ctx: exec's ctx ends on Ctrl-C, which the
	// command it runs may well handle and go on.
	life, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(debugWriter(o.Debugf), "", 0),
		BaseContext:       func(net.Listener) context.Context { return life },
	}
	s.done.Add(2)
	go func() {
		defer s.done.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Notef("the credentials server stopped: %v", err)
		}
	}()
	go func() {
		defer s.done.Done()
		s.renewLoop(life)
	}()
	return s, nil
}

// Close stops serving and renewing; a renewal under way is interrupted.
func (s *Server) Close() error {
	s.stop()
	err := s.http.Close()
	s.done.Wait()
	return err
}

// newToken is 256 bits from crypto/rand, URL-safe so that it survives
// every shell, env file and header it is put in.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the server's token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// setAddress works out URL and the Host headers accepted from the address
// the server listens on. A Host that is a DNS name other than localhost is
// how DNS rebinding reaches a server on loopback from a web page, so only
// the address itself (and localhost on loopback) is accepted; on an
// unspecified address (0.0.0.0) any IP literal is, never a name.
func (s *Server) setAddress(addr net.Addr) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("the credentials server needs a TCP address, not %v", addr)
	}
	s.port = strconv.Itoa(tcp.Port)
	host := tcp.IP.String()
	switch {
	case tcp.IP.IsUnspecified():
		host = "127.0.0.1"
	case tcp.IP.IsLoopback():
		s.hosts = []string{host, "localhost"}
	default:
		s.hosts = []string{host}
	}
	s.URL = "http://" + net.JoinHostPort(host, s.port) + "/"
	return nil
}

// Session is the session the server hands out now, or why there is none.
func (s *Server) Session() (cache.Session, error) {
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	servable := s.sess.Expiration.Sub(now) > MinServedLife
	// A request never waits for a renewal, but it may start one that is
	// due: the timer runs late after a suspended laptop wakes. After a
	// failure it does so only once nothing can be served, so that a
	// dismissed prompt does not come back with every request.
	due := s.sess.Expiration.Sub(now) <= s.o.RefreshWindow
	if due && (s.lastErr == nil || !servable) && !now.Before(s.lastEnded.Add(requestRetryGap)) {
		s.wake(now)
	}
	if servable {
		return s.sess, nil
	}
	if s.lastErr != nil {
		return cache.Session{}, fmt.Errorf("no session to serve: renewing it failed (%v); retry %v after that to be asked for the MFA code again", s.lastErr, requestRetryGap)
	}
	return cache.Session{}, errors.New("no session to serve: the session expired and its renewal is waiting for the MFA code; answer awsmfa's prompt and retry")
}

// wake brings the next renewal forward to now; s.mu is held.
func (s *Server) wake(now time.Time) {
	if s.nextAttempt.After(now) {
		s.nextAttempt = now
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// renewLoop calls Fetch whenever a renewal is due, until ctx ends.
func (s *Server) renewLoop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := s.nextAttempt.Sub(s.o.Now())
		s.mu.Unlock()
		if wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			case <-s.kick:
				timer.Stop() // Go 1.23 timers: nothing stale is left in timer.C
			}
			continue // look at the schedule again: a kick may have moved it
		}
		sess, err := s.o.Fetch(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.failed(err)
		} else {
			s.renewed(sess)
		}
	}
}

// renewed makes sess the session served, and plans its renewal.
func (s *Server) renewed(sess cache.Session) {
	now := s.o.Now()
	s.mu.Lock()
	s.lastEnded, s.lastErr, s.retry = now, nil, firstRetry
	same := sess.AccessKeyID == s.sess.AccessKeyID
	if same {
		s.nextAttempt = now.Add(recheck)
	} else {
		s.sess = sess
		s.nextAttempt = sess.Expiration.Add(-s.o.RefreshWindow)
	}
	next := s.nextAttempt
	s.mu.Unlock()
	// Logged without the lock: a stderr nobody reads must not hold up requests.
	if !same {
		s.o.Debugf("serving a session that expires at %s; renewing it from %s", sess.Expiration.UTC().Format(time.RFC3339), next.UTC().Format(time.RFC3339))
	}
}

// failed records why a renewal failed and when to ask again.
func (s *Server) failed(err error) {
	now := s.o.Now()
	s.mu.Lock()
	s.lastEnded, s.lastErr = now, err
	s.nextAttempt = now.Add(s.retry)
	s.retry = min(2*s.retry, maxRetry)
	left, wait := s.sess.Expiration.Sub(now), s.nextAttempt.Sub(now)
	s.mu.Unlock()
	served := "the session served has expired"
	if left > MinServedLife {
		served = "the session served is good for " + left.Round(time.Second).String()
	}
	s.o.Notef("renewing the session of profile %q failed: %v; %s, and awsmfa asks again in %v", s.o.Profile, err, served, wait.Round(time.Second))
}

// ServeHTTP answers a credentials request: the Host and the token are
// checked before anything else, and nothing about the request is logged
// but its outcome.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, sess, err := s.answer(r)
	s.o.Debugf("credentials request %s %q from %s: %d", r.Method, r.URL.Path, r.RemoteAddr, status)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	var body any
	if err != nil {
		// The shape the SDKs read from a container endpoint's error; botocore
		// shows the body as is, the Go SDK "code: message".
		body = struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{http.StatusText(status), "awsmfa: " + err.Error()}
	} else {
		body = struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string `json:"SecretAccessKey"`
			Token           string `json:"Token"`
			Expiration      string `json:"Expiration"`
		}{sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken, sess.Expiration.UTC().Format(time.RFC3339)}
	}
	b, _ := json.Marshal(body) // plain strings: cannot fail
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(b, '\n'))
	}
}

func (s *Server) answer(r *http.Request) (int, cache.Session, error) {
	if !s.hostAllowed(r.Host) {
		return http.StatusForbidden, cache.Session{}, errors.New("this server answers only requests addressed to " + s.URL)
	}
	token := r.Header.Get("Authorization")
	if token == "" {
		return http.StatusUnauthorized, cache.Session{}, errors.New("no token: send " + TokenEnv + " in the Authorization header")
	}
	// Hashing first makes the comparison's time independent of the length too.
	if got := sha256.Sum256([]byte(token)); subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 {
		return http.StatusForbidden, cache.Session{}, errors.New("wrong token: use the " + TokenEnv + " this server was started with")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return http.StatusMethodNotAllowed, cache.Session{}, errors.New("only GET is served")
	}
	if r.URL.Path != "/" {
		return http.StatusNotFound, cache.Session{}, errors.New("credentials are served at / only")
	}
	if r.ContentLength != 0 {
		return http.StatusRequestEntityTooLarge, cache.Session{}, errors.New("a credentials request has no body")
	}
	sess, err := s.Session()
	if err != nil {
		return http.StatusServiceUnavailable, cache.Session{}, err
	}
	return http.StatusOK, sess, nil
}

// hostAllowed checks the Host header against the server's own address.
func (s *Server) hostAllowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port != s.port {
		return false
	}
	if s.hosts == nil {
		return net.ParseIP(host) != nil
	}
	for _, h := range s.hosts {
		if host == h {
			return true
		}
	}
	return false
}

// debugWriter turns the HTTP server's own log lines (connection errors,
// never a header) into diagnostics.
type debugWriter func(format string, args ...any)

func (d debugWriter) Write(p []byte) (int, error) {
	d("credentials server: %s", bytesTrimNewline(p))
	return len(p), nil
}

func bytesTrimNewline(p []byte) string {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return string(p)
}
