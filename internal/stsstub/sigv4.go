package stsstub

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file verifies AWS Signature Version 4 from the specification, not by
// re-signing with the SDK's signer: a shared bug would then go unnoticed.

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	scopeTerminator = "aws4_request"
	// maxRequestAge is how far X-Amz-Date may be from the stand-in's clock.
	maxRequestAge = 5 * time.Minute
)

// sigV4Auth is a parsed Authorization header.
type sigV4Auth struct {
	accessKeyID   string
	scopeDate     string // YYYYMMDD
	region        string
	service       string
	signedHeaders string // as sent, e.g. "content-type;host;x-amz-date"
	signature     string
}

func (a *sigV4Auth) scope() string {
	return a.scopeDate + "/" + a.region + "/" + a.service + "/" + scopeTerminator
}

// parseAuthorization reads
// "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(header string) (*sigV4Auth, *apiError) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	if algorithm != sigV4Algorithm {
		return nil, errIncompleteSignature("Unsupported AWS 'algorithm': '%s'", algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[key] = value
		}
	}
	for _, required := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[required] == "" {
			return nil, errIncompleteSignature("Authorization header requires '%s' parameter. Authorization=%s", required, header)
		}
	}
	credential := strings.Split(fields["Credential"], "/")
	if len(credential) != 5 || credential[0] == "" {
		return nil, errIncompleteSignature("Authorization header requires 'Credential' parameter to have 5 slash-separated parts.")
	}
	auth := &sigV4Auth{
		accessKeyID:   credential[0],
		scopeDate:     credential[1],
		region:        credential[2],
		service:       credential[3],
		signedHeaders: fields["SignedHeaders"],
		signature:     strings.ToLower(fields["Signature"]),
	}
	if credential[4] != scopeTerminator {
		return nil, errSignatureDoesNotMatch("Credential should be scoped with a valid terminator: 'aws4_request', not '" + credential[4] + "'. ")
	}
	if !servedService(auth.service) {
		return nil, errSignatureDoesNotMatch("Credential should be scoped to correct service: 'sts'. ")
	}
	if auth.region == "" {
		return nil, errSignatureDoesNotMatch("Credential should be scoped to a valid region. ")
	}
	if !slices.Contains(strings.Split(auth.signedHeaders, ";"), "host") {
		return nil, errSignatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return auth, nil
}

// requestTime returns the signing time and its ISO 8601 basic form, taken
// from X-Amz-Date or, failing that, from the Date header.
func requestTime(r *http.Request, auth *sigV4Auth) (time.Time, string, *apiError) {
	var t time.Time
	var err error
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err = time.Parse(amzDateFormat, v)
	} else if v := r.Header.Get("Date"); v != "" {
		t, err = http.ParseTime(v)
	} else {
		return time.Time{}, "", errIncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", r.Header.Get("Authorization"))
	}
	if err != nil {
		return time.Time{}, "", errIncompleteSignature("Date must be in ISO-8601 'basic format'.")
	}
	amzDate := t.UTC().Format(amzDateFormat)
	if auth.scopeDate != amzDate[:8] {
		return time.Time{}, "", errSignatureDoesNotMatch(fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			auth.scopeDate, amzDate[:8], amzDate))
	}
	return t, amzDate, nil
}

// checkFreshness rejects requests signed too far from now, with STS's wording.
func checkFreshness(signedAt, now time.Time) *apiError {
	format := func(t time.Time) string { return t.UTC().Format(amzDateFormat) }
	if signedAt.Before(now.Add(-maxRequestAge)) {
		return errSignatureDoesNotMatch(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			format(signedAt), format(now.Add(-maxRequestAge)), format(now)))
	}
	if signedAt.After(now.Add(maxRequestAge)) {
		return errSignatureDoesNotMatch(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			format(signedAt), format(now.Add(maxRequestAge)), format(now)))
	}
	return nil
}

// verifySignature recomputes the signature with secret and compares it in
// constant time.
func verifySignature(r *http.Request, body []byte, auth *sigV4Auth, amzDate, secret string) bool {
	canonical := canonicalRequest(r, body, auth.signedHeaders)
	digest := sha256.Sum256([]byte(canonical))
	stringToSign := sigV4Algorithm + "\n" + amzDate + "\n" + auth.scope() + "\n" + hex.EncodeToString(digest[:])

	key := hmacSHA256([]byte("AWS4"+secret), auth.scopeDate)
	key = hmacSHA256(key, auth.region)
	key = hmacSHA256(key, auth.service)
	key = hmacSHA256(key, scopeTerminator)
	expected := hex.EncodeToString(hmacSHA256(key, stringToSign))
	return subtle.ConstantTimeCompare([]byte(expected), []byte(auth.signature)) == 1
}

func canonicalRequest(r *http.Request, body []byte, signedHeaders string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL) + "\n")
	b.WriteString(canonicalQuery(r.URL.RawQuery) + "\n")
	for _, name := range strings.Split(signedHeaders, ";") {
		b.WriteString(name + ":" + canonicalHeaderValue(r, name) + "\n")
	}
	b.WriteString("\n" + signedHeaders + "\n")
	b.WriteString(payloadHash(r, body))
	return b.String()
}

// canonicalURI encodes the already-escaped path once more: services other
// than S3 expect that double encoding.
func canonicalURI(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		return "/"
	}
	return uriEncode(path, false)
}

// canonicalQuery sorts the decoded parameters by encoded name, then value.
func canonicalQuery(rawQuery string) string {
	var pairs []string
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			key = rawKey
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			value = rawValue
		}
		pairs = append(pairs, uriEncode(key, true)+"="+uriEncode(value, true))
	}
	// Sort by name, then value, as the spec says; sorting the joined "k=v"
	// strings would misorder names that prefix one another.
	sort.Slice(pairs, func(i, j int) bool {
		ki, vi, _ := strings.Cut(pairs[i], "=")
		kj, vj, _ := strings.Cut(pairs[j], "=")
		if ki != kj {
			return ki < kj
		}
		return vi < vj
	})
	return strings.Join(pairs, "&")
}

// canonicalHeaderValue joins all values of a header with commas, each trimmed
// and with inner runs of spaces collapsed.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		// net/http moves Host out of the header map.
		values = []string{r.Host}
	default:
		values = r.Header.Values(name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	for i, v := range values {
		values[i] = collapseSpaces(v)
	}
	return strings.Join(values, ",")
}

// payloadHash is X-Amz-Content-Sha256 when the client sent it, else the
// hash of the body.
func payloadHash(r *http.Request, body []byte) string {
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		return v
	}
	return sha256Hex(body)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

// uriEncode is SigV4's UriEncode: everything but unreserved characters is
// percent-encoded with upper-case hex; '/' survives unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
		if unreserved || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// collapseSpaces trims spaces and turns inner runs of spaces into one.
func collapseSpaces(s string) string {
	var b strings.Builder
	lastWasSpace := false
	for _, c := range strings.Trim(s, " ") {
		if c == ' ' && lastWasSpace {
			continue
		}
		lastWasSpace = c == ' '
		b.WriteRune(c)
	}
	return b.String()
}
