package awsquery

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsmfa/awsmfa/internal/secrettest"
)

// A secret in the region, the endpoint or the CA bundle setting is in no
// error New returns, which still names the setting to fix.
func TestNewDoesNotRepeatSecretsFromSettings(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	for _, tc := range []struct {
		name string
		o    Options // SECRET in a field stands for the secret
		want string  // a regexp the error must match
	}{
		{"region", Options{Region: "SECRET"},
			`^the region \(value not shown\) is not a valid AWS region name \(.*\); fix AWS_REGION or the profile's region$`},
		{"region continued", Options{Region: "eu-west-1\nSECRET"},
			`^the region \(value not shown\) is not a valid AWS region name`},
		// Valid as a host name when the secret is letters and digits.
		{"FIPS region", Options{Region: "fips-SECRET", Endpoint: "http://127.0.0.1:1"},
			`^the (FIPS )?region \(value not shown\) `},
		{"endpoint", Options{Endpoint: "SECRET"},
			`^the STS endpoint \(value not shown\) is not an http\(s\) URL; fix AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or endpoint_url$`},
		{"endpoint continued", Options{Endpoint: "https://sts.example.com\nSECRET"},
			`^the STS endpoint \(value not shown\) is not an http\(s\) URL`},
		{"CA bundle", Options{Endpoint: "http://127.0.0.1:1", CABundle: "$DIR/SECRET"},
			`^reading the CA bundle: open \(value not shown\): no such file or directory; fix AWS_CA_BUNDLE or the profile's ca_bundle$`},
		{"CA bundle without certificates", Options{Endpoint: "http://127.0.0.1:1", CABundle: "$DIR/SECRET/ca.pem"},
			`^the CA bundle \(value not shown\) holds no PEM certificate; fix AWS_CA_BUNDLE or the profile's ca_bundle$`},
	} {
		for shape, secret := range secrettest.Shapes {
			t.Run(tc.name+"/"+shape, func(t *testing.T) {
				dir := t.TempDir()
				o := tc.o
				o.Credentials = creds
				o.Region = strings.ReplaceAll(o.Region, "SECRET", secret)
				o.Endpoint = strings.ReplaceAll(o.Endpoint, "SECRET", secret)
				o.CABundle = strings.ReplaceAll(strings.ReplaceAll(o.CABundle, "SECRET", secret), "$DIR", dir)
				if strings.HasSuffix(o.CABundle, "ca.pem") {
					writeNotPEM(t, o.CABundle)
				}
				c, err := NewSTS(o)
				if err == nil && tc.name == "region" {
					// A secret of letters and digits is a valid region
					// name: only the endpoint made of it shows it.
					if got := c.Endpoint(); got != "(value not shown)" {
						t.Errorf("Endpoint() = %q, want (value not shown)", got)
					}
					return
				}
				if err == nil {
					t.Fatal("NewSTS succeeded")
				}
				if part := secrettest.Repeated(err.Error(), secret); part != "" {
					t.Errorf("the error repeats %q of the secret: %v", part, err)
				}
				if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
					t.Errorf("error:\n%v\nwant match for\n%s", err, tc.want)
				}
			})
		}
	}
}

func writeNotPEM(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// An endpoint that is a URL but holds a secret (in its path, say) is in no
// message: not in Endpoint, which callers print, and not in the transport
// error, which the HTTP client words with the request's URL.
func TestEndpointWithASecretIsNotShown(t *testing.T) {
	for shape, secret := range secrettest.Shapes {
		t.Run(shape, func(t *testing.T) {
			h := &failingHTTP{err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
			c, err := NewSTS(Options{Endpoint: "https://sts.example.com/" + secret, HTTPClient: h, MaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Endpoint(); got != "(value not shown)" {
				t.Errorf("Endpoint() = %q, want (value not shown)", got)
			}
			_, err = c.GetCallerIdentity(context.Background())
			if err == nil {
				t.Fatal("the call succeeded")
			}
			if part := secrettest.Repeated(err.Error(), secret); part != "" {
				t.Errorf("the error repeats %q of the secret: %v", part, err)
			}
			if want := `Post "(value not shown)": dial tcp: connection refused`; !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want it to say %s", err, want)
			}
		})
	}
}

// Endpoints without a secret are shown as they are, password aside.
func TestEndpointIsShownWithoutItsPassword(t *testing.T) {
	c, err := NewSTS(Options{Endpoint: "https://alice:hunter2@proxy.corp.example/sts", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Endpoint(), "https://alice:xxxxx@proxy.corp.example/sts"; got != want {
		t.Errorf("Endpoint() = %q, want %q", got, want)
	}
}
