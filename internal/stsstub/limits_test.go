package stsstub

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSetMaxSessionDurationCapsLaterSessions(t *testing.T) {
	f := startStub(t)
	ask := func() time.Duration {
		t.Helper()
		issued := f.clock.Now()
		out, err := f.userClient(t).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
			DurationSeconds: aws.Int32(3600),
			SerialNumber:    aws.String(DemoMFASerial),
			TokenCode:       aws.String(f.code(t)),
		})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * time.Second) // the next call needs a new code
		// The stand-in truncates expirations to whole seconds.
		return out.Credentials.Expiration.Sub(issued.Truncate(time.Second))
	}
	f.srv.SetMaxSessionDuration(12 * time.Minute)
	if got := ask(); got != 12*time.Minute {
		t.Errorf("with a 12m cap, a 1h session lasts %v", got)
	}
	f.srv.SetMaxSessionDuration(0)
	if got := ask(); got != time.Hour {
		t.Errorf("with the cap lifted, a 1h session lasts %v", got)
	}
}
