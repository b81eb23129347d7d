package stsstub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestInjectedServerErrorsAreRetriedBySDK(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.srv.FailNext("GetCallerIdentity", 2, 500, "InternalFailure", "An internal error has occurred")
	if _, err := f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 3, 1)
}

func TestInjectedThrottlingSurfacesWithoutRetries(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.srv.FailNext("GetSessionToken", 1, 400, "Throttling", "Rate exceeded")
	_, err := f.client(t, DemoAccessKeyID, DemoSecretAccessKey, "", noRetries).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "Throttling", "Rate exceeded")
	// The fault was used up; other actions were never affected.
	if _, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetSessionToken", 2, 1)
}

func TestInjectedDelayEndsWithClientContext(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.srv.DelayNext("GetCallerIdentity", 1, time.Minute)
	client := f.client(t, DemoAccessKeyID, DemoSecretAccessKey, "", noRetries)
	// Long enough for the request to reach the stand-in on a loaded machine;
	// far shorter than the injected delay.
	timeout, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := client.GetCallerIdentity(timeout, &sts.GetCallerIdentityInput{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 2, 1)
}

func TestResetClearsCountersAndFaults(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.srv.FailNext("GetCallerIdentity", 5, 500, "InternalFailure", "boom")
	f.srv.DelayNext("GetCallerIdentity", 5, time.Minute)
	f.srv.Reset()
	if _, err := f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 1, 1)
}
