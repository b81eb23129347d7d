package stsstub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// session is a set of temporary credentials the stand-in issued.
type session struct {
	accessKeyID     string
	secretAccessKey string
	sessionToken    string
	expires         time.Time
	// user is the IAM user at the root of the chain; its MFA devices stay
	// the ones that count even for role sessions.
	user *User
	// mfa is true when MFA was proven when this session or one it was
	// derived from was issued.
	mfa  bool
	role *assumedRole // nil for GetSessionToken sessions
	// federated marks a GetFederationToken session; role then holds the
	// federated user's identity.
	federated bool
	// noPolicy marks a federated session made without a policy, which AWS
	// leaves without any permission.
	noPolicy bool
}

type assumedRole struct {
	accountID     string
	assumedRoleID string // AROA…:session-name
	arn           string // arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION
}

// caller is who signed a request.
type caller struct {
	user    *User
	session *session // nil when signed with the user's long-term key
}

func (c caller) identity() (arn, userID, account string) {
	if c.session != nil && c.session.role != nil {
		r := c.session.role
		return r.arn, r.assumedRoleID, r.accountID
	}
	return c.user.ARN(), uniqueID("AIDA", c.user.ARN()), c.user.AccountID
}

func (c caller) mfaAuthenticated() bool { return c.session != nil && c.session.mfa }

// issueSession creates and remembers a session; the caller holds s.mu.
func (s *Server) issueSession(user *User, mfa bool, role *assumedRole, requested time.Duration, now time.Time) *session {
	d := requested
	if s.cfg.MaxSessionDuration > 0 && d > s.cfg.MaxSessionDuration {
		d = s.cfg.MaxSessionDuration
	}
	sess := &session{
		accessKeyID:     "ASIA" + randomUpperAlnum(16),
		secretAccessKey: randomBase64(30), // 30 bytes → 40 characters, like AWS secrets
		sessionToken:    "IQoJb3JpZ2luX2VjE" + randomBase64(300),
		expires:         now.Add(d).Truncate(time.Second),
		user:            user,
		mfa:             mfa,
		role:            role,
	}
	s.sessions[sess.accessKeyID] = sess
	return sess
}

// base32 without padding is exactly A–Z and 2–7: upper-case alphanumerics.
var upperAlnum = base32.StdEncoding.WithPadding(base32.NoPadding)

func randomUpperAlnum(n int) string {
	return upperAlnum.EncodeToString(randomBytes(n))[:n]
}

// randomBase64 uses the standard alphabet on purpose: real secrets and
// tokens contain '+' and '/', which clients must carry through unharmed.
func randomBase64(n int) string {
	return base64.StdEncoding.EncodeToString(randomBytes(n))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// uniqueID derives a stable AWS-style unique ID (AIDA…, AROA…) from a name,
// so that the same user or role always shows the same ID.
func uniqueID(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	return prefix + upperAlnum.EncodeToString(sum[:])[:17]
}

func newRequestID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// parseRoleARN splits a role ARN such as
// arn:aws:iam::123456789012:role/path/Name into partition, account and name.
func parseRoleARN(roleARN string) (partition, account, name string, ok bool) {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", "", false
	}
	resource := parts[5]
	name = resource[strings.LastIndex(resource, "/")+1:]
	if parts[1] == "" || len(parts[4]) != 12 || name == "" {
		return "", "", "", false
	}
	return parts[1], parts[4], name, true
}
