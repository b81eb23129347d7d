package stsstub

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestInjectedServerErrorsAreRetriedBySDK(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.faults.FailNext("GetCallerIdentity", 2, 500, "InternalFailure", "An internal error has occurred")
	if _, err := f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 3, 1)
}

func TestInjectedThrottlingSurfacesWithoutRetries(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.faults.FailNext("GetSessionToken", 1, 400, "Throttling", "Rate exceeded")
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
	f.faults.DelayNext("GetCallerIdentity", 1, time.Minute)
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
	f.faults.FailNext("GetCallerIdentity", 5, 500, "InternalFailure", "boom")
	f.faults.LoseReplyNext("GetCallerIdentity", 5, 500, "InternalFailure", "boom")
	f.faults.DelayNext("GetCallerIdentity", 5, time.Minute)
	f.srv.Reset()
	f.faults.Reset()
	if _, err := f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 1, 1)
}

// retryingIAM is the SDK's IAM client with its standard retryer, as an
// application would use it, retrying without waiting.
func (f *fixture) retryingIAM(t *testing.T) *iam.Client {
	t.Helper()
	return iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(f.user.AccessKeyID, f.user.SecretAccessKey, ""),
		Retryer:      retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff = noBackoff{} }),
	})
}

func deleteDevice(c *iam.Client, serial string) error {
	_, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	return err
}

func TestLostReplyHidesADeleteThatWentThrough(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	serial, _ := enroll(t, f, "phone")
	f.faults.LoseReplyNext("DeleteVirtualMFADevice", 1, 500, "InternalFailure", "An internal error has occurred")

	err := deleteDevice(f.userIAM(t), serial)
	wantAPIError(t, err, "InternalFailure", "An internal error has occurred")
	if _, exists := f.srv.VirtualMFADevice(serial); exists {
		t.Fatal("the device survived a delete whose reply was lost")
	}
	wantCalls(t, f.srv, "DeleteVirtualMFADevice", 1, 1)

	// The fault is used up: the next reply is the real one.
	wantAPIErrorCode(t, deleteDevice(f.userIAM(t), serial), "NoSuchEntity")
	wantCalls(t, f.srv, "DeleteVirtualMFADevice", 2, 1)
}

func TestRetryAfterALostReplyMeetsTheDoneAction(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	serial, _ := enroll(t, f, "phone")
	f.faults.LoseReplyNext("DeleteVirtualMFADevice", 1, 500, "InternalFailure", "An internal error has occurred")

	// The SDK retries the 500; the retry finds the device already gone.
	wantAPIErrorCode(t, deleteDevice(f.retryingIAM(t), serial), "NoSuchEntity")
	wantCalls(t, f.srv, "DeleteVirtualMFADevice", 2, 1)
}

func TestLostReplyHidesACreatedDevice(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.faults.LoseReplyNext("CreateVirtualMFADevice", 1, 503, "ServiceUnavailable", "Try again")
	_, err := f.userIAM(t).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	wantAPIError(t, err, "ServiceUnavailable", "Try again")
	if _, exists := f.srv.VirtualMFADevice("arn:aws:iam::123456789012:mfa/phone"); !exists {
		t.Fatal("a create whose reply was lost did not create the device")
	}
	_, err = f.userIAM(t).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	wantAPIErrorCode(t, err, "EntityAlreadyExists")
	wantCalls(t, f.srv, "CreateVirtualMFADevice", 2, 1)
}

func TestLostReplyIsNotUsedUpByARejectedCall(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.faults.FailNext("GetCallerIdentity", 1, 400, "Throttling", "Rate exceeded")
	f.faults.LoseReplyNext("GetCallerIdentity", 1, 500, "InternalFailure", "lost")
	client := f.client(t, DemoAccessKeyID, DemoSecretAccessKey, "", noRetries)

	_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "Throttling", "Rate exceeded")
	wantCalls(t, f.srv, "GetCallerIdentity", 1, 0)
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InternalFailure", "lost")
	wantCalls(t, f.srv, "GetCallerIdentity", 2, 1)
	if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.srv, "GetCallerIdentity", 3, 2)
}

func TestLostReplyOfARefusedCallIsNotCountedDone(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	f.faults.LoseReplyNext("DeleteVirtualMFADevice", 1, 500, "InternalFailure", "lost")
	err := deleteDevice(f.userIAM(t), "arn:aws:iam::123456789012:mfa/nothing")
	wantAPIError(t, err, "InternalFailure", "lost")
	wantCalls(t, f.srv, "DeleteVirtualMFADevice", 1, 0)
}

func TestAdminLoseReplyDefaultsToInternalFailure(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	serial, _ := enroll(t, f, "phone")
	adminPost(t, f, "lose-reply", url.Values{"action": {"DeleteVirtualMFADevice"}})
	err := deleteDevice(f.userIAM(t), serial)
	wantAPIError(t, err, "InternalFailure", "An internal error has occurred")
	if _, exists := f.srv.VirtualMFADevice(serial); exists {
		t.Fatal("the device survived a delete whose reply was lost")
	}
}
