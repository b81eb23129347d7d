package process

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/redact"
)

type assumeRoleInput struct {
	RoleARN, SessionName, ExternalID string
	Duration                         time.Duration
}

// assumeRole calls sts:AssumeRole for role profile p with creds (long-term
// keys, or a session when SessionToken is set) of profile sourceName. A
// non-empty code is sent with p's mfa_serial, for trust policies that need
// MFA when the source has no MFA session.
func assumeRole(ctx context.Context, p profile, creds cache.Session, sourceName string, in assumeRoleInput, code string) (cache.Session, error) {
	ctx, cancel := stsDeadline(ctx)
	defer cancel()
	client, err := p.stsClient(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	if err != nil {
		return cache.Session{}, err
	}
	req := awsquery.AssumeRoleInput{
		RoleARN:         in.RoleARN,
		RoleSessionName: in.SessionName,
		ExternalID:      in.ExternalID,
		DurationSeconds: int32(in.Duration / time.Second),
	}
	if code != "" {
		req.SerialNumber, req.TokenCode = p.MFASerial, code
	}
	out, err := client.AssumeRole(ctx, req)
	if err != nil {
		return cache.Session{}, explainAssumeRoleError(err, client.Endpoint(), p, creds, sourceName)
	}
	noteClockSkew(ctx, client)
	return sessionFrom(out), nil
}

// explainAssumeRoleError says what to do about an AssumeRole failure; what
// it shares with GetSessionToken (codes, clock, throttling, network) is
// explained by explainSTSError.
func explainAssumeRoleError(err error, endpoint string, p profile, creds cache.Session, sourceName string) error {
	var apiErr *awsquery.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.Code, stsMessage(apiErr, p)
		role := redact.Show(redact.ARN, p.RoleARN)
		switch {
		case code == "AccessDenied" && strings.Contains(msg, "not authorized to perform: sts:AssumeRole"):
			return fmt.Errorf("STS refused to let profile %q assume %s: %s; check role_arn and external_id in profile %q, and that the role's trust policy allows this user (and, if it requires MFA, give %q or %q an mfa_serial)", sourceName, role, msg, p.Name, sourceName, p.Name)
		case code == "ValidationError" && strings.Contains(msg, "DurationSeconds"):
			return fmt.Errorf("STS refused the session length for %s: %s; lower duration_seconds in profile %q (roles assumed with an MFA session get at most 3600)", role, msg, p.Name)
		case code == "ValidationError":
			return fmt.Errorf("STS refused AssumeRole for profile %q: %s; fix role_arn, role_session_name or external_id", p.Name, msg)
		case (code == "ExpiredToken" || code == "InvalidClientTokenId") && creds.SessionToken != "":
			return fmt.Errorf("STS no longer accepts the cached session of profile %q (%s: %s); drop it with: awsmfa clear --profile %s", sourceName, code, msg, sourceName)
		case code == "InvalidClientTokenId" || (code == "SignatureDoesNotMatch" && !strings.Contains(msg, "Signature expired")):
			// The source's long-term keys are wrong: the fix is on the source.
			src := p
			src.Name = sourceName
			return explainSTSError(err, "AssumeRole", endpoint, src, cache.Keys{AccessKeyID: creds.AccessKeyID})
		case code == "AccessDenied" && !strings.Contains(msg, "MultiFactorAuthentication"):
			return fmt.Errorf("STS denied AssumeRole of %s for profile %q: %s; check the role's trust policy and the user's policies", role, p.Name, msg)
		case code != "AccessDenied" && code != "SignatureDoesNotMatch" && !strings.Contains(code, "Throttl") && code != "RequestLimitExceeded":
			return fmt.Errorf("STS AssumeRole failed at %s: %s: %s", endpoint, code, msg)
		}
	}
	return explainSTSError(err, "AssumeRole", endpoint, p, cache.Keys{AccessKeyID: creds.AccessKeyID})
}
