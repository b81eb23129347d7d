package cli

import (
	"bytes"
	"context"
	"errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// enabledDevice creates a virtual MFA device on srv and enables it for the
// demo user, as an EnableMFADevice whose answer got lost would have.
func enabledDevice(t *testing.T, srv *stsstub.Server, client *iam.Client, name string) (serial string) {
	t.Helper()
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	ctx := context.Background()
	srv.SetNextVirtualMFASeed(seed)
	created, err := client.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	serial = aws.ToString(created.VirtualMFADevice.SerialNumber)
	now := time.Now()
	var codes [2]string
	for i, at := range []time.Time{now.Add(-30 * time.Second), now} {
		if codes[i], err = totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(stsstub.DemoUserName), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(codes[0]), AuthenticationCode2: aws.String(codes[1]),
	}); err != nil {
		t.Fatal(err)
	}
	return serial
}

// TestAbandonAdvisesDeactivatingADeviceFoundAssigned: when the device to
// delete turns out to be assigned (DeleteConflict), deleting it alone
// cannot work; the user is told it is assigned, how to keep it, and how to
// deactivate and then delete it.
func TestAbandonAdvisesDeactivatingADeviceFoundAssigned(t *testing.T) {
	srv := stubEnv(t)
	u := stsstub.DemoUser()
	client := iam.New(iam.Options{Region: awsclient.DefaultRegion, BaseEndpoint: aws.String(srv.URL()), Credentials: awsclient.Static(u.AccessKeyID, u.SecretAccessKey, "")})
	serial := enabledDevice(t, srv, client, "phone")

	var stderr bytes.Buffer
	e := &enrolment{client: client, serial: serial, userName: stsstub.DemoUserName, profile: "work", streams: IOStreams{Out: io.Discard, ErrOut: &stderr}}
	cause := errors.New("IAM EnableMFADevice failed: InternalFailure: An internal error has occurred")
	err := e.abandon(context.Background(), cause)
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
