// Package iamquery makes the five IAM calls awsmfa needs (GetUser,
// CreateVirtualMFADevice, EnableMFADevice, DeleteVirtualMFADevice,
// ListMFADevices) over IAM's Query protocol: a SigV4-signed form POST
// answered with XML.
//
// It replaces the SDK's IAM client because that client's package
// initialisation (its schemas and endpoint tables) cost about 1.2 ms on every
// run of every command, `awsmfa process` included, although only `mfa
// enroll` and `setup` talk to IAM. The endpoint settings mean what they mean
// to the SDK: see resolveEndpoint.
package iamquery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	apiVersion = "2010-05-08"
	// signingName is IAM's service name in the SigV4 credential scope.
	signingName = "iam"
	// DefaultMaxAttempts matches the SDK's standard retryer.
	DefaultMaxAttempts = 3
	// attemptTimeout bounds one request, so a server that never answers
	// costs a retry rather than a hang.
	attemptTimeout = 30 * time.Second
	// maxResponseBytes caps what is read of a reply; IAM's largest here
	// (a QR code PNG, base64) is a few kilobytes.
	maxResponseBytes = 1 << 20
	backoffBase      = 200 * time.Millisecond
	backoffCap       = 5 * time.Second
)

// Options configure a Client. Only Credentials is required; New fills in the rest.
type Options struct {
	// Endpoint is the base URL requests go to, e.g. "https://iam.amazonaws.com".
	Endpoint string
	// SigningRegion is the region in the SigV4 scope; IAM is global and
	// signs in its partition's home region (us-east-1 for aws).
	SigningRegion string
	Credentials   aws.CredentialsProvider
	// HTTPClient defaults to an http.Client with a timeout.
	HTTPClient aws.HTTPClient
	// MaxAttempts bounds the tries of one call, the first included.
	MaxAttempts int
	// Backoff is the wait before retry number attempt (1, 2, ...); it
	// defaults to exponential backoff with full jitter.
	Backoff func(attempt int) time.Duration
}

// Client calls IAM. It is safe for concurrent use.
type Client struct {
	endpoint *url.URL
	opts     Options
	signer   *v4.Signer
}

// New checks o and returns a client.
func New(o Options) (*Client, error) {
	if o.Credentials == nil {
		return nil, errors.New("iamquery: no credentials provider")
	}
	if o.Endpoint == "" {
		o.Endpoint = "https://iam.amazonaws.com"
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the IAM endpoint %q is not an http(s) URL; fix AWS_ENDPOINT_URL_IAM or the profile's endpoint_url", o.Endpoint)
	}
	if o.SigningRegion == "" {
		o.SigningRegion = "us-east-1"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: attemptTimeout}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = jitteredBackoff
	}
	return &Client{endpoint: u, opts: o, signer: v4.NewSigner()}, nil
}

// NewFromConfig makes a client from an SDK config: its credentials, HTTP
// client, max_attempts, and the IAM endpoint its settings select.
func NewFromConfig(ctx context.Context, cfg aws.Config, optFns ...func(*Options)) (*Client, error) {
	ep, err := resolveEndpoint(ctx, cfg)
	if err != nil {
		return nil, err
	}
	o := Options{
		Endpoint:      ep.url,
		SigningRegion: ep.signingRegion,
		Credentials:   cfg.Credentials,
		HTTPClient:    cfg.HTTPClient,
		MaxAttempts:   cfg.RetryMaxAttempts,
	}
	for _, f := range optFns {
		f(&o)
	}
	return New(o)
}

// mutating are the actions that change IAM and are not safe to repeat.
var mutating = map[string]bool{"CreateVirtualMFADevice": true, "EnableMFADevice": true}

// call performs action with params, retrying throttling, server errors and
// broken connections (for mutating actions only what proves the request was
// never carried out), and returns the reply's body.
func (c *Client) call(ctx context.Context, action string, params url.Values) ([]byte, error) {
	form := url.Values{"Action": {action}, "Version": {apiVersion}}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])

	for attempt := 1; ; attempt++ {
		reply, err := c.attempt(ctx, action, body, payloadHash)
		if err == nil {
			return reply, nil
		}
		again := retryable(err)
		if mutating[action] {
			again = notExecuted(err)
		}
		if ctx.Err() != nil || attempt >= c.opts.MaxAttempts || !again {
			var apiErr *APIError
			if attempt == 1 || errors.As(err, &apiErr) {
				return nil, err
			}
			return nil, fmt.Errorf("%d attempts failed, the last with: %w", attempt, err)
		}
		if serr := sleep(ctx, c.opts.Backoff(attempt)); serr != nil {
			return nil, fmt.Errorf("gave up waiting to retry (%w) after: %w", serr, err)
		}
	}
}

// attempt sends one signed request.
func (c *Client) attempt(ctx context.Context, action string, body []byte, payloadHash string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	creds, err := c.opts.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting credentials to sign the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, signingName, c.opts.SigningRegion, time.Now()); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("reading the reply: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, parseError(action, resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"), reply)
	}
	return reply, nil
}

// jitteredBackoff is "full jitter" exponential backoff, as the SDK's
// standard retryer does, with a smaller cap fit for an interactive command.
func jitteredBackoff(attempt int) time.Duration {
	ceiling := backoffCap
	if attempt < 8 {
		ceiling = min(backoffCap, backoffBase<<attempt)
	}
	return rand.N(ceiling)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
