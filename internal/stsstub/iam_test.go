package stsstub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// iamClient is the real SDK IAM client pointed at the stand-in.
func (f *fixture) iamClient(t *testing.T, accessKeyID, secret, token string) *iam.Client {
	t.Helper()
	return iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, token),
	}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
}

func (f *fixture) userIAM(t *testing.T) *iam.Client {
	return f.iamClient(t, f.user.AccessKeyID, f.user.SecretAccessKey, "")
}

func codeFor(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enroll creates a device and returns its serial and seed as a client sees them.
func enroll(t *testing.T, f *fixture, name string) (serial, seed string) {
	t.Helper()
	out, err := f.userIAM(t).CreateVirtualMFADevice(context.Background(), &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.VirtualMFADevice.SerialNumber, string(out.VirtualMFADevice.Base32StringSeed)
}

func TestIAMGetUserIdentifiesTheCaller(t *testing.T) {
	f := startStub(t)
	out, err := f.userIAM(t).GetUser(context.Background(), &iam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.User.UserName != DemoUserName || *out.User.Arn != f.user.ARN() || !strings.HasPrefix(*out.User.UserId, "AIDA") {
		t.Errorf("GetUser = %s %s %s", *out.User.UserName, *out.User.Arn, *out.User.UserId)
	}
	_, err = f.userIAM(t).GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("bob")})
	wantAPIError(t, err, "NoSuchEntity", "The user with name bob cannot be found.")
}

func TestIAMEnrolmentEnablesADeviceThatSTSThenAccepts(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	out, err := f.userIAM(t).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	if err != nil {
		t.Fatal(err)
	}
	dev := out.VirtualMFADevice
	serial, seed := *dev.SerialNumber, string(dev.Base32StringSeed)
	if serial != "arn:aws:iam::123456789012:mfa/phone" || len(seed) != 64 {
		t.Fatalf("serial %q, seed of %d characters", serial, len(seed))
	}
	if _, err := png.Decode(bytes.NewReader(dev.QRCodePNG)); err != nil {
		t.Fatalf("QRCodePNG is not a PNG: %v", err)
	}
	if _, again := enroll(t, f, "tablet"); again == seed {
		t.Fatal("two devices got the same seed")
	}

	// Two codes of consecutive windows, the user having waited for the
	// second one (the stand-in's clock has moved on).
	now := f.clock.Now()
	code1, code2 := codeFor(t, seed, now), codeFor(t, seed, now.Add(30*time.Second))
	f.clock.Advance(30 * time.Second)
	_, err = f.userIAM(t).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(DemoUserName), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2),
	})
	if err != nil {
		t.Fatal(err)
	}
	if user, ok := f.srv.VirtualMFADevice(serial); !ok || user != DemoUserName {
		t.Fatalf("device assigned to %q, exists %v", user, ok)
	}
	list, err := f.userIAM(t).ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var serials []string
	for _, d := range list.MFADevices {
		serials = append(serials, *d.SerialNumber)
	}
	if strings.Join(serials, " ") != DemoMFASerial+" "+serial {
		t.Errorf("ListMFADevices = %q", serials)
	}

	// The enabling codes are spent; the next window's code opens a session.
	_, err = f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code2)})
	wantAPIError(t, err, "AccessDenied", msgInvalidMFACode)
	f.clock.Advance(30 * time.Second)
	if _, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(serial), TokenCode: aws.String(codeFor(t, seed, f.clock.Now())),
	}); err != nil {
		t.Fatalf("GetSessionToken with the new device: %v", err)
	}
	if code, err := f.srv.Code(serial); err != nil || code != codeFor(t, seed, f.clock.Now()) {
		t.Errorf("Code(new serial) = %q, %v", code, err)
	}
}

// A client whose EnableMFADevice reply was lost asks ListMFADevices for
// the user by name whether the device is enabled; the answer has IAM's
// shape, enable date included.
func TestIAMListMFADevicesOfANamedUserShowsADeviceEnabledUnseen(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	serial, seed := enroll(t, f, "phone")
	f.clock.Advance(2 * time.Minute) // the devices of the configuration date from before
	enabledAt := f.clock.Now()
	f.faults.LoseReplyNext("EnableMFADevice", 1, http.StatusInternalServerError, "InternalFailure", "An internal error has occurred")
	_, err := f.userIAM(t).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(DemoUserName), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(codeFor(t, seed, enabledAt)), AuthenticationCode2: aws.String(codeFor(t, seed, enabledAt.Add(30*time.Second))),
	})
	wantAPIError(t, err, "InternalFailure", "An internal error has occurred")

	out, err := f.userIAM(t).ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(DemoUserName)})
	if err != nil {
		t.Fatal(err)
	}
	if out.IsTruncated || out.Marker != nil || len(out.MFADevices) != 2 {
		t.Fatalf("ListMFADevices: truncated %v, %d devices, want one page of 2", out.IsTruncated, len(out.MFADevices))
	}
	enabled := out.MFADevices[1]
	if *enabled.UserName != DemoUserName || *enabled.SerialNumber != serial || !enabled.EnableDate.Equal(enabledAt.Truncate(time.Second)) {
		t.Errorf("listed %s for %s enabled %v; want %s for %s enabled %v",
			*enabled.SerialNumber, *enabled.UserName, enabled.EnableDate, serial, DemoUserName, enabledAt.Truncate(time.Second))
	}

	_, err = f.userIAM(t).ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})
	wantAPIError(t, err, "NoSuchEntity", "The user with name bob cannot be found.")
}

func TestIAMEnableRejectsCodesThatAreNotConsecutive(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	serial, seed := enroll(t, f, "phone")
	now := f.clock.Now()
	for name, codes := range map[string][2]string{
		"same code twice": {codeFor(t, seed, now), codeFor(t, seed, now)},
		"swapped":         {codeFor(t, seed, now.Add(30*time.Second)), codeFor(t, seed, now)},
		"a gap":           {codeFor(t, seed, now.Add(-30*time.Second)), codeFor(t, seed, now.Add(30*time.Second))},
		"too old":         {codeFor(t, seed, now.Add(-10*time.Minute)), codeFor(t, seed, now.Add(-10*time.Minute+30*time.Second))},
	} {
		_, err := f.userIAM(t).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
			UserName: aws.String(DemoUserName), SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(codes[0]), AuthenticationCode2: aws.String(codes[1]),
		})
		if codes[0] == codes[1] && name != "same code twice" {
			continue // the windows happened to show the same code
		}
		t.Run(name, func(t *testing.T) {
			wantAPIError(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		})
	}
	if user, ok := f.srv.VirtualMFADevice(serial); !ok || user != "" {
		t.Fatalf("after failed enabling: assigned to %q, exists %v", user, ok)
	}
}

func TestIAMDeviceLifecycleErrors(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	client := f.userIAM(t)
	serial, _ := enroll(t, f, "phone")

	_, err := client.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	wantAPIError(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	_, err = client.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("no spaces")})
	wantAPIErrorCode(t, err, "ValidationError")

	// The demo user's configured device is assigned: it cannot be deleted
	// until it is deactivated, and then STS no longer accepts it.
	_, err = client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(DemoMFASerial)})
	wantAPIError(t, err, "DeleteConflict", "MFA Device is still in use.")
	_, err = client.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(DemoUserName), SerialNumber: aws.String(DemoMFASerial)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(DemoMFASerial), TokenCode: aws.String(f.codeOf(t, DemoTOTPSecret))})
	wantAPIError(t, err, "AccessDenied", msgUnknownMFADevice)
	if DemoUser().MFADevices[DemoMFASerial] != DemoTOTPSecret {
		t.Fatal("deactivating changed the Config's map")
	}

	for _, s := range []string{serial, DemoMFASerial} {
		if _, err := client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(s)}); err != nil {
			t.Fatalf("deleting %s: %v", s, err)
		}
		if _, ok := f.srv.VirtualMFADevice(s); ok {
			t.Fatalf("%s still exists", s)
		}
	}
	_, err = client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantAPIErrorCode(t, err, "NoSuchEntity")
	_, err = client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(DemoUserName), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321"),
	})
	wantAPIErrorCode(t, err, "NoSuchEntity")
	wantCalls(t, f.srv, "DeleteVirtualMFADevice", 4, 2)
}

func (f *fixture) codeOf(t *testing.T, seed string) string { return codeFor(t, seed, f.clock.Now()) }

func TestIAMNeedsMFAForSessionCredentials(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	plain, err := f.userClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := plain.Credentials
	_, err = f.iamClient(t, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	wantAPIErrorCode(t, err, "AccessDenied")

	m := f.mfaSession(t)
	out, err := f.iamClient(t, *m.AccessKeyId, *m.SecretAccessKey, *m.SessionToken).ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	if err != nil || len(out.MFADevices) != 1 {
		t.Fatalf("ListMFADevices with an MFA session: %v, %d devices", err, len(out.MFADevices))
	}
}

func TestIAMAndSTSAreToldApartByTheSigningScope(t *testing.T) {
	f := startStub(t)
	signed := func(service, body string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, f.srv.URL()+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: f.user.AccessKeyID, SecretAccessKey: f.user.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const getUser = "Action=GetUser&Version=2010-05-08"
	const callerIdentity = "Action=GetCallerIdentity&Version=2011-06-15"
	if got := signed("iam", getUser); got != http.StatusOK {
		t.Errorf("GetUser signed for iam: %d", got)
	}
	if got := signed("sts", callerIdentity); got != http.StatusOK {
		t.Errorf("GetCallerIdentity signed for sts: %d", got)
	}
	// Each service knows only its own actions and API version.
	for _, tc := range [][2]string{{"sts", getUser}, {"iam", callerIdentity}, {"sts", "Action=GetCallerIdentity&Version=2010-05-08"}} {
		if got := signed(tc[0], tc[1]); got != http.StatusBadRequest {
			t.Errorf("%s signed for %s: %d, want 400 InvalidAction", tc[1], tc[0], got)
		}
	}
	if got := signed("s3", callerIdentity); got != http.StatusForbidden {
		t.Errorf("signed for s3: %d, want 403", got)
	}
}

func TestSetNextVirtualMFASeed(t *testing.T) {
	f := startStub(t)
	f.srv.SetNextVirtualMFASeed(DemoTOTPSecret)
	if _, seed := enroll(t, f, "fixed"); seed != DemoTOTPSecret {
		t.Fatalf("seed %q", seed)
	}
	if _, seed := enroll(t, f, "random"); seed == DemoTOTPSecret {
		t.Fatal("the fixed seed was used twice")
	}
}
