package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// codeRejectedError is STS refusing the one-time code itself; the only STS
// error worth asking the user again for.
type codeRejectedError struct{ Message string }

func (e *codeRejectedError) Error() string { return "MFA code rejected: " + e.Message }

// getSessionToken trades the long-term keys and an MFA code for a session.
func getSessionToken(ctx context.Context, p profile, keys cache.Keys, code string, duration time.Duration) (cache.Session, error) {
	ctx, cancel := stsDeadline(ctx)
	defer cancel()
	client, err := p.stsClient(keys.AccessKeyID, keys.SecretAccessKey, "")
	if err != nil {
		return cache.Session{}, err
	}
	creds, err := client.GetSessionToken(ctx, int32(duration/time.Second), p.MFASerial, code)
	if err != nil {
		return cache.Session{}, explainSTSError(err, "GetSessionToken", client.Endpoint(), p, keys)
	}
	noteClockSkew(ctx, client)
	return sessionFrom(creds), nil
}

// stsClient is an STS client for p's settings that signs with the given keys.
func (p profile) stsClient(accessKeyID, secretAccessKey, sessionToken string) (*awsquery.Client, error) {
	client, err := awsquery.NewSTS(awsquery.Options{
		Region:       p.Region,
		Endpoint:     p.Endpoint,
		UseFIPS:      p.settings.UseFIPSEndpoint,
		UseDualStack: p.settings.UseDualStackEndpoint,
		CABundle:     p.settings.CABundle,
		MaxAttempts:  p.settings.MaxAttempts,
		Credentials:  awsquery.StaticCredentials(accessKeyID, secretAccessKey, sessionToken),
	})
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return client, nil
}

func sessionFrom(c awsquery.SessionCredentials) cache.Session {
	return cache.Session{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.Expiration.UTC(),
	}
}

// stsMessage is STS's message about a refused call, with every setting of
// p that was sent and may not be shown replaced by redact.NotShown: STS
// quotes the parameters it refuses (SerialNumber, RoleArn, ExternalId,
// RoleSessionName) in its messages. ARN's characters are IAM's for all of
// them.
func stsMessage(apiErr *awsquery.APIError, p profile) string {
	msg := strings.TrimSpace(apiErr.Message)
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
	var apiErr *awsquery.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.Code, stsMessage(apiErr, p)
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
		return fmt.Errorf("stopped while waiting for STS at %s: %w", endpoint, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("STS at %s did not answer in time; check your network and retry", endpoint)
	}
	var netErr net.Error
	var netOpErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &netOpErr) || errors.As(err, &dnsErr) || errors.As(err, &netErr) {
		return fmt.Errorf("cannot reach STS at %s: %v; check your network, proxy and endpoint settings (AWS_ENDPOINT_URL_STS, endpoint_url)", endpoint, rootCause(err))
	}
	return fmt.Errorf("calling STS %s at %s: %w", action, endpoint, err)
}

// rootCause drops the wrapping layers around a network error, which repeat
// the request's URL.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr == err {
			return err
		}
		err = next
	}
}
