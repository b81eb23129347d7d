package process

import (
	"context"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsquery"
)

// DefaultSTSTimeout bounds one STS call, the SDK's retries and their backoff
// included. STS answers in well under a second; a call that hangs (a dead
// proxy, a black-holed route) must fail with a message while the prompt and
// the call together stay inside the 60 s the Go SDK gives a
// credential_process before killing it.
const DefaultSTSTimeout = 15 * time.Second

// clockSkewTolerance is how far this computer's clock may be from STS's
// before awsmfa says so. STS refuses signatures more than 5 minutes off;
// awsquery then retries with its clock corrected by STS's Date header, so
// the call succeeds, but other tools on the machine may not be so lucky.
const clockSkewTolerance = time.Minute

// stsCall is what every STS call of one request shares, carried in ctx
// from Credentials to the functions that call STS.
type stsCall struct {
	timeout time.Duration
	notef   func(format string, args ...any)
}

type stsCallKey struct{}

func withSTSCall(ctx context.Context, timeout time.Duration, notef func(string, ...any)) context.Context {
	return context.WithValue(ctx, stsCallKey{}, stsCall{timeout: timeout, notef: notef})
}

func stsCallOf(ctx context.Context) stsCall {
	c, _ := ctx.Value(stsCallKey{}).(stsCall)
	if c.timeout <= 0 {
		c.timeout = DefaultSTSTimeout
	}
	if c.notef == nil {
		c.notef = func(string, ...any) {}
	}
	return c
}

// stsDeadline limits ctx for one STS call.
func stsDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, stsCallOf(ctx).timeout)
}

// noteClockSkew tells the user when STS's clock (its Date header) and this
// computer's differ by more than clockSkewTolerance.
func noteClockSkew(ctx context.Context, client *awsquery.Client) {
	skew, ok := client.ClockSkew()
	if !ok || skew.Abs() < clockSkewTolerance {
		return
	}
	dir := "behind"
	if skew < 0 {
		dir = "ahead of"
	}
	stsCallOf(ctx).notef("this computer's clock is %v %s STS's; awsmfa corrected for it this time, but fix the clock (enable time synchronisation, e.g. NTP) before other tools fail", skew.Abs().Round(time.Second), dir)
}
