// Package stsstub is a loopback-only stand-in for AWS STS, faithful enough on
// the wire (Query protocol, XML, SigV4, TOTP MFA) that real SDKs and the AWS
// CLI can be pointed at it in tests. It counts calls; tests add injected
// faults (Faults) and an HTTP admin API (StartForTests), which `awsmfa demo`
// does not use, so the binary links neither.
package stsstub

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	stsVersion = "2011-06-15"
	// maxBodyBytes is far above any STS request; it only bounds memory.
	maxBodyBytes = 1 << 20
)

// Server is the STS stand-in. It is an http.Handler; Start also serves it.
type Server struct {
	cfg   Config
	clock Clock
	users []*User
	roles map[string]*Role

	mu           sync.Mutex
	sessions     map[string]*session // by access key ID
	lastUsedStep map[string]int64    // by MFA serial: one-time use of codes
	calls        map[string]ActionCalls
	admin        http.Handler          // the test-only API under /_stub/, nil without one
	iamData      *iamState             // see iam.go
	accessKeys   map[string]*accessKey // by access key ID; see access_keys.go
	keysMade     int                   // numbers keys in order of creation
	newKeyDelay  time.Duration
	signinTokens map[string]*signinToken // see federation.go

	httpServer *http.Server
	url        string
	// inflight lets Close wait for handlers, so none logs after a test ended.
	inflight sync.WaitGroup
}

// New builds a stand-in from cfg without listening anywhere.
func New(cfg Config) *Server {
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	s := &Server{
		cfg:          cfg,
		clock:        cfg.Clock,
		roles:        map[string]*Role{},
		sessions:     map[string]*session{},
		lastUsedStep: map[string]int64{},
		accessKeys:   map[string]*accessKey{},
		newKeyDelay:  cfg.NewKeyDelay,
		signinTokens: map[string]*signinToken{},
	}
	created := cfg.Clock.Now()
	for i := range cfg.Users {
		u := cfg.Users[i]
		s.users = append(s.users, &u)
		s.addKey(&accessKey{id: u.AccessKeyID, secret: u.SecretAccessKey, user: &u, active: true, created: created})
	}
	for i := range cfg.Roles {
		r := cfg.Roles[i]
		s.roles[r.ARN] = &r
	}
	s.Reset()
	if cfg.Admin != nil {
		s.admin = cfg.Admin(s)
	}
	return s
}

// Start serves a new stand-in on an ephemeral port of 127.0.0.1. It never
// listens on another address: the stand-in accepts well-known demo keys.
func Start(cfg Config) (*Server, error) {
	s := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.httpServer = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.httpServer.Serve(ln) }()
	return s, nil
}

// URL is the base URL to use as the STS endpoint, e.g. "http://127.0.0.1:PORT".
// It is empty for a Server made with New.
func (s *Server) URL() string { return s.url }

// Close stops serving and drops open connections.
func (s *Server) Close() error {
	if s.httpServer == nil {
		return nil
	}
	// Closing the connections cancels the requests' contexts, which ends
	// injected delays, so the wait is short.
	err := s.httpServer.Close()
	s.inflight.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// request is what an action handler gets to work with.
type request struct {
	params    url.Values
	caller    caller
	now       time.Time
	requestID string
}

// actionHandler runs with s.mu held, so MFA code consumption and session
// bookkeeping are atomic per request.
type actionHandler func(s *Server, req request) (any, *apiError)

var actions = map[string]actionHandler{
	"GetSessionToken":    (*Server).getSessionToken,
	"GetCallerIdentity":  (*Server).getCallerIdentity,
	"AssumeRole":         (*Server).assumeRole,
	"GetFederationToken": (*Server).getFederationToken,
}

// ServeHTTP answers STS requests and, under /_stub/, the admin API if
// there is one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Done()
	if s.admin == nil && r.URL.Path == codePath {
		s.serveCode(w, r)
		return
	}
	if s.admin != nil && strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.admin.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == FederationPath {
		s.serveFederation(w, r)
		return
	}
	requestID := newRequestID()
	action, resp, apiErr := s.handleSTS(w, r, requestID)
	if errors.Is(r.Context().Err(), context.Canceled) {
		s.logf("stsstub: %s abandoned by client", action)
		return
	}
	w.Header().Set("x-amzn-RequestId", requestID)
	// Clients compare this Date with their own clock to correct skew.
	w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
	if apiErr != nil {
		s.logf("stsstub: %s -> %d %s: %s", action, apiErr.Status, apiErr.Code, apiErr.Message)
		writeError(w, requestID, apiErr)
		return
	}
	s.recordSuccess(action)
	s.logf("stsstub: %s -> 200", action)
	writeXML(w, http.StatusOK, resp)
}

func (s *Server) handleSTS(w http.ResponseWriter, r *http.Request, requestID string) (string, any, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return "", nil, &apiError{http.StatusBadRequest, "MalformedInput", "Could not read the request body."}
	}
	params, apiErr := requestParams(r, body)
	if apiErr != nil {
		return "", nil, apiErr
	}
	action := params.Get("Action")
	if action == "" {
		return "", nil, &apiError{http.StatusBadRequest, "MissingAction", "Missing Action"}
	}

	delay, failure, lostReply := s.recordCall(action)
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			// Nobody is listening; ServeHTTP sees the cancellation and
			// writes nothing.
			return action, nil, &apiError{http.StatusServiceUnavailable, "RequestAbandoned", "the client went away"}
		}
	}
	if failure != nil {
		return action, nil, failure
	}

	table, wantVersion := actionsFor(r)
	handler, known := table[action]
	if version := params.Get("Version"); !known || version != wantVersion {
		return action, nil, errInvalidAction(action, version)
	}
	c, apiErr := s.authenticate(r, body)
	if apiErr != nil {
		return action, nil, apiErr
	}

	resp, apiErr := s.run(handler, request{params: params, caller: c, requestID: requestID})
	if lostReply != nil {
		return action, nil, s.loseReply(action, apiErr, lostReply)
	}
	return action, resp, apiErr
}

// run calls handler with s.mu held, at the time the lock was taken, so
// requests that race see the clock in the order they run.
func (s *Server) run(handler actionHandler, req request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req.now = s.clock.Now()
	return handler(s, req)
}

// loseReply counts an action that went through as done, since its effects
// stay, and returns the error the client gets instead of the real outcome.
func (s *Server) loseReply(action string, outcome, lostReply *apiError) *apiError {
	if outcome == nil {
		s.recordSuccess(action)
		s.logf("stsstub: %s carried out; its reply is lost", action)
	} else {
		s.logf("stsstub: %s refused (%s); its reply is lost", action, outcome.Code)
	}
	return lostReply
}

// requestParams merges the query string with a form-encoded body, as the
// Query protocol allows either.
func requestParams(r *http.Request, body []byte) (url.Values, *apiError) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "MalformedQueryString", err.Error()}
	}
	if len(body) == 0 {
		return params, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		return nil, &apiError{http.StatusBadRequest, "MalformedInput", "Unsupported Content-Type " + mediaType}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "MalformedInput", err.Error()}
	}
	for k, v := range form {
		params[k] = append(params[k], v...)
	}
	return params, nil
}

// authenticate verifies the SigV4 signature and finds who made the request.
func (s *Server) authenticate(r *http.Request, body []byte) (caller, *apiError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return caller{}, errMissingAuthenticationToken()
	}
	auth, apiErr := parseAuthorization(header)
	if apiErr != nil {
		return caller{}, apiErr
	}
	signedAt, amzDate, apiErr := requestTime(r, auth)
	if apiErr != nil {
		return caller{}, apiErr
	}
	now := s.clock.Now()
	if apiErr := checkFreshness(signedAt, now); apiErr != nil {
		return caller{}, apiErr
	}
	c, secret, apiErr := s.lookupCaller(auth.accessKeyID, r.Header.Get("X-Amz-Security-Token"), now)
	if apiErr != nil {
		return caller{}, apiErr
	}
	if !verifySignature(r, body, auth, amzDate, secret) {
		return caller{}, errSignatureDoesNotMatch(msgBadSignature)
	}
	return c, nil
}

// lookupCaller resolves an access key (and session token) to a caller and
// the secret the request must have been signed with.
func (s *Server) lookupCaller(accessKeyID, token string, now time.Time) (caller, string, *apiError) {
	s.mu.Lock()
	key, isKey := s.accessKeys[accessKeyID]
	usable := isKey && key.usable(now, s.newKeyDelay)
	sess, ok := s.sessions[accessKeyID]
	s.mu.Unlock()
	if isKey {
		// A key IAM has not spread yet, or one made inactive, is refused
		// as AWS refuses it: as if it did not exist.
		if token != "" || !usable {
			return caller{}, "", errInvalidClientTokenID()
		}
		return caller{user: key.user}, key.secret, nil
	}
	if !ok || !constantTimeEqual(token, sess.sessionToken) {
		return caller{}, "", errInvalidClientTokenID()
	}
	if !now.Before(sess.expires) {
		return caller{}, "", errExpiredToken()
	}
	return caller{user: sess.user, session: sess}, sess.secretAccessKey, nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}
