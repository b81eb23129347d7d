package awsquery

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// stsFixture is a running STS stand-in whose clock starts at the real
// time, since requests are signed with the real clock.
type stsFixture struct {
	srv   *stsstub.Server
	clock *stsstub.ManualClock
}

func startSTS(t *testing.T, configure ...func(*stsstub.Config)) *stsFixture {
	t.Helper()
	clock := stsstub.NewManualClock(time.Now())
	cfg := stsstub.Config{Clock: clock, Users: []stsstub.User{stsstub.DemoUser()}, Logf: t.Logf}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := stsstub.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &stsFixture{srv: srv, clock: clock}
}

// client is an STS client signing with the given keys that retries
// without waiting.
func (f *stsFixture) client(t *testing.T, accessKeyID, secret, token string, configure ...func(*Options)) (*Client, *countingHTTP) {
	t.Helper()
	o := Options{
		Region:      "eu-west-1",
		Endpoint:    f.srv.URL(),
		Credentials: credentials.NewStaticCredentialsProvider(accessKeyID, secret, token),
	}
	return newTestClient(t, NewSTS, o, configure...)
}

func (f *stsFixture) userClient(t *testing.T, configure ...func(*Options)) (*Client, *countingHTTP) {
	return f.client(t, stsstub.DemoAccessKeyID, stsstub.DemoSecretAccessKey, "", configure...)
}

func (f *stsFixture) sessionClient(t *testing.T, s SessionCredentials) *Client {
	c, _ := f.client(t, s.AccessKeyID, s.SecretAccessKey, s.SessionToken)
	return c
}

// code is the demo device's code now on the stand-in's clock.
func (f *stsFixture) code(t *testing.T) string {
	t.Helper()
	code, err := f.srv.Code(stsstub.DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongCode is a code the demo device shows in no window STS accepts now.
func (f *stsFixture) wrongCode(t *testing.T) string {
	t.Helper()
	now := f.clock.Now()
	valid := map[string]bool{}
	for _, offset := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		code, err := totp.GenerateCodeCustom(stsstub.DemoTOTPSecret, now.Add(offset), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		valid[code] = true
	}
	for _, candidate := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[candidate] {
			return candidate
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

func (f *stsFixture) mfaSession(t *testing.T) SessionCredentials {
	t.Helper()
	c, _ := f.userClient(t)
	s, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGetSessionTokenReturnsTheSession(t *testing.T) {
	f := startSTS(t)
	c, h := f.userClient(t)
	s, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.AccessKeyID) != 20 || !strings.HasPrefix(s.AccessKeyID, "ASIA") {
		t.Errorf("access key ID %q", s.AccessKeyID)
	}
	if len(s.SecretAccessKey) != 40 || len(s.SessionToken) < 100 {
		t.Errorf("secret of %d characters, token of %d", len(s.SecretAccessKey), len(s.SessionToken))
	}
	if want := f.clock.Now().Add(time.Hour).Truncate(time.Second); !s.Expiration.Equal(want) || s.Expiration.Location() != time.UTC {
		t.Errorf("expiration %v, want %v in UTC", s.Expiration, want)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	// The session works: STS knows who it is.
	who, err := f.sessionClient(t, s).GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if who.Arn != "arn:aws:iam::123456789012:user/alice" || who.Account != stsstub.DemoAccountID || !strings.HasPrefix(who.UserID, "AIDA") {
		t.Errorf("identity %+v", who)
	}
}

func TestGetSessionTokenLeavesOutWhatIsNotGiven(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	s, err := c.GetSessionToken(context.Background(), 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// STS's default duration applies: 12 hours.
	if want := f.clock.Now().Add(12 * time.Hour).Truncate(time.Second); !s.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", s.Expiration, want)
	}
}

func TestWrongMFACodeIsSTSsAccessDenied(t *testing.T) {
	f := startSTS(t)
	c, h := f.userClient(t)
	_, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.wrongCode(t))
	e := wantAPIError(t, err, "AccessDenied", "")
	// The message is STS's, trailing space included, as the SDK gives it.
	if e.ErrorMessage() != "MultiFactorAuthentication failed with invalid MFA one time pass code. " {
		t.Errorf("message %q", e.ErrorMessage())
	}
	if !strings.HasPrefix(err.Error(), "STS GetSessionToken: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code. (HTTP 403, request id ") {
		t.Errorf("error text %q", err.Error())
	}
	if e.Service != "STS" || e.Action != "GetSessionToken" || e.ErrorFault() != smithy.FaultClient || e.RequestID == "" {
		t.Errorf("error %+v", e)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("a rejected code was sent %d times", n)
	}
}

func TestUnknownAccessKeyIsInvalidClientTokenId(t *testing.T) {
	f := startSTS(t)
	c, _ := f.client(t, "AKIANOBODYKNOWSTHIS0", "not-the-secret", "")
	_, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t))
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestServerErrorIsRetried(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	f.srv.FailNext("GetSessionToken", 1, http.StatusInternalServerError, "InternalFailure", "An internal error has occurred")
	if _, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t)); err != nil {
		t.Fatalf("GetSessionToken after a 500: %v", err)
	}
	if calls, ok := f.srv.Calls("GetSessionToken"), f.srv.Succeeded("GetSessionToken"); calls != 2 || ok != 1 {
		t.Errorf("%d calls, %d succeeded; want 2, 1", calls, ok)
	}
}

func TestThrottlingIsRetriedUpToThreeAttempts(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	f.srv.FailNext("GetSessionToken", 3, http.StatusBadRequest, "Throttling", "Rate exceeded")
	_, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t))
	wantAPIError(t, err, "Throttling", "Rate exceeded")
	if n := f.srv.Calls("GetSessionToken"); n != DefaultMaxAttempts {
		t.Errorf("%d calls, want %d", n, DefaultMaxAttempts)
	}
	// The code was never used: the next call succeeds with it.
	if _, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t)); err != nil {
		t.Fatal(err)
	}
}

// STS's IDPCommunicationError is retried, as the SDK's STS client adds it
// to the retryable codes; IAM has no such error and does not retry it.
func TestIDPCommunicationErrorIsRetriedBySTSOnly(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	f.srv.FailNext("GetCallerIdentity", 1, http.StatusBadRequest, "IDPCommunicationError", "try again")
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("GetCallerIdentity"); n != 2 {
		t.Errorf("%d STS calls, want 2", n)
	}

	iam, _ := newIAMClient(t, f.srv.URL(), stsstub.DemoSecretAccessKey)
	f.srv.FailNext("GetUser", 1, http.StatusBadRequest, "IDPCommunicationError", "try again")
	_, err := iam.GetUser(context.Background())
	wantAPIError(t, err, "IDPCommunicationError", "try again")
	if n := f.srv.Calls("GetUser"); n != 1 {
		t.Errorf("%d IAM calls, want 1", n)
	}
}

// HTTP 429 is retried unless the service models its error code, as the SDK
// retries only unmodeled 429s.
func TestTooManyRequestsIsRetriedUnlessTheErrorIsModeled(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	f.srv.FailNext("GetCallerIdentity", 1, http.StatusTooManyRequests, "TooManyRequests", "slow down")
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.FailNext("GetCallerIdentity", 1, http.StatusTooManyRequests, "RegionDisabledException", "STS is not activated in this region")
	_, err := c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "RegionDisabledException", "not activated")
	if n := f.srv.Calls("GetCallerIdentity"); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestHangingSTSEndsWithTheContextDeadline(t *testing.T) {
	f := startSTS(t)
	c, h := f.userClient(t)
	f.srv.DelayNext("GetCallerIdentity", 1, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetCallerIdentity(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed >= attemptTimeout {
		t.Errorf("returned after %v, not when the context ended", elapsed)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("%d requests after the deadline, want 1", n)
	}
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatalf("the next call: %v", err)
	}
}

func TestCancelledContextIsReportedAsSuch(t *testing.T) {
	f := startSTS(t)
	c, h := f.userClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetSessionToken(ctx, 3600, stsstub.DemoMFASerial, f.code(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestRefusedConnectionIsRetriedAndInspectable(t *testing.T) {
	addr := closedPort(t)
	h := &countingHTTP{}
	c, err := NewSTS(Options{Endpoint: "http://" + addr, HTTPClient: h, Backoff: func(int) time.Duration { return 0 },
		Credentials: credentials.NewStaticCredentialsProvider(stsstub.DemoAccessKeyID, stsstub.DemoSecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCallerIdentity(context.Background())
	var opErr *net.OpError
	var netErr net.Error
	if !errors.As(err, &opErr) || opErr.Op != "dial" || !errors.As(err, &netErr) {
		t.Fatalf("error %v (%T) does not show the failed dial", err, err)
	}
	if !strings.Contains(err.Error(), "STS GetCallerIdentity: 3 attempts failed") {
		t.Errorf("error text %q", err)
	}
	if n := h.n.Load(); n != DefaultMaxAttempts {
		t.Errorf("%d requests, want %d", n, DefaultMaxAttempts)
	}
}

// failingHTTP fails every request with err.
type failingHTTP struct {
	err error
	n   int
}

func (f *failingHTTP) Do(r *http.Request) (*http.Response, error) {
	f.n++
	return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: f.err}
}

// A host name that does not exist is not retried, as the SDK does not
// retry it; the DNS error stays inspectable.
func TestUnknownHostIsNotRetried(t *testing.T) {
	h := &failingHTTP{err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "sts.eu-west-9.amazonaws.com", IsNotFound: true}}}
	c, err := NewSTS(Options{Region: "eu-west-9", HTTPClient: h, Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCallerIdentity(context.Background())
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("error %v does not show the DNS failure", err)
	}
	if h.n != 1 {
		t.Errorf("%d requests, want 1", h.n)
	}
}

func TestClockSkewIsCorrectedAndReported(t *testing.T) {
	f := startSTS(t)
	f.clock.Advance(10 * time.Minute) // STS runs ahead of this computer
	c, _ := f.userClient(t)
	if _, ok := c.ClockSkew(); ok {
		t.Fatal("a clock skew before any reply")
	}
	s, err := c.GetSessionToken(context.Background(), 3600, stsstub.DemoMFASerial, f.code(t))
	if err != nil {
		t.Fatalf("GetSessionToken with a skewed clock: %v", err)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 2 {
		t.Errorf("%d calls, want 2: the refused signature, then the corrected one", n)
	}
	skew, ok := c.ClockSkew()
	if !ok || (skew-10*time.Minute).Abs() > 5*time.Second {
		t.Errorf("ClockSkew() = %v, %v; want about 10m", skew, ok)
	}
	// Expiration is STS's time, not ours.
	if want := f.clock.Now().Add(time.Hour).Truncate(time.Second); !s.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", s.Expiration, want)
	}

	// The correction carries over to the next call: no refusal this time.
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("GetCallerIdentity"); n != 1 {
		t.Errorf("%d GetCallerIdentity calls, want 1", n)
	}
}

func TestClockSkewBehindIsCorrectedToo(t *testing.T) {
	f := startSTS(t)
	f.clock.Advance(-10 * time.Minute)
	c, _ := f.userClient(t)
	if _, err := c.GetCallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	if skew, _ := c.ClockSkew(); (skew + 10*time.Minute).Abs() > 5*time.Second {
		t.Errorf("ClockSkew() = %v, want about -10m", skew)
	}
}

// The corrected retry is an attempt like any other: with one attempt the
// refusal is the answer, and the skew it showed is still reported.
func TestClockSkewRetryCountsAsAnAttempt(t *testing.T) {
	f := startSTS(t)
	f.clock.Advance(10 * time.Minute)
	c, _ := f.userClient(t, func(o *Options) { o.MaxAttempts = 1 })
	_, err := c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "SignatureDoesNotMatch", "Signature expired")
	if skew, ok := c.ClockSkew(); !ok || (skew-10*time.Minute).Abs() > 5*time.Second {
		t.Errorf("ClockSkew() = %v, %v; want about 10m", skew, ok)
	}
}

// A signature refused while the clocks agree is not clock skew: it is not
// retried.
func TestSignatureErrorWithoutSkewIsNotRetried(t *testing.T) {
	f := startSTS(t)
	c, _ := f.client(t, stsstub.DemoAccessKeyID, "not-the-secret", "")
	_, err := c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "SignatureDoesNotMatch", "")
	if n := f.srv.Calls("GetCallerIdentity"); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	if skew, ok := c.ClockSkew(); !ok || skew.Abs() > 5*time.Second {
		t.Errorf("ClockSkew() = %v, %v; want about 0", skew, ok)
	}
}

// The Now option is the clock requests are signed with.
func TestSigningUsesTheGivenClock(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t, func(o *Options) {
		o.Now = func() time.Time { return time.Now().Add(-time.Hour) }
		o.MaxAttempts = 1
	})
	_, err := c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "SignatureDoesNotMatch", "Signature expired")
}

const (
	mfaRole      = "arn:aws:iam::123456789012:role/needs-mfa"
	externalRole = "arn:aws:iam::210987654321:role/partner"
)

func startSTSWithRoles(t *testing.T) *stsFixture {
	return startSTS(t, func(c *stsstub.Config) {
		c.Roles = []stsstub.Role{{ARN: mfaRole, RequireMFA: true}, {ARN: externalRole, ExternalID: "s3cr3t-id"}}
	})
}

func TestAssumeRoleWithMFA(t *testing.T) {
	f := startSTSWithRoles(t)
	c, _ := f.userClient(t)
	ctx := context.Background()

	_, err := c.AssumeRole(ctx, AssumeRoleInput{RoleARN: mfaRole, RoleSessionName: "s1"})
	wantAPIError(t, err, "AccessDenied", "is not authorized to perform: sts:AssumeRole")

	s, err := c.AssumeRole(ctx, AssumeRoleInput{RoleARN: mfaRole, RoleSessionName: "s1",
		SerialNumber: stsstub.DemoMFASerial, TokenCode: f.code(t), DurationSeconds: 900})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(15 * time.Minute).Truncate(time.Second); !s.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", s.Expiration, want)
	}
	who, err := f.sessionClient(t, s).GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if who.Arn != "arn:aws:sts::123456789012:assumed-role/needs-mfa/s1" || !strings.HasSuffix(who.UserID, ":s1") {
		t.Errorf("identity %+v", who)
	}
}

func TestAssumeRoleWithExternalID(t *testing.T) {
	f := startSTSWithRoles(t)
	c, _ := f.userClient(t)
	ctx := context.Background()

	_, err := c.AssumeRole(ctx, AssumeRoleInput{RoleARN: externalRole, RoleSessionName: "s2", ExternalID: "guess"})
	wantAPIError(t, err, "AccessDenied", "is not authorized")
	s, err := c.AssumeRole(ctx, AssumeRoleInput{RoleARN: externalRole, RoleSessionName: "s2", ExternalID: "s3cr3t-id"})
	if err != nil {
		t.Fatal(err)
	}
	// STS's default duration for a role: one hour.
	if want := f.clock.Now().Add(time.Hour).Truncate(time.Second); !s.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", s.Expiration, want)
	}
	who, err := f.sessionClient(t, s).GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if who.Account != "210987654321" {
		t.Errorf("cross-account role reports account %s", who.Account)
	}
}

// An MFA session signs with its session token; the role's MFA condition is
// met without a new code.
func TestAssumeRoleFromAnMFASession(t *testing.T) {
	f := startSTSWithRoles(t)
	s, err := f.sessionClient(t, f.mfaSession(t)).AssumeRole(context.Background(), AssumeRoleInput{RoleARN: mfaRole, RoleSessionName: "chained"})
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionToken == "" {
		t.Error("no session token")
	}
}

func TestGetCallerIdentityOfLongTermKeys(t *testing.T) {
	f := startSTS(t)
	c, _ := f.userClient(t)
	who, err := c.GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if who != (CallerIdentity{Account: stsstub.DemoAccountID, Arn: "arn:aws:iam::123456789012:user/alice", UserID: who.UserID}) || !strings.HasPrefix(who.UserID, "AIDA") {
		t.Errorf("identity %+v", who)
	}
}

func TestActionsOfTheOtherServiceAreRefused(t *testing.T) {
	f := startSTS(t)
	sts, h := f.userClient(t)
	if _, err := sts.GetUser(context.Background()); err == nil || !strings.Contains(err.Error(), "GetUser is an IAM action") {
		t.Errorf("GetUser on an STS client: %v", err)
	}
	iam, ih := newIAMClient(t, f.srv.URL(), stsstub.DemoSecretAccessKey)
	if _, err := iam.GetCallerIdentity(context.Background()); err == nil || !strings.Contains(err.Error(), "GetCallerIdentity is an STS action") {
		t.Errorf("GetCallerIdentity on an IAM client: %v", err)
	}
	if h.n.Load()+ih.n.Load() != 0 {
		t.Error("a request went out")
	}
}
