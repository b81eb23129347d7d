package awsquery

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

const testSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// startStub runs the project's STS and IAM stand-in, which verifies SigV4
// for real.
func startStub(t *testing.T) *stsstub.Server {
	t.Helper()
	return startSTS(t).srv
}

// countingHTTP counts the requests that go out.
type countingHTTP struct{ n atomic.Int32 }

func (c *countingHTTP) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultClient.Do(r)
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// newIAMClient makes an IAM client that signs with secret for the demo
// user and retries without waiting.
func newIAMClient(t *testing.T, endpoint, secret string, configure ...func(*Options)) (*Client, *countingHTTP) {
	t.Helper()
	o := Options{Endpoint: endpoint, Credentials: credentials.NewStaticCredentialsProvider(stsstub.DemoAccessKeyID, secret, "")}
	return newTestClient(t, NewIAM, o, configure...)
}

// newTestClient makes a client from o that counts its requests and retries
// without waiting, after configure has changed o.
func newTestClient(t *testing.T, newClient func(Options) (*Client, error), o Options, configure ...func(*Options)) (*Client, *countingHTTP) {
	t.Helper()
	h := &countingHTTP{}
	o.HTTPClient = h
	o.Backoff = func(int) time.Duration { return 0 }
	for _, f := range configure {
		f(&o)
	}
	c, err := newClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, h
}

func demoClient(t *testing.T, srv *stsstub.Server) (*Client, *countingHTTP) {
	return newIAMClient(t, srv.URL(), stsstub.DemoSecretAccessKey)
}

func wantAPIError(t *testing.T, err error, code, message string) *APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an AWS API error", err)
	}
	if apiErr.ErrorCode() != code || !strings.Contains(apiErr.ErrorMessage(), message) {
		t.Fatalf("error %s: %q, want %s: %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, message)
	}
	var ours *APIError
	errors.As(err, &ours)
	return ours
}

func codeAt(t *testing.T, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(testSeed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestGetUserIdentifiesTheSigner(t *testing.T) {
	srv := startStub(t)
	c, _ := demoClient(t, srv)
	u, err := c.GetUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.UserName != stsstub.DemoUserName || u.Arn != "arn:aws:iam::123456789012:user/alice" || !strings.HasPrefix(u.UserID, "AIDA") || u.Path != "/" {
		t.Errorf("GetUser = %+v", u)
	}
}

func TestEnrolmentCreatesEnablesAndListsADevice(t *testing.T) {
	srv := startStub(t)
	srv.SetNextVirtualMFASeed(testSeed)
	c, _ := demoClient(t, srv)
	ctx := context.Background()

	dev, err := c.CreateVirtualMFADevice(ctx, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if dev.SerialNumber != "arn:aws:iam::123456789012:mfa/phone" || string(dev.Base32StringSeed) != testSeed {
		t.Fatalf("created %s with seed %q", dev.SerialNumber, dev.Base32StringSeed)
	}
	if _, err := png.Decode(bytes.NewReader(dev.QRCodePNG)); err != nil {
		t.Fatalf("the QR code is not a PNG: %v", err)
	}

	now := time.Now()
	err = c.EnableMFADevice(ctx, stsstub.DemoUserName, dev.SerialNumber, codeAt(t, now.Add(-30*time.Second)), codeAt(t, now))
	if err != nil {
		t.Fatal(err)
	}
	if user, _ := srv.VirtualMFADevice(dev.SerialNumber); user != stsstub.DemoUserName {
		t.Fatalf("the device is assigned to %q after EnableMFADevice", user)
	}

	devices, err := c.ListMFADevices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var serials []string
	for _, d := range devices {
		if d.UserName != stsstub.DemoUserName {
			t.Errorf("device %s listed for %q", d.SerialNumber, d.UserName)
		}
		serials = append(serials, d.SerialNumber)
	}
	if want := []string{stsstub.DemoMFASerial, dev.SerialNumber}; strings.Join(serials, " ") != strings.Join(want, " ") {
		t.Errorf("ListMFADevices = %v, want %v", serials, want)
	}

	// An enabled device cannot be deleted; IAM says why.
	err = c.DeleteVirtualMFADevice(ctx, dev.SerialNumber)
	e := wantAPIError(t, err, "DeleteConflict", "MFA Device is still in use.")
	if e.StatusCode != http.StatusConflict || e.ErrorFault() != smithy.FaultClient || e.Action != "DeleteVirtualMFADevice" {
		t.Errorf("error = %+v", e)
	}
}

func TestDeleteRemovesAnUnassignedDevice(t *testing.T) {
	srv := startStub(t)
	c, _ := demoClient(t, srv)
	ctx := context.Background()
	dev, err := c.CreateVirtualMFADevice(ctx, "spare")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteVirtualMFADevice(ctx, dev.SerialNumber); err != nil {
		t.Fatal(err)
	}
	if _, exists := srv.VirtualMFADevice(dev.SerialNumber); exists {
		t.Fatal("the device still exists after DeleteVirtualMFADevice")
	}
	err = c.DeleteVirtualMFADevice(ctx, dev.SerialNumber)
	wantAPIError(t, err, "NoSuchEntity", "does not exist")
}

func TestIAMErrorsKeepTheirCodesAndMessages(t *testing.T) {
	srv := startStub(t)
	c, h := demoClient(t, srv)
	ctx := context.Background()

	if _, err := c.CreateVirtualMFADevice(ctx, "twice"); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateVirtualMFADevice(ctx, "twice")
	wantAPIError(t, err, "EntityAlreadyExists", "already exists")

	srv.SetNextVirtualMFASeed(testSeed)
	dev, err := c.CreateVirtualMFADevice(ctx, "swapped")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = c.EnableMFADevice(ctx, stsstub.DemoUserName, dev.SerialNumber, codeAt(t, now), codeAt(t, now.Add(-30*time.Second)))
	wantAPIError(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")

	before := h.n.Load()
	wrongSecret, _ := newIAMClient(t, srv.URL(), "not-the-secret")
	_, err = wrongSecret.GetUser(ctx)
	wantAPIError(t, err, "SignatureDoesNotMatch", "")
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if h.n.Load() != before {
		t.Errorf("a client error was retried")
	}
}

func TestThrottlingAndServerErrorsAreRetriedUpToTheLimit(t *testing.T) {
	srv := startStub(t)
	c, h := demoClient(t, srv)
	ctx := context.Background()

	srv.FailNext("GetUser", 1, http.StatusBadRequest, "Throttling", "Rate exceeded")
	srv.FailNext("GetUser", 1, http.StatusInternalServerError, "ServiceFailure", "Try again")
	if _, err := c.GetUser(ctx); err != nil {
		t.Fatalf("GetUser after a throttle and a 500: %v", err)
	}
	if n := h.n.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}

	srv.FailNext("ListMFADevices", DefaultMaxAttempts, http.StatusServiceUnavailable, "ServiceUnavailable", "Down")
	_, err := c.ListMFADevices(ctx)
	e := wantAPIError(t, err, "ServiceUnavailable", "Down")
	if e.ErrorFault() != smithy.FaultServer {
		t.Errorf("fault = %v", e.ErrorFault())
	}
	if n := srv.Calls("ListMFADevices"); n != DefaultMaxAttempts {
		t.Errorf("ListMFADevices reached the server %d times, want %d", n, DefaultMaxAttempts)
	}
	if _, err := c.ListMFADevices(ctx); err != nil {
		t.Errorf("the next call did not recover: %v", err)
	}

	// IAM's LimitExceeded is a quota, not throttling.
	srv.FailNext("CreateVirtualMFADevice", 1, http.StatusConflict, "LimitExceeded", "Cannot exceed quota")
	_, err = c.CreateVirtualMFADevice(ctx, "quota")
	wantAPIError(t, err, "LimitExceeded", "quota")
	if n := srv.Calls("CreateVirtualMFADevice"); n != 1 {
		t.Errorf("a quota error was retried: %d calls", n)
	}
}

func TestCallsThatChangeIAMAreRepeatedOnlyWhenTheyCertainlyDidNotRun(t *testing.T) {
	srv := startStub(t)
	c, _ := demoClient(t, srv)
	ctx := context.Background()

	// A 500 may hide a device that was created: sending the request again
	// would orphan it, so the error goes to the caller.
	srv.FailNext("CreateVirtualMFADevice", 1, http.StatusInternalServerError, "ServiceFailure", "Try again")
	_, err := c.CreateVirtualMFADevice(ctx, "once")
	wantAPIError(t, err, "ServiceFailure", "Try again")
	if n := srv.Calls("CreateVirtualMFADevice"); n != 1 {
		t.Errorf("CreateVirtualMFADevice sent %d times after a 500, want 1", n)
	}
	// Throttling proves IAM did nothing: that is repeated.
	srv.FailNext("CreateVirtualMFADevice", 1, http.StatusBadRequest, "Throttling", "Rate exceeded")
	if _, err := c.CreateVirtualMFADevice(ctx, "twice"); err != nil {
		t.Fatalf("CreateVirtualMFADevice after a throttle: %v", err)
	}
	if n := srv.Calls("CreateVirtualMFADevice"); n != 3 {
		t.Errorf("CreateVirtualMFADevice sent %d times in all, want 3", n)
	}
}

func TestMaxAttemptsBoundsTheTries(t *testing.T) {
	srv := startStub(t)
	c, _ := newIAMClient(t, srv.URL(), stsstub.DemoSecretAccessKey, func(o *Options) {
		o.Region = "eu-west-1"
		o.MaxAttempts = 1
	})
	srv.FailNext("GetUser", 1, http.StatusInternalServerError, "ServiceFailure", "Try again")
	_, err := c.GetUser(context.Background())
	wantAPIError(t, err, "ServiceFailure", "Try again")
	if _, err := c.GetUser(context.Background()); err != nil {
		t.Fatalf("signed in the configured region against the configured endpoint: %v", err)
	}
	if n := srv.Calls("GetUser"); n != 2 {
		t.Errorf("%d calls with max_attempts 1, want 2", n)
	}
}

func TestCancellingDuringBackoffStopsRetrying(t *testing.T) {
	srv := startStub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := newIAMClient(t, srv.URL(), stsstub.DemoSecretAccessKey, func(o *Options) {
		o.Backoff = func(int) time.Duration { cancel(); return time.Hour }
	})
	srv.FailNext("GetUser", 1, http.StatusServiceUnavailable, "ServiceUnavailable", "Down")
	_, err := c.GetUser(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := srv.Calls("GetUser"); n != 1 {
		t.Errorf("%d calls after cancelling, want 1", n)
	}
}

func TestUnreachableEndpointIsRetriedThenReported(t *testing.T) {
	addr := closedPort(t)
	c, h := newIAMClient(t, "http://"+addr, stsstub.DemoSecretAccessKey)
	_, err := c.GetUser(context.Background())
	var apiErr smithy.APIError
	if err == nil || errors.As(err, &apiErr) || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("error %v, want a connection error after 3 attempts", err)
	}
	if n := h.n.Load(); n != DefaultMaxAttempts {
		t.Errorf("%d requests, want %d", n, DefaultMaxAttempts)
	}
}

func TestRepliesThatAreNotIAMsAreReportedAsSuch(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusBadGateway)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte("<html><body>Bad gateway</body></html>"))
	}))
	defer proxy.Close()
	c, h := newIAMClient(t, proxy.URL, stsstub.DemoSecretAccessKey)

	_, err := c.GetUser(context.Background())
	wantAPIError(t, err, "UnknownError", "HTTP 502 Bad Gateway")
	if n := h.n.Load(); n != DefaultMaxAttempts {
		t.Errorf("%d requests for a 502, want %d", n, DefaultMaxAttempts)
	}

	status.Store(http.StatusOK)
	_, err = c.GetUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not an IAM GetUserResponse") {
		t.Fatalf("an HTML page with status 200 gave %v", err)
	}
}

func TestNewRefusesAnEndpointThatIsNotAURL(t *testing.T) {
	_, err := NewIAM(Options{Endpoint: "iam.amazonaws.com", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	if err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_IAM") {
		t.Fatalf("New accepted a bare host name: %v", err)
	}
}

func TestListUserMFADevicesListsTheNamedUsersDevices(t *testing.T) {
	srv := startStub(t)
	c, _ := demoClient(t, srv)
	ctx := context.Background()
	devices, err := c.ListUserMFADevices(ctx, stsstub.DemoUserName)
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != 1 || devices[0] != (MFADevice{UserName: stsstub.DemoUserName, SerialNumber: stsstub.DemoMFASerial}) {
		t.Errorf("ListUserMFADevices(%q) = %+v", stsstub.DemoUserName, devices)
	}
	_, err = c.ListUserMFADevices(ctx, "bob")
	wantAPIError(t, err, "NoSuchEntity", "The user with name bob cannot be found.")
}

// replayHTTP answers the requests it is sent with pages, in turn, and keeps
// the forms they carried.
type replayHTTP struct {
	pages []string
	forms []url.Values
}

func (h *replayHTTP) Do(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	h.forms = append(h.forms, form)
	if len(h.forms) > len(h.pages) {
		return nil, errors.New("more requests than pages")
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/xml"}},
		Body:       io.NopCloser(strings.NewReader(h.pages[len(h.forms)-1])),
		Request:    r,
	}, nil
}

// listMFADevicesPages is a ListMFADevices answer in two pages, as IAM
// writes it.
var listMFADevicesPages = []string{`<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListMFADevicesResult>
    <MFADevices>
      <member>
        <UserName>alice</UserName>
        <SerialNumber>arn:aws:iam::123456789012:mfa/alice</SerialNumber>
        <EnableDate>2026-05-01T10:00:00Z</EnableDate>
      </member>
    </MFADevices>
    <IsTruncated>true</IsTruncated>
    <Marker>AAEAAQ==</Marker>
  </ListMFADevicesResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</ListMFADevicesResponse>`, `<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListMFADevicesResult>
    <MFADevices>
      <member>
        <UserName>alice</UserName>
        <SerialNumber>arn:aws:iam::123456789012:mfa/work-phone</SerialNumber>
        <EnableDate>2026-05-02T10:00:00Z</EnableDate>
      </member>
    </MFADevices>
    <IsTruncated>false</IsTruncated>
  </ListMFADevicesResult>
  <ResponseMetadata><RequestId>8b73d5a0-458f-4fd5-a442-7f9fEXAMPLE</RequestId></ResponseMetadata>
</ListMFADevicesResponse>`}

// TestListMFADevicesAsksAndReadsAsTheSDKDoes compares the forms the SDK's
// IAM client and this one send to list a user's devices page by page, and
// what both read from IAM's answer.
func TestListMFADevicesAsksAndReadsAsTheSDKDoes(t *testing.T) {
	ctx := context.Background()
	for _, userName := range []string{"", "alice"} {
		sdkHTTP := &replayHTTP{pages: listMFADevicesPages}
		sdk := iam.New(iam.Options{Region: "us-east-1", Credentials: testCredentials, HTTPClient: sdkHTTP, Retryer: aws.NopRetryer{}})
		input := &iam.ListMFADevicesInput{}
		if userName != "" {
			input.UserName = aws.String(userName)
		}
		var want []MFADevice
		for pages := iam.NewListMFADevicesPaginator(sdk, input); pages.HasMorePages(); {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.MFADevices {
				want = append(want, MFADevice{UserName: aws.ToString(d.UserName), SerialNumber: aws.ToString(d.SerialNumber)})
			}
		}

		ourHTTP := &replayHTTP{pages: listMFADevicesPages}
		c, err := NewIAM(Options{Credentials: testCredentials, HTTPClient: ourHTTP, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.ListUserMFADevices(ctx, userName)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || len(got) != 2 {
			t.Errorf("user %q: read %+v, the SDK %+v", userName, got, want)
		}
		if !reflect.DeepEqual(ourHTTP.forms, sdkHTTP.forms) {
			t.Errorf("user %q: sent %v, the SDK %v", userName, ourHTTP.forms, sdkHTTP.forms)
		}
	}
}

// enableWithCodes creates a device on srv and enables it with codes that
// IAM accepts, or, when wrongCodes, with the two in the wrong order.
func enableWithCodes(t *testing.T, c *Client, srv *stsstub.Server, wrongCodes bool) (serial string, err error) {
	t.Helper()
	srv.SetNextVirtualMFASeed(testSeed)
	dev, err := c.CreateVirtualMFADevice(context.Background(), "phone")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code1, code2 := codeAt(t, now.Add(-30*time.Second)), codeAt(t, now)
	if wrongCodes {
		code1, code2 = code2, code1
	}
	return dev.SerialNumber, c.EnableMFADevice(context.Background(), stsstub.DemoUserName, dev.SerialNumber, code1, code2)
}

// TestMayHaveRunTellsRefusalsFromLostOutcomes goes through the ways
// EnableMFADevice fails, and checks that MayHaveRun says "may have run"
// for every one after which IAM may have enabled the device.
func TestMayHaveRunTellsRefusalsFromLostOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     func(*stsstub.Server)
		wrong     bool
		wantMaybe bool
	}{
		{name: "reply lost after the device was enabled", wantMaybe: true, fault: func(s *stsstub.Server) {
			s.LoseReplyNext("EnableMFADevice", 1, http.StatusInternalServerError, "InternalFailure", "An internal error has occurred")
		}},
		{name: "server error", wantMaybe: true, fault: func(s *stsstub.Server) {
			s.FailNext("EnableMFADevice", 1, http.StatusServiceUnavailable, "ServiceUnavailable", "Down")
		}},
		{name: "codes refused", wrong: true},
		{name: "throttled on every attempt", fault: func(s *stsstub.Server) {
			s.FailNext("EnableMFADevice", DefaultMaxAttempts, http.StatusBadRequest, "Throttling", "Rate exceeded")
		}},
		{name: "signature refused", fault: func(s *stsstub.Server) {
			s.FailNext("EnableMFADevice", 1, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startStub(t)
			c, _ := demoClient(t, srv)
			if tc.fault != nil {
				tc.fault(srv)
			}
			serial, err := enableWithCodes(t, c, srv, tc.wrong)
			if err == nil {
				t.Fatal("EnableMFADevice did not fail")
			}
			if got := MayHaveRun(err); got != tc.wantMaybe {
				t.Errorf("MayHaveRun(%v) = %v, want %v", err, got, tc.wantMaybe)
			}
			if user, _ := srv.VirtualMFADevice(serial); user != "" && !tc.wantMaybe {
				t.Errorf("MayHaveRun says not run, but the device is assigned to %q", user)
			}
		})
	}
}

func TestMayHaveRunWithoutAnAnswer(t *testing.T) {
	ctx := context.Background()
	enable := func(ctx context.Context, endpoint string) error {
		c, _ := newIAMClient(t, endpoint, stsstub.DemoSecretAccessKey)
		return c.EnableMFADevice(ctx, stsstub.DemoUserName, "arn:aws:iam::123456789012:mfa/phone", "123456", "654321")
	}

	// Nothing listens: the request never left.
	if err := enable(ctx, "http://"+closedPort(t)); err == nil || MayHaveRun(err) {
		t.Errorf("connection refused: MayHaveRun(%v) is true", err)
	}

	// The connection breaks after the request arrived.
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangUp.Close()
	if err := enable(ctx, hangUp.URL); err == nil || !MayHaveRun(err) {
		t.Errorf("connection cut after the request: MayHaveRun(%v) is false", err)
	}

	// The caller gives up while the server works on the request.
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	var arrivals atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // so that the server notices the client leave
		if arrivals.Add(1) == 1 {
			arrived <- struct{}{} // never blocks: a resend is counted, not waited on
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		<-arrived
		cancel()
	}()
	if err := enable(cctx, slow.URL); !errors.Is(err, context.Canceled) || !MayHaveRun(err) {
		t.Errorf("cancelled while waiting for the answer: MayHaveRun(%v) is false", err)
	}
	if n := arrivals.Load(); n != 1 {
		t.Errorf("EnableMFADevice was sent %d times, want once: a mutation that may have run is never resent", n)
	}
}
