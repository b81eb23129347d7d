package awsquery

import (
	"crypto/fips140"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// The SDK's dialer settings (aws/transport/http.DefaultDialConnectTimeout
// and DefaultDialKeepAliveTimeout).
const (
	dialTimeout   = 30 * time.Second
	dialKeepAlive = 30 * time.Second
)

// newHTTPClient builds an HTTP client like the SDK's default
// (aws/transport/http.NewBuildableClient with the "legacy" defaults mode
// the SDK uses when none is configured): proxies from the environment
// (HTTPS_PROXY, NO_PROXY...), 30 s to connect, 10 s for the TLS handshake,
// TLS 1.2 at least, redirects followed only for 307 and 308. With a
// caBundle, its certificates replace the system's roots, as AWS_CA_BUNDLE
// does for the SDK.
func newHTTPClient(caBundle string) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if fips140.Enabled() {
		tlsConfig.CurvePreferences = []tls.CurveID{tls.CurveP256, tls.CurveP384, tls.CurveP521}
	}
	if caBundle != "" {
		roots, err := loadCABundle(caBundle)
		if err != nil {
			return nil, err
		}
		tlsConfig.RootCAs = roots
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		MaxConnsPerHost:       2048,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       tlsConfig,
	}
	return &http.Client{Transport: transport, CheckRedirect: limitedRedirect}, nil
}

// limitedRedirect follows only 307 and 308, which keep the method and the
// body, and only to the scheme and host of the first request: Go's client
// resends the first request's headers (the session token) and the body
// (the MFA code) on every hop, and another host could not check the
// signature anyway. (The SDK drops only the token, and only when the host
// differs from the previous hop's.) Any other redirect is returned as it is
// and reported as an error reply.
func limitedRedirect(r *http.Request, via []*http.Request) error {
	switch r.Response.StatusCode {
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if first := via[0].URL; r.URL.Host != first.Host || r.URL.Scheme != first.Scheme {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return http.ErrUseLastResponse
}

// loadCABundle reads the PEM certificates of path into a pool of their own.
func loadCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		if pathErr := (*fs.PathError)(nil); errors.As(err, &pathErr) {
			pathErr.Path = redact.Show(redact.Path, pathErr.Path) // AWS_CA_BUNDLE can hold anything
		}
		return nil, fmt.Errorf("reading the CA bundle: %w; fix AWS_CA_BUNDLE or the profile's ca_bundle", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA bundle %s holds no PEM certificate; fix AWS_CA_BUNDLE or the profile's ca_bundle", redact.Show(redact.Path, path))
	}
	return pool, nil
}
