package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// DefaultSTSTimeout bounds one STS call, the SDK's retries and their backoff
// included. STS answers in well under a second; a call that hangs (a dead
// proxy, a black-holed route) must fail with a message while the prompt and
// the call together stay inside the 60 s the Go SDK gives a
// credential_process before killing it.
const DefaultSTSTimeout = 15 * time.Second

// clockSkewTolerance is how far this computer's clock may be from STS's
// before awsmfa says so. STS refuses signatures more than 5 minutes off;
// the SDK then retries with its clock corrected by STS's Date header, so
// the call succeeds, but other tools on the machine may not be so lucky.
const clockSkewTolerance = time.Minute

// codeRejectedError is STS refusing the one-time code itself; the only STS
// error worth asking the user again for.
type codeRejectedError struct{ Message string }

func (e *codeRejectedError) Error() string { return "MFA code rejected: " + e.Message }

// codeMaybeSpentError is a call with a code whose reply was lost (a 5xx, a
// broken connection): STS may have taken the code, so the next try needs
// the next one.
type codeMaybeSpentError struct{ err error }

func (e *codeMaybeSpentError) Error() string { return e.err.Error() }
func (e *codeMaybeSpentError) Unwrap() error { return e.err }

// stsCall is one STS call for profile p signed with creds.
type stsCall struct {
	p      profile
	client *sts.Client
	// code is the MFA code the call carries, "" for none: such a call is
	// not retried by the SDK unless the failure proves STS did not see it.
	code string
}

func (o *Options) newSTSCall(ctx context.Context, p profile, creds aws.CredentialsProvider, code string) (stsCall, error) {
	client, err := p.aws.STS(ctx, creds)
	if err != nil {
		return stsCall{}, ConfigError(p.Name, err)
	}
	return stsCall{p: p, client: client, code: code}, nil
}

// options are the per-call options: no retry of a spent code.
func (c stsCall) options(o *sts.Options) {
	if c.code != "" {
		o.Retryer = awsclient.OneTimeCode(o.Retryer)
	}
}

// getSessionToken trades the long-term keys and an MFA code for a session.
func (o *Options) getSessionToken(ctx context.Context, p profile, keys cache.Keys, code string) (cache.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, o.STSTimeout)
	defer cancel()
	c, err := o.newSTSCall(ctx, p, awsclient.Static(keys.AccessKeyID, keys.SecretAccessKey, ""), code)
	if err != nil {
		return cache.Session{}, err
	}
	out, err := c.client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(o.Duration / time.Second)),
		SerialNumber:    aws.String(p.MFASerial),
		TokenCode:       aws.String(code),
	}, c.options)
	if err != nil {
		return cache.Session{}, c.explain(ctx, err, "GetSessionToken", p, keys)
	}
	o.noteClockSkew(out.ResultMetadata)
	return sessionFrom(out.Credentials)
}

type assumeRoleInput struct {
	RoleARN, SessionName, ExternalID string
	Duration                         time.Duration
}

// assumeRole calls sts:AssumeRole for role profile p with creds (long-term
// keys, or a session when SessionToken is set) of profile sourceName. A
// non-empty code is sent with p's mfa_serial, for trust policies that need
// MFA when the source has no MFA session.
func (o *Options) assumeRole(ctx context.Context, p profile, creds cache.Session, sourceName string, in assumeRoleInput, code string) (cache.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, o.STSTimeout)
	defer cancel()
	c, err := o.newSTSCall(ctx, p, awsclient.Static(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken), code)
	if err != nil {
		return cache.Session{}, err
	}
	req := &sts.AssumeRoleInput{
		RoleArn:         aws.String(in.RoleARN),
		RoleSessionName: aws.String(in.SessionName),
		DurationSeconds: aws.Int32(int32(in.Duration / time.Second)),
	}
	if in.ExternalID != "" {
		req.ExternalId = aws.String(in.ExternalID)
	}
	if code != "" {
		req.SerialNumber, req.TokenCode = aws.String(p.MFASerial), aws.String(code)
	}
	out, err := c.client.AssumeRole(ctx, req, c.options)
	if err != nil {
		if explained := explainAssumeRoleError(err, c.endpoint(ctx), p, creds, sourceName); explained != nil {
			return cache.Session{}, explained
		}
		return cache.Session{}, c.explain(ctx, err, "AssumeRole", p, cache.Keys{AccessKeyID: creds.AccessKeyID})
	}
	o.noteClockSkew(out.ResultMetadata)
	return sessionFrom(out.Credentials)
}

func (c stsCall) endpoint(ctx context.Context) string { return awsclient.STSEndpoint(ctx, c.client) }

// explain is explainSTSError, marking a lost reply to a call with a code.
func (c stsCall) explain(ctx context.Context, err error, action string, p profile, keys cache.Keys) error {
	explained := explainSTSError(err, action, c.endpoint(ctx), p, keys)
	if c.code != "" && ctx.Err() == nil && awsclient.MayHaveRun(err) && !isCodeRejected(explained) {
		return &codeMaybeSpentError{explained}
	}
	return explained
}

func isCodeRejected(err error) bool {
	var rejected *codeRejectedError
	return errors.As(err, &rejected)
}

func sessionFrom(c *types.Credentials) (cache.Session, error) {
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return cache.Session{}, errors.New("STS answered without complete credentials; retry, and report it if it happens again")
	}
	return cache.Session{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Expiration:      c.Expiration.UTC(),
	}, nil
}

// noteClockSkew tells the user when STS's clock (its Date header) and this
// computer's differ by more than clockSkewTolerance.
func (o *Options) noteClockSkew(md middleware.Metadata) {
	skew, ok := awsmiddleware.GetAttemptSkew(md)
	if !ok || skew.Abs() < clockSkewTolerance {
		return
	}
	dir := "behind"
	if skew < 0 {
		dir = "ahead of"
	}
	o.Notef("this computer's clock is %v %s STS's; awsmfa corrected for it this time, but fix the clock (enable time synchronisation, e.g. NTP) before other tools fail", skew.Abs().Round(time.Second), dir)
}

// apiError is the code and message of a refusal by STS or IAM.
func apiError(err error) (code, msg string, ok bool) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return "", "", false
	}
	return apiErr.ErrorCode(), strings.TrimSpace(apiErr.ErrorMessage()), true
}

// stsMessage is STS's message about a refused call, with every setting of
// p that was sent and may not be shown replaced by redact.NotShown: STS
// quotes the parameters it refuses (SerialNumber, RoleArn, ExternalId,
// RoleSessionName) in its messages. ARN's characters are IAM's for all of
// them.
func stsMessage(msg string, p profile) string {
	for _, sent := range []string{p.MFASerial, p.RoleARN, p.ExternalID, p.RoleSessionName} {
		if sent != "" && !redact.Fits(redact.ARN, sent) {
			msg = strings.ReplaceAll(msg, sent, redact.NotShown)
		}
	}
	return msg
}

// explainSTSError turns a failed STS action at endpoint into one line that
// says what to do.
func explainSTSError(err error, action, endpoint string, p profile, keys cache.Keys) error {
	if code, msg, ok := apiError(err); ok {
		msg = stsMessage(msg, p)
		switch {
		case code == "AccessDenied" && strings.Contains(msg, "invalid MFA one time pass code"):
			return &codeRejectedError{Message: msg}
		case code == "AccessDenied" && strings.Contains(msg, "unable to validate MFA code"):
			return fmt.Errorf("STS does not accept MFA device %s for the stored key %s: %s; set mfa_serial in profile %q to the ARN of a device assigned to that IAM user", redact.Show(redact.ARN, p.MFASerial), keys.MaskedID(), msg, p.Name)
		case code == "InvalidClientTokenId" || code == "ExpiredToken":
			return fmt.Errorf("STS does not recognise the stored access key %s for profile %q (%s): it was deleted, deactivated or mistyped; store a valid key with: awsmfa add --profile %s", keys.MaskedID(), p.Name, code, p.Name)
		case code == "SignatureDoesNotMatch" && strings.Contains(msg, "Signature expired"):
			return fmt.Errorf("STS says this computer's clock is wrong (%s); synchronise the clock (e.g. enable NTP) and retry", msg)
		case code == "SignatureDoesNotMatch":
			return fmt.Errorf("STS rejected the signature made with the stored secret key for %s: the secret access key is wrong; store the right one with: awsmfa add --profile %s", keys.MaskedID(), p.Name)
		case strings.Contains(code, "Throttl") || code == "RequestLimitExceeded":
			return fmt.Errorf("STS is throttling requests (%s: %s); wait a minute and retry", code, msg)
		case code == "AccessDenied":
			return fmt.Errorf("STS denied %s for %s: %s; check the IAM user's policies", action, keys.MaskedID(), msg)
		default:
			return fmt.Errorf("STS %s failed at %s: %s: %s", action, endpoint, code, msg)
		}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped while waiting for STS at %s: %w", endpoint, context.Canceled)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("STS at %s did not answer in time; check your network and retry", endpoint)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return fmt.Errorf("cannot reach STS at %s: %v; check your network, proxy and endpoint settings (AWS_ENDPOINT_URL_STS, endpoint_url)", endpoint, awsclient.RootCause(err))
	}
	return fmt.Errorf("STS %s at %s failed: %s; check your network and endpoint settings and retry", action, endpoint, awsclient.RootCause(err))
}

// explainAssumeRoleError says what to do about an AssumeRole failure that
// is AssumeRole's own; nil for what it shares with GetSessionToken (codes,
// clock, throttling, network), which explainSTSError words.
func explainAssumeRoleError(err error, endpoint string, p profile, creds cache.Session, sourceName string) error {
	code, msg, ok := apiError(err)
	if !ok {
		return nil
	}
	msg = stsMessage(msg, p)
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
	return nil
}
