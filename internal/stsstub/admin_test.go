package stsstub

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func adminPost(t *testing.T, f *fixture, endpoint string, params url.Values) string {
	t.Helper()
	resp, err := http.PostForm(f.srv.URL()+"/_stub/"+endpoint, params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", endpoint, resp.Status, body)
	}
	return strings.TrimSpace(string(body))
}

func TestAdminCodeMatchesAndIsNotConsumed(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	code, err := AdminCode(ctx, f.srv.URL(), DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	if code != f.code(t) {
		t.Fatalf("admin code %s, server code %s", code, f.code(t))
	}
	if _, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String(code),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := AdminCode(ctx, f.srv.URL(), "arn:aws:iam::123456789012:mfa/nobody"); err == nil {
		t.Fatal("unknown serial gave a code")
	}
}

func TestAdminClock(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	start := f.clock.Now()
	adminPost(t, f, "clock", url.Values{"advance": {"30s"}})
	if got := f.clock.Now().Sub(start); got != 30*time.Second {
		t.Fatalf("advanced by %v", got)
	}
	got := adminPost(t, f, "clock", url.Values{"set": {"2026-11-27T14:00:00Z"}})
	if got != "2026-11-27T14:00:00Z" || !f.clock.Now().Equal(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)) {
		t.Fatalf("set: answered %s, clock %v", got, f.clock.Now())
	}
}

func TestAdminClockNeedsManualClock(t *testing.T) {
	t.Parallel()
	f := startStub(t, func(c *Config) { c.Clock = RealClock{} })
	resp, err := http.PostForm(f.srv.URL()+"/_stub/clock", url.Values{"advance": {"1s"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %s", resp.Status)
	}
}

func TestAdminFaultsCallsAndReset(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	adminPost(t, f, "fail", url.Values{
		"action": {"GetSessionToken"}, "status": {"400"}, "code": {"Throttling"}, "message": {"Rate exceeded"}, "count": {"1"},
	})
	adminPost(t, f, "delay", url.Values{"action": {"GetSessionToken"}, "for": {"1ms"}})
	client := f.client(t, DemoAccessKeyID, DemoSecretAccessKey, "", noRetries)
	_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "Throttling", "Rate exceeded")
	if _, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(f.srv.URL() + "/_stub/calls")
	if err != nil {
		t.Fatal(err)
	}
	var calls map[string]ActionCalls
	err = json.NewDecoder(resp.Body).Decode(&calls)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := calls["GetSessionToken"]; got != (ActionCalls{Calls: 2, OK: 1}) {
		t.Fatalf("calls %+v", calls)
	}

	adminPost(t, f, "reset", nil)
	wantCalls(t, f.srv, "GetSessionToken", 0, 0)
}
