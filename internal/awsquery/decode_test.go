package awsquery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE"
	testToken  = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
)

// sessionTokenReply is a GetSessionTokenResponse as STS writes it, with
// credentials lacking the elements named in leaveOut.
func sessionTokenReply(expiration string, leaveOut ...string) string {
	elements := []struct{ name, value string }{
		{"AccessKeyId", "ASIAEXAMPLEEXAMPLE12"}, {"SecretAccessKey", testSecret},
		{"SessionToken", testToken}, {"Expiration", expiration},
	}
	var b strings.Builder
	b.WriteString(`<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>`)
	for _, e := range elements {
		if !slices.Contains(leaveOut, e.name) {
			b.WriteString("<" + e.name + ">" + e.value + "</" + e.name + ">")
		}
	}
	b.WriteString(`</Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId></ResponseMetadata></GetSessionTokenResponse>`)
	return b.String()
}

func TestDecodeCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, action, reply string
		want                time.Time // zero when an error is expected
		says                string
	}{
		{"as STS writes it", "GetSessionToken", sessionTokenReply("2026-11-27T13:20:00Z"), time.Date(2026, 11, 27, 13, 20, 0, 0, time.UTC), ""},
		{"fractional seconds", "GetSessionToken", sessionTokenReply("2026-11-27T13:20:00.5Z"), time.Date(2026, 11, 27, 13, 20, 0, 5e8, time.UTC), ""},
		{"zone offset", "GetSessionToken", sessionTokenReply("2026-11-27T15:20:00+02:00"), time.Date(2026, 11, 27, 13, 20, 0, 0, time.UTC), ""},
		{"no zone means UTC", "GetSessionToken", sessionTokenReply("2026-11-27T13:20:00"), time.Date(2026, 11, 27, 13, 20, 0, 0, time.UTC), ""},
		{"no session token", "GetSessionToken", sessionTokenReply("2026-11-27T13:20:00Z", "SessionToken"), time.Time{}, "has credentials without SessionToken"},
		{"no keys", "GetSessionToken", sessionTokenReply("2026-11-27T13:20:00Z", "AccessKeyId", "SecretAccessKey"), time.Time{}, "without AccessKeyId, SecretAccessKey"},
		{"no expiration", "GetSessionToken", sessionTokenReply("", "Expiration"), time.Time{}, "without Expiration"},
		{"bad expiration", "GetSessionToken", sessionTokenReply("tomorrow"), time.Time{}, "not an ISO 8601 time"},
		{"another action's reply", "AssumeRole", sessionTokenReply("2026-11-27T13:20:00Z"), time.Time{}, "is not an STS AssumeRoleResponse"},
		{"no result", "GetSessionToken", "<GetSessionTokenResponse><ResponseMetadata/></GetSessionTokenResponse>", time.Time{}, "has no credentials"},
		{"not XML", "GetSessionToken", "<html>Bad gateway", time.Time{}, "is not an STS GetSessionTokenResponse"},
		{"assume role", "AssumeRole", strings.NewReplacer("GetSessionToken", "AssumeRole").Replace(sessionTokenReply("2026-11-27T13:20:00Z")),
			time.Date(2026, 11, 27, 13, 20, 0, 0, time.UTC), ""},
	} {
		creds, err := decodeCredentials(tc.action, []byte(tc.reply))
		if tc.want.IsZero() {
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.says)
			}
			if err != nil && (strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testToken)) {
				t.Errorf("%s: the error shows a secret: %v", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := SessionCredentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE12", SecretAccessKey: testSecret, SessionToken: testToken, Expiration: tc.want}
		if creds != want {
			t.Errorf("%s: %+v, want %+v", tc.name, creds, want)
		}
	}
}

// A reply without complete credentials is an error that says where it came
// from and what to check.
func TestIncompleteCredentialsAreAnError(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(sessionTokenReply("2026-11-27T13:20:00Z", "SessionToken")))
	}))
	defer ts.Close()
	c, err := demoSTS(t, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSessionToken(context.Background(), 3600, "", "")
	host := strings.TrimPrefix(ts.URL, "http://")
	if err == nil || err.Error() != "STS GetSessionToken: the reply from "+host+" has credentials without SessionToken; check that the STS endpoint setting points at STS" {
		t.Fatalf("error %v", err)
	}
}

func TestDecodeCallerIdentity(t *testing.T) {
	id, err := decodeCallerIdentity([]byte(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>` +
		`</GetCallerIdentityResult></GetCallerIdentityResponse>`))
	if err != nil || id != (CallerIdentity{Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/alice", UserID: "AIDAEXAMPLE"}) {
		t.Errorf("got %+v, %v", id, err)
	}
	if _, err := decodeCallerIdentity([]byte(`<GetCallerIdentityResponse/>`)); err == nil || !strings.Contains(err.Error(), "no Arn") {
		t.Errorf("a reply without Arn: %v", err)
	}
}

func TestParseErrorReadsTheQueryError(t *testing.T) {
	h := http.Header{"X-Amzn-Requestid": {"from-header"}}
	e := parseError("STS", "AssumeRole", 403, h, []byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`+
		`<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed </Message></Error><RequestId>from-body</RequestId></ErrorResponse>`))
	if e.Code != "AccessDenied" || e.Message != "not allowed " || e.Type != "Sender" || e.RequestID != "from-body" {
		t.Errorf("%+v", e)
	}
	if got := e.Error(); got != "STS AssumeRole: AccessDenied: not allowed (HTTP 403, request id from-body)" {
		t.Errorf("Error() = %q", got)
	}
	e = parseError("IAM", "GetUser", 400, http.Header{}, []byte(`<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>`))
	if got := e.Error(); got != "IAM GetUser: Throttling (HTTP 400)" {
		t.Errorf("Error() = %q", got)
	}
	e = parseError("STS", "AssumeRole", 502, h, []byte("<html>Bad gateway</html>"))
	if e.Code != "UnknownError" || e.RequestID != "from-header" || !strings.Contains(e.Message, "HTTP 502 Bad Gateway") {
		t.Errorf("%+v", e)
	}
}

func TestBackoffIsTheSDKsJitteredExponential(t *testing.T) {
	c := &Client{service: stsService}
	throttled := &APIError{Code: "Throttling", StatusCode: 400}
	for _, tc := range []struct {
		attempt int
		err     error
		ceiling time.Duration
	}{
		{1, &APIError{StatusCode: 500}, 50 * time.Millisecond},
		{2, &APIError{StatusCode: 500}, 100 * time.Millisecond},
		{3, nil, 200 * time.Millisecond},
		{1, throttled, time.Second},
		{3, throttled, 4 * time.Second},
		{6, throttled, 20 * time.Second},
		{60, throttled, 20 * time.Second},
	} {
		var longest time.Duration
		for range 200 {
			d := c.sdkBackoff(tc.attempt, tc.err)
			if d < 0 || d >= tc.ceiling {
				t.Fatalf("attempt %d after %v: %v outside [0, %v)", tc.attempt, tc.err, d, tc.ceiling)
			}
			longest = max(longest, d)
		}
		// 200 draws all in the lower half would be a 2^-200 chance.
		if longest < tc.ceiling/2 {
			t.Errorf("attempt %d after %v: never above %v of %v", tc.attempt, tc.err, longest, tc.ceiling)
		}
	}
}

func TestRetryAfterHeaderStretchesTheBackoff(t *testing.T) {
	withHeader := func(v string) error {
		return parseError("STS", "GetCallerIdentity", 503, http.Header{"X-Amz-Retry-After": {v}}, nil)
	}
	for _, tc := range []struct {
		header string
		delay  time.Duration
		want   time.Duration
	}{
		{"1500", 100 * time.Millisecond, 1500 * time.Millisecond},
		{"10", 100 * time.Millisecond, 100 * time.Millisecond},     // never shorter than the backoff
		{"60000", 100 * time.Millisecond, 5100 * time.Millisecond}, // at most 5 s longer
		{"-1", 100 * time.Millisecond, 100 * time.Millisecond},     // ignored
		{"soon", 100 * time.Millisecond, 100 * time.Millisecond},   // ignored
		{"99999999999999999", 0, 5 * time.Second},                  // no overflow
	} {
		if got := adjustForRetryAfter(tc.delay, withHeader(tc.header)); got != tc.want {
			t.Errorf("x-amz-retry-after %s with backoff %v: %v, want %v", tc.header, tc.delay, got, tc.want)
		}
	}
}
