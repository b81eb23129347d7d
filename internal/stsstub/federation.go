package stsstub

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// This file adds the console's way in: STS GetFederationToken, and the AWS
// federation endpoint (signin.aws.amazon.com/federation), which turns role
// or federation credentials into a sign-in token (Action=getSigninToken)
// and a sign-in token into a console session (Action=login). In place of
// the console, login shows a page naming the identity that signed in.

// FederationPath is where the stand-in serves the federation endpoint.
const FederationPath = "/federation"

// Limits from the STS API reference and the federation endpoint's docs.
const (
	federationTokenDefault = 12 * time.Hour
	federationTokenMin     = 15 * time.Minute
	federationTokenMax     = 36 * time.Hour
	signinTokenLife        = 15 * time.Minute
	consoleSessionMin      = 15 * time.Minute
	consoleSessionMax      = 12 * time.Hour
)

var federatedNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })

// signinToken is what Action=login accepts; guarded by Server.mu.
type signinToken struct {
	identity, account string
	federated         bool
	noPolicy          bool
	expires           time.Time
}

type getFederationTokenResponse struct {
	XMLName xml.Name `xml:"GetFederationTokenResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials   credentialsXML `xml:"Credentials"`
		FederatedUser struct {
			FederatedUserID string `xml:"FederatedUserId"`
			Arn             string `xml:"Arn"`
		} `xml:"FederatedUser"`
		PackedPolicySize int `xml:"PackedPolicySize"`
	} `xml:"GetFederationTokenResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func (s *Server) getFederationToken(req request) (any, *apiError) {
	name := req.params.Get("Name")
	if name == "" {
		return nil, missingParameter("name")
	}
	if e := firstError(
		validateLength("name", name, 2, 32),
		validatePattern("name", name, federatedNamePattern, `[\w+=,.@-]+`),
	); e != nil {
		return nil, e
	}
	duration, e := durationParam(req.params.Get("DurationSeconds"), federationTokenDefault, federationTokenMin, federationTokenMax)
	if e != nil {
		return nil, e
	}
	if req.caller.session != nil {
		return nil, errAccessDenied("Cannot call GetFederationToken with session credentials")
	}
	user := req.caller.user
	identity := &assumedRole{
		accountID:     user.AccountID,
		assumedRoleID: user.AccountID + ":" + name,
		arn:           "arn:aws:sts::" + user.AccountID + ":federated-user/" + name,
	}
	sess := s.issueSession(user, false, identity, duration, req.now)
	sess.federated = true
	sess.noPolicy = req.params.Get("Policy") == "" && req.params.Get("PolicyArns.member.1.arn") == ""
	resp := getFederationTokenResponse{Xmlns: stsNamespace, Metadata: responseMetadata{req.requestID}}
	resp.Result.Credentials = credentialsOf(sess)
	resp.Result.FederatedUser.FederatedUserID = identity.assumedRoleID
	resp.Result.FederatedUser.Arn = identity.arn
	return resp, nil
}

// serveFederation answers the federation endpoint. Its errors are plain
// text with a 4xx status, as the real endpoint's are not STS XML.
func (s *Server) serveFederation(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	action := r.Form.Get("Action")
	if action != "getSigninToken" && action != "login" {
		http.Error(w, "Bad request: unknown Action", http.StatusBadRequest)
		return
	}
	// Counted and faulted like an STS action, under the federation's own names.
	_, failure, _ := s.recordCall(action)
	if failure != nil {
		s.logf("stsstub: federation %s -> %d %s (injected)", action, failure.Status, failure.Code)
		http.Error(w, failure.Message, failure.Status)
		return
	}
	var status int
	var problem string
	if action == "getSigninToken" {
		status, problem = s.issueSigninToken(w, r)
	} else {
		status, problem = s.consoleLogin(w, r)
	}
	if problem != "" {
		s.logf("stsstub: federation %s -> %d: %s", action, status, problem)
		http.Error(w, problem, status)
		return
	}
	s.recordSuccess(action)
	s.logf("stsstub: federation %s -> 200", action)
}

// issueSigninToken checks the session of the Session parameter and answers
// with a sign-in token, or returns the status and message of a refusal.
func (s *Server) issueSigninToken(w http.ResponseWriter, r *http.Request) (int, string) {
	var creds struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if err := json.Unmarshal([]byte(r.Form.Get("Session")), &creds); err != nil || creds.ID == "" {
		return http.StatusBadRequest, "Invalid Session parameter: a JSON object with sessionId, sessionKey and sessionToken"
	}
	var duration time.Duration
	if v := r.Form.Get("SessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		duration = time.Duration(n) * time.Second
		if err != nil || duration < consoleSessionMin || duration > consoleSessionMax {
			return http.StatusBadRequest, "SessionDuration must be between 900 and 43200 seconds"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	sess, ok := s.sessions[creds.ID]
	switch {
	case !ok || !constantTimeEqual(creds.Key, sess.secretAccessKey) || !constantTimeEqual(creds.Token, sess.sessionToken):
		return http.StatusBadRequest, "Invalid credentials: the session in the Session parameter is not known"
	case !now.Before(sess.expires):
		return http.StatusBadRequest, "The security token included in the request is expired"
	case sess.role == nil:
		return http.StatusBadRequest, "Only federation tokens or assume role tokens may be used for federated login"
	case duration > 0 && sess.federated:
		return http.StatusBadRequest, "SessionDuration cannot be used with GetFederationToken credentials"
	}
	token := randomBase64(96)
	s.signinTokens[token] = &signinToken{
		identity:  sess.role.arn,
		account:   sess.role.accountID,
		federated: sess.federated,
		noPolicy:  sess.noPolicy,
		expires:   now.Add(signinTokenLife),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
	return http.StatusOK, ""
}

// consoleLogin takes a sign-in token and shows who is now signed in.
func (s *Server) consoleLogin(w http.ResponseWriter, r *http.Request) (int, string) {
	issuer, destination := r.Form.Get("Issuer"), r.Form.Get("Destination")
	if destination == "" {
		return http.StatusBadRequest, "Bad request: Destination is required"
	}
	s.mu.Lock()
	t, ok := s.signinTokens[r.Form.Get("SigninToken")]
	valid := ok && s.clock.Now().Before(t.expires)
	s.mu.Unlock()
	if !valid {
		return http.StatusBadRequest, "Your sign-in token is not valid or has expired (sign-in tokens last 15 minutes); request a new one"
	}
	kind := "assumed role"
	if t.federated {
		kind = "federated user"
	}
	permissions := ""
	if t.noPolicy {
		permissions = `<p id="permissions">This federated session has no permissions: GetFederationToken was called without a policy.</p>`
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html>
<html><head><title>Signed in - STS stand-in console</title></head>
<body>
<h1>Signed in to the STS stand-in's console</h1>
<p>Signed in as <span id="identity">%s</span> (%s) in account <span id="account">%s</span>.</p>
%s<p>Destination: <span id="destination">%s</span></p>
<p>Issuer: <span id="issuer">%s</span></p>
</body></html>
`, html.EscapeString(t.identity), kind, html.EscapeString(t.account), permissions, html.EscapeString(destination), html.EscapeString(issuer))
	return http.StatusOK, ""
}
