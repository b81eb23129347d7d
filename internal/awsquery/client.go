// Package awsquery calls STS and IAM over AWS's Query protocol: a
// SigV4-signed form POST answered with XML. It makes only the calls awsmfa
// needs: STS GetSessionToken, AssumeRole and GetCallerIdentity; IAM GetUser,
// CreateVirtualMFADevice, EnableMFADevice, DeleteVirtualMFADevice and
// ListMFADevices.
//
// It replaces the SDK's STS and IAM clients because their package
// initialisation (schemas, endpoint tables, the config loader they come
// with) cost milliseconds on every run of awsmfa, cache hits included. It
// behaves like them where a user could tell: the same endpoints, the same
// retries (the SDK's standard retryer), the same clock skew correction, the
// same errors (smithy.APIError). Where it differs, a comment says so.
package awsquery

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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/awsmfa/awsmfa/internal/redact"
)

const (
	// DefaultMaxAttempts matches the SDK's standard retryer.
	DefaultMaxAttempts = 3
	// attemptTimeout bounds one request, so a server that never answers
	// costs a retry rather than a hang. The SDK has no such bound.
	attemptTimeout = 30 * time.Second
	// maxResponseBytes caps what is read of a reply; the largest here (an
	// IAM QR code PNG, base64) is a few kilobytes.
	maxResponseBytes = 1 << 20
	// skewThreshold is how far the signing time may be from the server's
	// Date before a signature error counts as clock skew (the SDK's value).
	skewThreshold = 4 * time.Minute
	// maxTrustedRoundTrip: a reply that took longer says nothing reliable
	// about the server's clock (the SDK's maxTrustedRequestDuration).
	maxTrustedRoundTrip = 15 * time.Minute
)

// Options configure a Client. Only Credentials is required.
type Options struct {
	// Region is the AWS region; "" means us-east-1.
	Region string
	// Endpoint is a configured endpoint URL (AWS_ENDPOINT_URL_STS,
	// endpoint_url, ...), "" for AWS's own.
	Endpoint     string
	UseFIPS      bool
	UseDualStack bool
	Credentials  aws.CredentialsProvider
	// HTTPClient sends the requests; nil means one built like the SDK's
	// default (see newHTTPClient).
	HTTPClient interface {
		Do(*http.Request) (*http.Response, error)
	}
	// CABundle is a PEM file (AWS_CA_BUNDLE, ca_bundle) whose certificates
	// are the only ones trusted, as with the SDK. It applies only when
	// HTTPClient is nil.
	CABundle string
	// MaxAttempts bounds the tries of one call, the first included; 0
	// means DefaultMaxAttempts.
	MaxAttempts int
	// Backoff is the wait before retry number attempt (1, 2, ...); nil
	// means the SDK's exponential backoff with full jitter.
	Backoff func(attempt int) time.Duration
	// Now is the clock requests are signed with; nil means time.Now.
	Now func() time.Time
}

// Client calls STS or IAM. It is safe for concurrent use.
type Client struct {
	service  *service
	endpoint *url.URL
	signing  string // the region in the SigV4 scope
	opts     Options
	signer   *v4.Signer

	mu       sync.Mutex
	skew     time.Duration // the server's clock minus ours, as last seen
	skewSeen bool
}

// NewSTS returns a client for STS.
func NewSTS(o Options) (*Client, error) {
	return newClient(stsService, resolveSTSEndpoint, o)
}

// NewIAM returns a client for IAM.
func NewIAM(o Options) (*Client, error) {
	return newClient(iamService, resolveIAMEndpoint, o)
}

func newClient(s *service, resolve func(Options) (endpoint, error), o Options) (*Client, error) {
	if o.Credentials == nil {
		return nil, fmt.Errorf("awsquery: no credentials provider for %s", s.name)
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	ep, err := resolve(o)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(ep.url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the %s endpoint %s is not an http(s) URL; fix %s", s.name, redact.Quote(redact.URL, ep.url), configuredEndpointSettings(s.name))
	}
	if o.HTTPClient == nil {
		if o.HTTPClient, err = newHTTPClient(o.CABundle); err != nil {
			return nil, err
		}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Client{service: s, endpoint: u, signing: ep.signingRegion, opts: o, signer: v4.NewSigner()}, nil
}

// Endpoint is the URL requests go to, for messages: without its password,
// and redact.NotShown when the configured URL may not appear in a message.
func (c *Client) Endpoint() string { return redact.Show(redact.URL, c.endpoint.Redacted()) }

// ClockSkew is the server's clock minus this computer's, from the Date
// header of the last reply (success or error); ok is false if none was seen.
// As in the SDK, a reply from a cache (with an Age header) or one that took
// over 15 minutes to come says nothing about the server's clock and is
// passed over.
func (c *Client) ClockSkew() (skew time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skew, c.skewSeen
}

// signingSkew is what requests are signed with: the last skew seen, as the
// SDK carries it from reply to attempt and from call to call.
func (c *Client) signingSkew() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skew
}

func (c *Client) noteSkew(skew time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew, c.skewSeen = skew, true
}

// attemptResult is what one request came back with.
type attemptResult struct {
	body []byte
	err  error
	// sent is false when the request never left: credentials or signing
	// failed. Such an error is not retried.
	sent bool
	// readFailed: the reply's headers came but its body broke off.
	readFailed bool
	// signedWithSkew is the correction the request was signed with;
	// serverSkew, when hasServerSkew, the one its reply showed.
	signedWithSkew time.Duration
	serverSkew     time.Duration
	hasServerSkew  bool
}

// call performs action with params and returns the reply's body, retrying
// as the SDK's standard retryer does: throttling, server errors, broken
// connections, and signatures refused because of clock skew (signed again
// with the skew the reply's Date showed). Actions that change something are
// retried only when the failure proves they were not carried out.
func (c *Client) call(ctx context.Context, action string, params url.Values) ([]byte, error) {
	form := url.Values{"Action": {action}, "Version": {c.service.apiVersion}}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])

	for attempt := 1; ; attempt++ {
		r := c.attempt(ctx, action, body, payloadHash)
		if r.err == nil {
			return r.body, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, c.contextError(action, ctxErr, r.err)
		}
		if !c.shouldRetry(action, r) {
			return nil, c.finalError(action, attempt, r.err)
		}
		if attempt >= c.opts.MaxAttempts {
			return nil, c.finalError(action, attempt, r.err)
		}
		if err := sleep(ctx, c.retryDelay(attempt, r.err)); err != nil {
			return nil, c.named(action, fmt.Errorf("gave up waiting to retry (%w) after: %w", err, r.err))
		}
	}
}

// shouldRetry is the SDK standard retryer's verdict, narrowed for actions
// that are not safe to repeat.
func (c *Client) shouldRetry(action string, r attemptResult) bool {
	if !r.sent {
		return false
	}
	var apiErr *APIError
	if errors.As(r.err, &apiErr) {
		skewed := clockSkewCodes.has(apiErr.Code) && r.hasServerSkew && (r.signedWithSkew-r.serverSkew).Abs() > skewThreshold
		if c.service.mutating.has(action) {
			// Throttling and a refused signature prove nothing was done;
			// a 5xx may hide a request that was carried out.
			return skewed || c.service.isThrottle(apiErr)
		}
		return skewed || c.service.retryableAPIError(apiErr)
	}
	if r.readFailed {
		return !c.service.mutating.has(action) && retryableReadError(r.err)
	}
	if c.service.mutating.has(action) && !notSent(r.err) {
		return false
	}
	return retryableTransportError(r.err)
}

// finalError words the error of the last attempt. An *APIError speaks for
// itself; others say which call failed and after how many attempts.
func (c *Client) finalError(action string, attempts int, err error) error {
	var apiErr *APIError
	if attempts == 1 || errors.As(err, &apiErr) {
		return c.named(action, err)
	}
	return fmt.Errorf("%s %s: %d attempts failed, the last with: %w", c.service.name, action, attempts, err)
}

// contextError makes sure the error of a call whose context ended says so
// to errors.Is, whatever the last attempt failed with.
func (c *Client) contextError(action string, ctxErr, err error) error {
	if errors.Is(err, ctxErr) {
		return c.named(action, err)
	}
	return c.named(action, fmt.Errorf("gave up (%w) after: %w", ctxErr, err))
}

// named prefixes err with the call, unless it holds an *APIError, which
// names the call itself.
func (c *Client) named(action string, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return err
	}
	return fmt.Errorf("%s %s: %w", c.service.name, action, err)
}

// attempt sends one signed request.
func (c *Client) attempt(ctx context.Context, action string, body []byte, payloadHash string) attemptResult {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	r := attemptResult{signedWithSkew: c.signingSkew()}
	req, err := c.signedRequest(ctx, body, payloadHash, c.opts.Now().Add(r.signedWithSkew))
	if err != nil {
		r.err = err
		return r
	}
	r.sent = true
	requestAt := c.opts.Now()
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		r.err = withShownURL(err)
		return r
	}
	defer resp.Body.Close()
	r.serverSkew, r.hasServerSkew = serverSkew(resp.Header, requestAt, c.opts.Now())
	if r.hasServerSkew {
		c.noteSkew(r.serverSkew)
	}
	reply, err := readCapped(resp.Body)
	if err != nil {
		r.err, r.readFailed = fmt.Errorf("reading the reply from %s: %w", redact.Show(redact.URL, c.endpoint.Host), err), true
		return r
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		r.err = parseError(c.service.name, action, resp.StatusCode, resp.Header, reply)
		return r
	}
	r.body = reply
	return r
}

// withShownURL is err with the URL of its *url.Error (which the HTTP client
// makes with the request's whole URL) replaced by redact.NotShown when the
// URL may not appear in a message: the endpoint comes from the settings.
func withShownURL(err error) error {
	if uerr := (*url.Error)(nil); errors.As(err, &uerr) && !redact.Fits(redact.URL, uerr.URL) {
		uerr.URL = redact.NotShown
	}
	return err
}

// signedRequest builds the POST and signs it as made at signingTime.
func (c *Client) signedRequest(ctx context.Context, body []byte, payloadHash string, signingTime time.Time) (*http.Request, error) {
	creds, err := c.opts.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting credentials to sign the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("User-Agent", "awsmfa")
	if err := c.signer.SignHTTP(ctx, creds, req, payloadHash, c.service.signingName, c.signing, signingTime); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	return req, nil
}

// readCapped reads a reply body of at most maxResponseBytes.
func readCapped(body io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("the reply is larger than %d bytes; the endpoint does not behave like AWS", maxResponseBytes)
	}
	return b, nil
}

// serverSkew is the reply's Date minus our clock when the reply came, as
// the SDK's RecordResponseTiming computes it: none when Date is missing or
// unreadable, when the reply came from a cache (Age header), or when the
// round trip took too long to say anything about the server's clock.
func serverSkew(h http.Header, requestAt, responseAt time.Time) (time.Duration, bool) {
	date := h.Get("Date")
	if date == "" || h.Get("Age") != "" || responseAt.Sub(requestAt) > maxTrustedRoundTrip {
		return 0, false
	}
	serverTime, err := parseHTTPDate(date)
	if err != nil {
		return 0, false
	}
	return serverTime.Sub(responseAt), true
}

// httpDateLayouts are those smithy-go's ParseHTTPDate accepts.
var httpDateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Mon, _2 Jan 2006 15:04:05 GMT",
	"Mon, _2 Jan 06 15:04:05 GMT",
	time.RFC850,
	time.ANSIC,
}

func parseHTTPDate(s string) (time.Time, error) {
	var err error
	for _, layout := range httpDateLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// retryDelay is the wait before retry number attempt: Options.Backoff, or
// the SDK's, then stretched to the reply's x-amz-retry-after as the SDK does.
func (c *Client) retryDelay(attempt int, err error) time.Duration {
	var delay time.Duration
	if c.opts.Backoff != nil {
		delay = c.opts.Backoff(attempt)
	} else {
		delay = c.sdkBackoff(attempt, err)
	}
	return adjustForRetryAfter(delay, err)
}

const (
	backoffBase         = 50 * time.Millisecond
	throttleBackoffBase = time.Second
	maxBackoff          = 20 * time.Second
)

// sdkBackoff is the SDK standard retryer's exponential backoff with full
// jitter: a random share of min(base*2^(attempt-1), 20 s), base 1 s after
// throttling and 50 ms otherwise.
func (c *Client) sdkBackoff(attempt int, err error) time.Duration {
	base := backoffBase
	var apiErr *APIError
	if errors.As(err, &apiErr) && c.service.isThrottle(apiErr) {
		base = throttleBackoffBase
	}
	ceiling := maxBackoff
	if shift := attempt - 1; shift >= 0 && shift < 16 && base<<shift < maxBackoff {
		ceiling = base << shift
	}
	return rand.N(ceiling)
}

// adjustForRetryAfter clamps the reply's x-amz-retry-after (milliseconds)
// into [delay, delay+5s] and waits that long instead, as the SDK does.
func adjustForRetryAfter(delay time.Duration, err error) time.Duration {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.hasRetryAfter {
		return delay
	}
	after := time.Duration(apiErr.retryAfter) * time.Millisecond
	return min(max(after, delay), delay+5*time.Second)
}

// retryAfterMillis reads x-amz-retry-after; a negative or unreadable value
// is ignored, as the SDK ignores it.
func retryAfterMillis(h http.Header) (int64, bool) {
	v := h.Get("X-Amz-Retry-After")
	if v == "" {
		return 0, false
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	// Any delay is clamped to at most 5 s more than the backoff; the cap
	// only keeps the conversion to time.Duration from overflowing.
	return min(ms, int64(time.Hour/time.Millisecond)), true
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

// ProbeResult is what one unsigned request to the endpoint showed.
type ProbeResult struct {
	// ServerDate is the answer's Date header; Dated is false when it had
	// none that could be read.
	ServerDate time.Time
	Dated      bool
	// Sent and Received bracket the round trip.
	Sent, Received time.Time
}

// Probe is one unsigned request to the endpoint, through the client's HTTP
// client (proxy and CA bundle included): any answer proves the endpoint
// reachable.
func (c *Client) Probe(ctx context.Context) (ProbeResult, error) {
	body := url.Values{"Action": {"GetCallerIdentity"}, "Version": {c.service.apiVersion}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint.String(), strings.NewReader(body))
	if err != nil {
		return ProbeResult{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	var r ProbeResult
	r.Sent = c.opts.Now()
	resp, err := c.opts.HTTPClient.Do(req)
	r.Received = c.opts.Now()
	if err != nil {
		return r, err
	}
	resp.Body.Close()
	date, err := parseHTTPDate(resp.Header.Get("Date"))
	r.ServerDate, r.Dated = date, err == nil
	return r, nil
}
