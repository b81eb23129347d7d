package stsstub

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var ctx = context.Background()

func TestGetSessionTokenThenCallerIdentity(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	out, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(3600),
		SerialNumber:    aws.String(DemoMFASerial),
		TokenCode:       aws.String(f.code(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if id := *c.AccessKeyId; len(id) != 20 || !strings.HasPrefix(id, "ASIA") || strings.ToUpper(id) != id {
		t.Errorf("access key ID %q", id)
	}
	if len(*c.SecretAccessKey) != 40 || len(*c.SessionToken) < 100 {
		t.Errorf("secret of %d chars, token of %d", len(*c.SecretAccessKey), len(*c.SessionToken))
	}
	if want := f.clock.Now().Add(time.Hour).Truncate(time.Second); !c.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", c.Expiration, want)
	}

	who, err := f.sessionClient(t, c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *who.Arn != "arn:aws:iam::123456789012:user/alice" || *who.Account != DemoAccountID || !strings.HasPrefix(*who.UserId, "AIDA") {
		t.Errorf("identity %s %s %s", *who.Arn, *who.Account, *who.UserId)
	}
	wantCalls(t, f.srv, "GetSessionToken", 1, 1)
	wantCalls(t, f.srv, "GetCallerIdentity", 1, 1)
}

func TestGetSessionTokenWithoutMFA(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	out, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(12 * time.Hour).Truncate(time.Second); !out.Credentials.Expiration.Equal(want) {
		t.Errorf("default expiration %v, want %v", out.Credentials.Expiration, want)
	}
}

func TestGetSessionTokenRejectsWrongCode(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	// Pick a code that no window within the allowed skew shows.
	var wrong string
	for _, candidate := range []string{"000000", "111111", "222222", "333333"} {
		if _, valid := matchingStep(DemoTOTPSecret, candidate, f.clock.Now()); !valid {
			wrong = candidate
			break
		}
	}
	_, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String(wrong),
	})
	wantAPIError(t, err, "AccessDenied", msgInvalidMFACode)
	wantCalls(t, f.srv, "GetSessionToken", 1, 0)
}

func TestGetSessionTokenRejectsReusedCodeUntilNextWindow(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	client := f.userClient(t)
	input := &sts.GetSessionTokenInput{SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String(f.code(t))}
	if _, err := client.GetSessionToken(ctx, input); err != nil {
		t.Fatal(err)
	}
	_, err := client.GetSessionToken(ctx, input)
	wantAPIError(t, err, "AccessDenied", msgInvalidMFACode)

	f.clock.Advance(30 * time.Second)
	input.TokenCode = aws.String(f.code(t))
	if _, err := client.GetSessionToken(ctx, input); err != nil {
		t.Fatalf("code of the next window: %v", err)
	}
	wantCalls(t, f.srv, "GetSessionToken", 3, 2)
}

func TestConcurrentUsesOfOneCodeOnlyOneWins(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	client := f.userClient(t)
	code := f.code(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
				SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String(code),
			})
		})
	}
	wg.Wait()
	wantCalls(t, f.srv, "GetSessionToken", len(errs), 1)
}

func TestGetSessionTokenRejectsUnknownSerial(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	_, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/bob"), TokenCode: aws.String(f.code(t)),
	})
	wantAPIError(t, err, "AccessDenied", msgUnknownMFADevice)
}

func TestGetSessionTokenNeedsSerialAndCodeTogether(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	_, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(DemoMFASerial)})
	wantAPIError(t, err, "AccessDenied", msgMFAIncomplete)
	_, err = f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String("12345a"),
	})
	wantAPIError(t, err, "ValidationError", `1 validation error detected: Value '12345a' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`)
}

func TestWrongSecretIsSignatureDoesNotMatch(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	_, err := f.client(t, DemoAccessKeyID, "not-the-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", msgBadSignature)
}

func TestUnknownAccessKeyIsInvalidClientTokenID(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	_, err := f.client(t, "AKIANOBODYKNOWSTHIS0", "secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func TestWrongSessionTokenIsInvalidClientTokenID(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	creds := f.mfaSession(t)
	_, err := f.client(t, *creds.AccessKeyId, *creds.SecretAccessKey, "forged").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func TestSessionCredentialsCannotGetSessionToken(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	_, err := f.sessionClient(t, f.mfaSession(t)).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	f := startStub(t, func(c *Config) { c.MaxSessionDuration = 2 * time.Minute })
	creds := f.mfaSession(t)
	if want := f.clock.Now().Add(2 * time.Minute).Truncate(time.Second); !creds.Expiration.Equal(want) {
		t.Fatalf("capped expiration %v, want %v", creds.Expiration, want)
	}
	client := f.sessionClient(t, creds)
	if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Minute)
	_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken", "The security token included in the request is expired")
}

func TestGetSessionTokenDurationLimits(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	client := f.userClient(t)
	for _, tc := range []struct {
		seconds int32
		message string // empty when accepted
	}{
		{10, "1 validation error detected: Value '10' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{900, ""},
		{129600, ""},
		{129601, "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
	} {
		_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(tc.seconds)})
		if tc.message == "" {
			if err != nil {
				t.Errorf("%d s: %v", tc.seconds, err)
			}
			continue
		}
		wantAPIError(t, err, "ValidationError", tc.message)
	}
}
