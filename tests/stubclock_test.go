package tests

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// scriptClock gives awsmfa, when a script runs it, the clock of the
// script's STS stand-in: awsmfa's "now" then agrees with the time that
// decides which TOTP code is valid, which moves only on `stub advance`, and
// waiting for the next code window advances that clock instead of sitting
// out real seconds. Outside a script (no AWSMFA_TEST_STUB_URL) both are nil:
// the real clock.
func scriptClock() (now func() time.Time, sleep func(context.Context, time.Duration) error) {
	base := os.Getenv("AWSMFA_TEST_STUB_URL")
	if base == "" {
		return nil, nil
	}
	now = func() time.Time {
		t, err := advanceStubClock(context.Background(), base, 0)
		if err != nil {
			panic(err) // the script's stand-in is gone: nothing sensible to do
		}
		return t
	}
	sleep = func(ctx context.Context, d time.Duration) error {
		if _, err := advanceStubClock(ctx, base, d); err != nil {
			return err
		}
		return ctx.Err()
	}
	return now, sleep
}

// advanceStubClock moves the stand-in's clock by d (0: just reads it).
func advanceStubClock(ctx context.Context, base string, d time.Duration) (time.Time, error) {
	endpoint := strings.TrimSuffix(base, "/") + "/_stub/clock"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"advance": {d.String()}}.Encode()))
	if err != nil {
		return time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return time.Time{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("stand-in clock: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return time.Parse(time.RFC3339, strings.TrimSpace(string(body)))
}
