package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// enabledDevice creates a virtual MFA device on srv and enables it for the
// demo user, as an EnableMFADevice whose answer got lost would have.
func enabledDevice(t *testing.T, srv *stsstub.Server, client *awsquery.Client, name string) (serial string) {
	t.Helper()
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	ctx := context.Background()
	srv.SetNextVirtualMFASeed(seed)
	dev, err := client.CreateVirtualMFADevice(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var codes [2]string
	for i, at := range []time.Time{now.Add(-30 * time.Second), now} {
		if codes[i], err = totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.EnableMFADevice(ctx, stsstub.DemoUserName, dev.SerialNumber, codes[0], codes[1]); err != nil {
		t.Fatal(err)
	}
	return dev.SerialNumber
}

// TestAbandonAdvisesDeactivatingADeviceFoundAssigned: when the device to
// delete turns out to be assigned (DeleteConflict), deleting it alone
// cannot work; the user is told it is assigned, how to keep it, and how to
// deactivate and then delete it.
func TestAbandonAdvisesDeactivatingADeviceFoundAssigned(t *testing.T) {
	srv := stubEnv(t)
	u := stsstub.DemoUser()
	client, err := awsquery.NewIAM(awsquery.Options{Endpoint: srv.URL(), Credentials: awsquery.StaticCredentials(u.AccessKeyID, u.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	serial := enabledDevice(t, srv, client, "phone")

	var stderr bytes.Buffer
	e := &enrolment{client: client, serial: serial, userName: stsstub.DemoUserName, profile: "work", streams: IOStreams{Out: io.Discard, ErrOut: &stderr}}
	cause := errors.New("IAM EnableMFADevice failed: InternalFailure: An internal error has occurred")
	err = e.abandon(context.Background(), cause)
	if !errors.Is(err, cause) {
		t.Errorf("abandon returned %v, want it to wrap the cause", err)
	}
	out := stderr.String()
	for _, want := range []string{
		"Could not delete the virtual MFA device " + serial + ": IAM says it is assigned to a user",
		"DeleteConflict",
		"add `mfa_serial = " + serial + "` to the profile \"work\"",
		"aws iam deactivate-mfa-device --user-name alice --serial-number " + serial + ", then delete it: aws iam delete-virtual-mfa-device --serial-number " + serial,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "unassigned") {
		t.Errorf("stderr calls the assigned device unassigned:\n%s", out)
	}
	if user, _ := srv.VirtualMFADevice(serial); user != stsstub.DemoUserName {
		t.Errorf("the device is assigned to %q, want it left to %s", user, stsstub.DemoUserName)
	}
}
