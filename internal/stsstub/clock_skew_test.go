package stsstub

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestFreshnessMessagesMatchSTS(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 13, 20, 0, 0, time.UTC)
	for _, tc := range []struct {
		signedAt time.Time
		message  string
	}{
		{now.Add(-20 * time.Minute), "Signature expired: 20261127T130000Z is now earlier than 20261127T131500Z (20261127T132000Z - 5 min.)"},
		{now.Add(10 * time.Minute), "Signature not yet current: 20261127T133000Z is still later than 20261127T132500Z (20261127T132000Z + 5 min.)"},
		{now.Add(-5 * time.Minute), ""},
		{now.Add(5 * time.Minute), ""},
	} {
		err := checkFreshness(tc.signedAt, now)
		switch {
		case tc.message == "" && err != nil:
			t.Errorf("%v: unexpected %v", tc.signedAt, err)
		case tc.message != "" && (err == nil || err.Code != "SignatureDoesNotMatch" || err.Message != tc.message):
			t.Errorf("%v: got %v, want %q", tc.signedAt, err, tc.message)
		}
	}
}

func TestSkewedClientIsRejectedWithSTSMessage(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.clock.Advance(10 * time.Minute) // the stand-in runs ahead of the client
	_, err := f.client(t, DemoAccessKeyID, DemoSecretAccessKey, "", noRetries).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIErrorCode(t, err, "SignatureDoesNotMatch")
	if !strings.Contains(err.Error(), "Signature expired: ") {
		t.Fatalf("got %v, want a Signature expired message", err)
	}
}

// The SDK reads the Date header of the rejection, corrects its clock and
// retries: the stand-in must give it what it needs for that.
func TestSDKCorrectsSkewFromDateHeader(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.clock.Advance(-10 * time.Minute)
	if _, err := f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 2, 1)
}
