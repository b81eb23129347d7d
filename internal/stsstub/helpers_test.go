package stsstub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// fixture is a running stand-in whose clock starts at the real time, since
// the SDK signs requests with the real clock.
type fixture struct {
	srv    *Server
	faults *Faults
	clock  *ManualClock
	user   User
}

func startStub(t *testing.T, configure ...func(*Config)) *fixture {
	t.Helper()
	clock := NewManualClock(time.Now())
	cfg := Config{Clock: clock, Users: []User{DemoUser()}, Logf: t.Logf}
	for _, f := range configure {
		f(&cfg)
	}
	srv, faults, err := StartForTests(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &fixture{srv: srv, faults: faults, clock: clock, user: DemoUser()}
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// client is the real SDK client, retrying without waiting so tests stay fast.
func (f *fixture) client(t *testing.T, accessKeyID, secret, token string, configure ...func(*sts.Options)) *sts.Client {
	t.Helper()
	opts := sts.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(f.srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, token),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = noBackoff{}
		}),
	}
	return sts.New(opts, configure...)
}

func (f *fixture) userClient(t *testing.T) *sts.Client {
	return f.client(t, f.user.AccessKeyID, f.user.SecretAccessKey, "")
}

func (f *fixture) sessionClient(t *testing.T, c *types.Credentials) *sts.Client {
	return f.client(t, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func noRetries(o *sts.Options) { o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) }

func (f *fixture) code(t *testing.T) string {
	t.Helper()
	code, err := f.srv.Code(DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mfaSession gets session credentials with a fresh MFA code.
func (f *fixture) mfaSession(t *testing.T) *types.Credentials {
	t.Helper()
	out, err := f.userClient(t).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
		SerialNumber: aws.String(DemoMFASerial),
		TokenCode:    aws.String(f.code(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Credentials
}

// wantAPIError checks the STS error code and message the SDK surfaced.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || apiErr.ErrorMessage() != message {
		t.Fatalf("got %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, message)
	}
}

func wantCalls(t *testing.T, srv *Server, action string, calls, ok int) {
	t.Helper()
	if got, gotOK := srv.Calls(action), srv.Succeeded(action); got != calls || gotOK != ok {
		t.Fatalf("%s: %d calls, %d ok; want %d, %d", action, got, gotOK, calls, ok)
	}
}

func wantAPIErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("want %s error, got %v", code, err)
	}
}
