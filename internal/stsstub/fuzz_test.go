package stsstub

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseAuthorization: the stand-in parses the Authorization header by
// hand. No header may crash it, and whatever it accepts has the parts the
// signature check relies on.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=")
	f.Add("AWS4-HMAC-SHA256")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		auth, apiErr := parseAuthorization(header)
		if apiErr != nil {
			if auth != nil {
				t.Fatal("both a result and an error")
			}
			return
		}
		if auth.accessKeyID == "" || (auth.service != "sts" && auth.service != "iam") || auth.region == "" || auth.signature == "" {
			t.Fatalf("accepted an incomplete header %q: %+v", header, auth)
		}
		if !strings.Contains(";"+auth.signedHeaders+";", ";host;") {
			t.Fatalf("accepted a header that does not sign host: %q", header)
		}
	})
}

// FuzzRequest sends arbitrary query strings, bodies and Authorization
// headers through the whole handler: the stand-in must answer every request
// with an STS-shaped reply and never panic.
func FuzzRequest(f *testing.F) {
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", "", "application/x-www-form-urlencoded", "")
	f.Add("", "Action=GetSessionToken&Version=2011-06-15&TokenCode=123456&SerialNumber=x", "application/x-www-form-urlencoded", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	f.Add("%zz", "a=%", "text/plain", "garbage")
	f.Fuzz(func(t *testing.T, query, body, contentType, authorization string) {
		s := New(Config{Users: []User{DemoUser()}})
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", authorization)
		req.Header.Set("X-Amz-Date", "20240101T000000Z")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), "<") {
			t.Fatalf("200 without an XML body: %q", rec.Body.String())
		}
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d for query %q body %q", rec.Code, query, body)
		}
	})
}
