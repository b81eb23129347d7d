package stsstub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// These tests speak raw HTTP, signed by the SDK's signer as an independent
// reference, to cover what the SDK's STS client never sends.

func signedRequest(t *testing.T, method, url, body string, header http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: DemoAccessKeyID, SecretAccessKey: DemoSecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", "ap-south-2", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestSignedGETWithQueryAndUntidyHeader(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	header := http.Header{"X-Custom": {"  spaced    out  ", "second"}}
	req := signedRequest(t, http.MethodGet, f.srv.URL()+"/?Version=2011-06-15&Action=GetCallerIdentity&Z=a%20b&A=~x", "", header)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", resp.Status, body)
	}
	if !strings.Contains(body, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`) ||
		!strings.Contains(body, "<Arn>arn:aws:iam::123456789012:user/alice</Arn>") {
		t.Errorf("body %s", body)
	}
	requestID := resp.Header.Get("X-Amzn-Requestid")
	if len(requestID) != 36 || !strings.Contains(body, "<RequestId>"+requestID+"</RequestId>") {
		t.Errorf("request ID header %q, body %s", requestID, body)
	}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err != nil || date.Sub(f.clock.Now()).Abs() > time.Second {
		t.Errorf("Date header %q (%v), clock %v", resp.Header.Get("Date"), err, f.clock.Now())
	}
}

func TestTamperedBodyFailsSignature(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	req := signedRequest(t, http.MethodPost, f.srv.URL(), "Action=GetSessionToken&Version=2011-06-15", nil)
	tampered := "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"
	req.Body = io.NopCloser(bytes.NewBufferString(tampered))
	req.ContentLength = int64(len(tampered))
	req.Header.Del("Content-Length")
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") ||
		!strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("%s: %s", resp.Status, body)
	}
}

func TestUnsignedAndUnknownRequests(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"unsigned", mustRequest(t, http.MethodGet, f.srv.URL()+"/?Action=GetCallerIdentity&Version=2011-06-15"), 403, "MissingAuthenticationToken"},
		{"unknown action", signedRequest(t, http.MethodPost, f.srv.URL(), "Action=GetFederationTokenX&Version=2011-06-15", nil), 400, "InvalidAction"},
		{"wrong version", signedRequest(t, http.MethodPost, f.srv.URL(), "Action=GetCallerIdentity&Version=2010-05-08", nil), 400, "InvalidAction"},
		{"no action", signedRequest(t, http.MethodPost, f.srv.URL(), "Version=2011-06-15", nil), 400, "MissingAction"},
	} {
		resp, body := do(t, tc.req)
		if resp.StatusCode != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: %s %s", tc.name, resp.Status, body)
		}
	}
	wantCalls(t, f.srv, "GetFederationTokenX", 1, 0)
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCanonicalQuerySortsByNameThenValue(t *testing.T) {
	t.Parallel()
	got := canonicalQuery("b=2&a=z&a=y&a-b=1&c=%2F+x&empty")
	const want = "a=y&a=z&a-b=1&b=2&c=%2F%20x&empty="
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
