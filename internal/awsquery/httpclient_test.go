package awsquery

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// startTLSSTS serves the STS stand-in over HTTPS with httptest's own
// certificate, which no system trusts.
func startTLSSTS(t *testing.T) *httptest.Server {
	t.Helper()
	stub := stsstub.New(stsstub.Config{Clock: stsstub.NewManualClock(time.Now()), Users: []stsstub.User{stsstub.DemoUser()}, Logf: t.Logf})
	ts := httptest.NewTLSServer(stub)
	t.Cleanup(ts.Close)
	return ts
}

// writeBundle writes the server's certificate as a PEM CA bundle.
func writeBundle(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "bundle.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(file, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func demoSTS(t *testing.T, endpoint, caBundle string) (*Client, error) {
	t.Helper()
	return NewSTS(Options{
		Endpoint:    endpoint,
		CABundle:    caBundle,
		Credentials: credentials.NewStaticCredentialsProvider(stsstub.DemoAccessKeyID, stsstub.DemoSecretAccessKey, ""),
		Backoff:     func(int) time.Duration { return 0 },
	})
}

func TestCABundleIsTrusted(t *testing.T) {
	ts := startTLSSTS(t)
	c, err := demoSTS(t, ts.URL, writeBundle(t, ts))
	if err != nil {
		t.Fatal(err)
	}
	who, err := c.GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatalf("with the CA bundle: %v", err)
	}
	if who.Account != stsstub.DemoAccountID {
		t.Errorf("identity %+v", who)
	}
}

func TestUntrustedCertificateFailsAtOnce(t *testing.T) {
	ts := startTLSSTS(t)
	c, err := demoSTS(t, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCallerIdentity(context.Background())
	var unknownAuthority x509.UnknownAuthorityError
	if !errors.As(err, &unknownAuthority) {
		t.Fatalf("error %v, want an unknown certificate authority", err)
	}
	if strings.Contains(err.Error(), "attempts") {
		t.Errorf("a certificate that cannot be trusted was retried: %v", err)
	}
}

// The bundle replaces the system's roots, as AWS_CA_BUNDLE does for the
// SDK (config.resolveCustomCABundle starts from an empty pool).
func TestCABundleReplacesTheSystemRoots(t *testing.T) {
	ts := startTLSSTS(t)
	c, err := demoSTS(t, ts.URL, writeBundle(t, ts))
	if err != nil {
		t.Fatal(err)
	}
	got := c.opts.HTTPClient.(*http.Client).Transport.(*http.Transport).TLSClientConfig.RootCAs
	want := x509.NewCertPool()
	want.AddCert(ts.Certificate())
	if got == nil || !got.Equal(want) {
		t.Error("the trusted roots are not exactly the bundle's certificates")
	}
}

func TestBadCABundleSaysWhatToFix(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("-----BEGIN NOTHING-----\nhello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, says string }{
		{"missing file", filepath.Join(dir, "missing.pem"), "reading the CA bundle"},
		{"no certificate", notPEM, "holds no PEM certificate"},
	} {
		_, err := demoSTS(t, "https://127.0.0.1:1", tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") ||
			!strings.Contains(err.Error(), "ca_bundle") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// The default client is the SDK's default: same proxy, timeouts and pools.
func TestDefaultHTTPClientIsLikeTheSDKs(t *testing.T) {
	client, err := newHTTPClient("")
	if err != nil {
		t.Fatal(err)
	}
	got := client.Transport.(*http.Transport)
	want := awshttp.NewBuildableClient().GetTransport()
	if got.Proxy == nil || got.TLSHandshakeTimeout != want.TLSHandshakeTimeout || got.MaxIdleConns != want.MaxIdleConns ||
		got.MaxIdleConnsPerHost != want.MaxIdleConnsPerHost || got.MaxConnsPerHost != want.MaxConnsPerHost ||
		got.IdleConnTimeout != want.IdleConnTimeout || got.ExpectContinueTimeout != want.ExpectContinueTimeout ||
		got.ForceAttemptHTTP2 != want.ForceAttemptHTTP2 || got.TLSClientConfig.MinVersion != want.TLSClientConfig.MinVersion {
		t.Errorf("transport differs from the SDK's:\n got %+v\nwant %+v", got, want)
	}
	if client.Timeout != 0 {
		t.Errorf("client timeout %v; the per-attempt timeout is the context's", client.Timeout)
	}
	dialer := awshttp.NewBuildableClient().GetDialer()
	if dialTimeout != dialer.Timeout || dialKeepAlive != dialer.KeepAlive {
		t.Errorf("dialer %v/%v, the SDK's %v/%v", dialTimeout, dialKeepAlive, dialer.Timeout, dialer.KeepAlive)
	}
}

// Only 307 and 308 are followed, as the SDK's client follows them; a 302
// is an error reply.
func TestOnlyTemporaryAndPermanentRedirectsAreFollowed(t *testing.T) {
	var reached atomic.Int32
	var status atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/target" {
			reached.Add(1)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		http.Redirect(w, r, "/target", int(status.Load()))
	}))
	defer ts.Close()
	c, err := demoSTS(t, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.opts.MaxAttempts = 1

	status.Store(http.StatusFound)
	_, err = c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "UnknownError", "HTTP 302")
	if reached.Load() != 0 {
		t.Error("a 302 was followed")
	}
	status.Store(http.StatusTemporaryRedirect)
	_, err = c.GetCallerIdentity(context.Background())
	wantAPIError(t, err, "UnknownError", "HTTP 403")
	if reached.Load() != 1 {
		t.Error("a 307 was not followed")
	}
}

// A redirect to another host is not followed, however many hops it takes:
// the session token and the form (with the MFA code) would go with it.
func TestRedirectsNeverLeaveTheFirstHost(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hop1" {
			http.Redirect(w, r, "/hop2", http.StatusTemporaryRedirect)
			return
		}
		leaked.Add(1)
	}))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/hop1", http.StatusTemporaryRedirect)
	}))
	defer origin.Close()
	c, err := demoSTS(t, origin.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.opts.MaxAttempts = 1
	_, err = c.GetSessionToken(context.Background(), 3600, "arn:aws:iam::123456789012:mfa/alice", "123456")
	wantAPIError(t, err, "UnknownError", "HTTP 307")
	if leaked.Load() != 0 {
		t.Error("the request followed a redirect to another host")
	}
}

func TestOversizedReplyIsRefused(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<GetCallerIdentityResponse>"))
		_, _ = w.Write(make([]byte, maxResponseBytes))
	}))
	defer ts.Close()
	c, err := demoSTS(t, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCallerIdentity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("error %v", err)
	}
}

// doctor's reachability probe goes through the same HTTP client as the
// calls: behind a TLS-intercepting proxy it must trust the CA bundle too.
func TestProbeUsesTheCABundleAndReadsTheDate(t *testing.T) {
	ts := startTLSSTS(t)
	without, err := demoSTS(t, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := without.Probe(context.Background()); err == nil {
		t.Error("probe without the CA bundle trusted the test server")
	}
	with, err := demoSTS(t, ts.URL, writeBundle(t, ts))
	if err != nil {
		t.Fatal(err)
	}
	r, err := with.Probe(context.Background())
	if err != nil || !r.Dated {
		t.Fatalf("probe with the CA bundle: %+v, %v", r, err)
	}
	if d := r.ServerDate.Sub(r.Sent); d < -2*time.Second || d > 2*time.Second || r.Received.Before(r.Sent) {
		t.Errorf("probe %+v: not one round trip", r)
	}
}
