package stsstub

import (
	"net/http"
	"time"
)

// User is an IAM user the stand-in knows, with its long-term access key
// (the first of its keys: CreateAccessKey adds more, up to IAM's two).
type User struct {
	UserName        string
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
	// MFADevices maps an MFA device serial (ARN) to its base32 TOTP secret.
	MFADevices map[string]string
}

// ARN is the user's IAM ARN, as GetCallerIdentity reports it.
func (u User) ARN() string {
	return "arn:aws:iam::" + u.AccountID + ":user/" + u.UserName
}

// Role restricts and shapes AssumeRole. Without any configured roles every
// well-formed role ARN may be assumed by every user.
type Role struct {
	ARN string
	// RequireMFA mimics a trust policy with aws:MultiFactorAuthPresent: the
	// caller must pass a valid SerialNumber/TokenCode or sign with an MFA session.
	RequireMFA bool
	// ExternalID, when set, must match the request's ExternalId.
	ExternalID string
	// MaxSessionDuration is the role's limit (AWS default 1 h); 0 means 12 h,
	// the largest value AWS allows, so only the API limits apply.
	MaxSessionDuration time.Duration
}

// Config describes the stand-in's world.
type Config struct {
	// Clock defaults to RealClock.
	Clock Clock
	Users []User
	// Roles, if any, are the only roles AssumeRole accepts.
	Roles []Role
	// MaxSessionDuration, when positive, caps the lifetime of every issued
	// session whatever was asked, so tests can watch sessions expire quickly.
	MaxSessionDuration time.Duration
	// Faults, when set, fails, delays or loses the replies of requests as
	// planned (tests only).
	Faults FaultPlan
	// Admin, when set, builds the handler of the test-only API under
	// /_stub/ (see StartForTests).
	Admin func(*Server) http.Handler
	// NewKeyDelay, when positive, is how long (on Clock) a key made by
	// CreateAccessKey is refused as unknown, as IAM's keys take a few
	// seconds to be accepted everywhere. SetNewKeyDelay changes it.
	NewKeyDelay time.Duration
	// Logf, when set, receives one line per request. Secrets, session tokens
	// and MFA codes are never passed to it.
	Logf func(format string, args ...any)
}

// Demo identity, using the placeholder key from the AWS documentation so that
// nobody mistakes it for a real one.
const (
	DemoAccountID       = "123456789012"
	DemoUserName        = "alice"
	DemoAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DemoSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	DemoMFASerial       = "arn:aws:iam::123456789012:mfa/alice"
	DemoTOTPSecret      = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// DemoUser returns a ready-made user with one virtual MFA device.
func DemoUser() User {
	return User{
		UserName:        DemoUserName,
		AccountID:       DemoAccountID,
		AccessKeyID:     DemoAccessKeyID,
		SecretAccessKey: DemoSecretAccessKey,
		MFADevices:      map[string]string{DemoMFASerial: DemoTOTPSecret},
	}
}
