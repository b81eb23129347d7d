package process

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// Role session limits.
const (
	// DefaultRoleDuration is what AssumeRole gets when duration_seconds is
	// not set: AWS's own default, and the most role chaining allows.
	DefaultRoleDuration = time.Hour
	// MaxChainedRoleDuration is STS's cap for a role assumed with a session
	// (an MFA session included): "role chaining".
	MaxChainedRoleDuration = time.Hour
	// maxSourceDepth bounds source_profile chains, and so loops among
	// them, which the SDK's config loader accepts.
	maxSourceDepth = 5
)

// targetKind is how a profile gets its credentials.
type targetKind int

const (
	// mfaUser: an IAM user with mfa_serial; a cached GetSessionToken session.
	mfaUser targetKind = iota
	// keysUser: an IAM user without mfa_serial, usable only as a role's
	// source; its long-term keys sign AssumeRole directly.
	keysUser
	// role: role_arn + source_profile; a cached AssumeRole session.
	role
)

// target is one profile's place in the plan: what to ask STS for, under
// which cache key, and where the credentials for that call come from.
type target struct {
	kind   targetKind
	p      profile
	key    cache.SessionKey // zero for keysUser, which is never cached
	window time.Duration    // how much life a cached session must have left

	// Roles only.
	depth        int // source_profile steps from the profile asked for
	source       *target
	duration     time.Duration
	clampedFrom  time.Duration // the duration_seconds asked for, when it was lowered
	sessionName  string
	mfaInRequest bool // pass SerialNumber/TokenCode to AssumeRole itself
}

// plan works out, without any STS call or keyring read, how p is served.
// from is the role that uses p as its source_profile (nil at the top).
func (o *Options) plan(ctx context.Context, p profile, from *target) (*target, error) {
	if p.RoleARN == "" {
		return o.planUser(p, from)
	}
	depth := 0
	if from != nil {
		depth = from.depth + 1
	}
	if p.SourceProfile == p.Name {
		return nil, fmt.Errorf("profile %q names itself as its source_profile; set source_profile to the profile that holds your IAM user's mfa_serial", p.Name)
	}
	if depth >= maxSourceDepth {
		return nil, fmt.Errorf("profile %q is more than %d source_profile steps from an IAM user; shorten the chain of roles", p.Name, maxSourceDepth)
	}
	if p.SourceProfile == "" {
		if p.CredentialSrc != "" {
			return nil, fmt.Errorf("profile %q uses credential_source = %s, which awsmfa cannot serve; set source_profile to the profile that holds your IAM user's mfa_serial instead", p.Name, redact.Show(redact.Name, p.CredentialSrc))
		}
		return nil, fmt.Errorf("profile %q has role_arn but no source_profile; add source_profile = the profile that holds your IAM user's mfa_serial", p.Name)
	}
	t := &target{kind: role, p: p, depth: depth}
	srcProfile, err := p.source(ctx)
	if err != nil {
		return nil, err
	}
	if t.source, err = o.plan(ctx, srcProfile, t); err != nil {
		return nil, err
	}
	t.mfaInRequest = !t.source.hasMFA() && p.MFASerial != ""
	t.sessionName = p.RoleSessionName
	if t.sessionName == "" {
		t.sessionName = defaultSessionName(t.root().p.Name)
	}

	t.duration = p.RoleDuration
	if t.duration == 0 {
		t.duration = DefaultRoleDuration
	}
	if t.source.kind != keysUser && t.duration > MaxChainedRoleDuration {
		t.clampedFrom, t.duration = t.duration, MaxChainedRoleDuration
	}
	t.window = min(o.RefreshWindow, t.duration/2)

	settings := []string{
		"role_arn=" + p.RoleARN,
		"external_id=" + p.ExternalID,
		"session_name=" + t.sessionName,
		"duration=" + strconv.FormatInt(int64(t.duration/time.Second), 10),
		"region=" + p.Region,
		"endpoint=" + p.Endpoint,
		"source=" + t.source.keyString(),
	}
	if t.mfaInRequest {
		settings = append(settings, "mfa_serial="+p.MFASerial)
	}
	t.key = cache.NewSessionKey(p.Name, settings...)
	return t, nil
}

func (o *Options) planUser(p profile, from *target) (*target, error) {
	if p.MFASerial == "" {
		if from == nil {
			return nil, fmt.Errorf("profile %q has no mfa_serial; add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE to it", p.Name)
		}
		return &target{kind: keysUser, p: p}, nil
	}
	// The same key `awsmfa process --profile <this profile>` uses, so that
	// every role with this source shares its one MFA session.
	return &target{
		kind:   mfaUser,
		p:      p,
		key:    cache.NewSessionKey(p.Name, p.cacheSettings(o.Duration)...),
		window: o.RefreshWindow,
	}, nil
}

// hasMFA reports whether t's credentials carry MFA, which satisfies a role
// trust policy's MFA condition without passing a code again.
func (t *target) hasMFA() bool {
	switch t.kind {
	case mfaUser:
		return true
	case role:
		return t.mfaInRequest || t.source.hasMFA()
	}
	return false
}

func (t *target) root() *target {
	for t.source != nil {
		t = t.source
	}
	return t
}

// keyString names t's credentials in the cache key of a role that uses them.
func (t *target) keyString() string {
	if t.kind == keysUser {
		return "keys:" + t.p.Name
	}
	return t.key.String()
}

// defaultSessionName is "awsmfa-<IAM-user profile>", in the characters and
// length AssumeRole accepts, so CloudTrail shows whose credentials assumed
// the role even when several people share it.
func defaultSessionName(userProfile string) string {
	// A loop, not a regexp: a package-level regexp is compiled on every
	// run, cache hits included.
	var b strings.Builder
	b.WriteString("awsmfa-")
	for _, r := range userProfile {
		if b.Len() == 64 {
			break
		}
		if sessionNameAllowed(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// sessionNameAllowed reports whether AssumeRole accepts r in a session name:
// [\w+=,.@-].
func sessionNameAllowed(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("_+=,.@-", r)
}

// describe is a one-line summary for --debug, never with a secret.
func (t *target) describe() string {
	var parts []string
	for s := t; s != nil; s = s.source {
		switch s.kind {
		case mfaUser:
			parts = append(parts, fmt.Sprintf("%s (MFA session, device %s)", s.p.Name, redact.Show(redact.ARN, s.p.MFASerial)))
		case keysUser:
			parts = append(parts, s.p.Name+" (long-term keys)")
		case role:
			parts = append(parts, fmt.Sprintf("%s (role %s, %v)", s.p.Name, redact.Show(redact.ARN, s.p.RoleARN), s.duration))
		}
	}
	return strings.Join(parts, " <- ")
}
