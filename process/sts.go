package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/cache"
)

// codeRejectedError is STS refusing the one-time code itself; the only STS
// error worth asking the user again for.
type codeRejectedError struct{ Message string }

func (e *codeRejectedError) Error() string { return "MFA code rejected: " + e.Message }

// getSessionToken trades the long-term keys and an MFA code for a session.
func getSessionToken(ctx context.Context, p profile, keys cache.Keys, code string, duration time.Duration) (cache.Session, error) {
	ctx, cancel := stsDeadline(ctx)
	defer cancel()
	client := sts.NewFromConfig(p.awsConfig, func(o *sts.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, "")
	})
	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(duration / time.Second)),
		SerialNumber:    aws.String(p.MFASerial),
		TokenCode:       aws.String(code),
	})
	if err != nil {
		return cache.Session{}, explainSTSError(err, p, keys)
	}
	noteClockSkew(ctx, out.ResultMetadata)
	return sessionFrom(out.Credentials, "GetSessionToken", p)
}

// sessionFrom checks that STS answered with complete credentials.
func sessionFrom(c *types.Credentials, action string, p profile) (cache.Session, error) {
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return cache.Session{}, fmt.Errorf("STS at %s answered %s without complete credentials; check the endpoint settings", p.endpointName(), action)
	}
	return cache.Session{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Expiration:      c.Expiration.UTC(),
	}, nil
}

func (p profile) endpointName() string {
	if p.Endpoint != "" {
		return p.Endpoint
	}
	return "sts." + p.Region + ".amazonaws.com"
}

// explainSTSError turns an STS failure into one line that says what to do.
func explainSTSError(err error, p profile, keys cache.Keys) error {
	action := "GetSessionToken"
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		action = opErr.Operation()
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.ErrorCode(), strings.TrimSpace(apiErr.ErrorMessage())
		switch {
		case code == "AccessDenied" && strings.Contains(msg, "invalid MFA one time pass code"):
			return &codeRejectedError{Message: msg}
		case code == "AccessDenied" && strings.Contains(msg, "unable to validate MFA code"):
			return fmt.Errorf("STS does not accept MFA device %s for the stored key %s: %s; set mfa_serial in profile %q to the ARN of a device assigned to that IAM user", p.MFASerial, keys.MaskedID(), msg, p.Name)
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
			return fmt.Errorf("STS %s failed at %s: %s: %s", action, p.endpointName(), code, msg)
		}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped while waiting for STS at %s: %w", p.endpointName(), err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("STS at %s did not answer in time; check your network and retry", p.endpointName())
	}
	var netErr net.Error
	var netOpErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &netOpErr) || errors.As(err, &dnsErr) || errors.As(err, &netErr) {
		return fmt.Errorf("cannot reach STS at %s: %v; check your network, proxy and endpoint settings (AWS_ENDPOINT_URL_STS, endpoint_url)", p.endpointName(), rootCause(err))
	}
	return fmt.Errorf("calling STS %s at %s: %w", action, p.endpointName(), err)
}

// rootCause drops the SDK's wrapping layers, which repeat the operation name.
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
