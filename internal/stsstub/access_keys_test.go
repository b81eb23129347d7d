package stsstub

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestAccessKeysLifecycle(t *testing.T) {
	f := startStub(t, func(c *Config) { c.NewKeyDelay = 5 * time.Second })
	ctx := context.Background()
	mfa := f.mfaSession(t)
	admin := f.iamClient(t, *mfa.AccessKeyId, *mfa.SecretAccessKey, *mfa.SessionToken)

	list, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 1 || *list.AccessKeyMetadata[0].AccessKeyId != DemoAccessKeyID || list.AccessKeyMetadata[0].Status != types.StatusTypeActive {
		t.Fatalf("ListAccessKeys: %+v", list.AccessKeyMetadata)
	}

	created, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k := created.AccessKey
	if *k.UserName != DemoUserName || len(*k.AccessKeyId) != 20 || len(*k.SecretAccessKey) != 40 || k.Status != types.StatusTypeActive {
		t.Fatalf("CreateAccessKey: %+v", k)
	}
	newKey := f.client(t, *k.AccessKeyId, *k.SecretAccessKey, "", noRetries)
	// Not accepted until NewKeyDelay has passed on the stand-in's clock.
	_, err = newKey.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIErrorCode(t, err, "InvalidClientTokenId")
	f.clock.Advance(5 * time.Second)
	id, err := newKey.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != f.user.ARN() {
		t.Errorf("the new key signs as %s", *id.Arn)
	}

	// Two keys are IAM's limit.
	_, err = admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	// An inactive key signs nothing; the sessions made with it live on.
	if _, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(DemoAccessKeyID), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = f.userClient(t).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, noRetries)
	wantAPIErrorCode(t, err, "InvalidClientTokenId")
	if got := f.srv.AccessKeys(DemoUserName); len(got) != 2 || got[0] != (AccessKey{DemoAccessKeyID, false}) || got[1] != (AccessKey{*k.AccessKeyId, true}) {
		t.Errorf("AccessKeys: %+v", got)
	}

	if _, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(DemoAccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(DemoAccessKeyID)})
	wantAPIError(t, err, "NoSuchEntity", "The Access Key with id "+DemoAccessKeyID+" cannot be found.")
	_, err = admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(*k.AccessKeyId), Status: "Sleeping"})
	wantAPIErrorCode(t, err, "ValidationError")
}

func TestAccessKeysNeedAnMFASession(t *testing.T) {
	f := startStub(t)
	out, err := f.userClient(t).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	_, err = f.iamClient(t, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{})
	wantAPIErrorCode(t, err, "AccessDenied")
	if got := f.srv.AccessKeys(DemoUserName); len(got) != 1 {
		t.Errorf("AccessKeys: %+v", got)
	}
}

func TestAccessKeysOfAnotherUserAreNotFound(t *testing.T) {
	f := startStub(t, func(c *Config) {
		bob := DemoUser()
		bob.UserName, bob.AccessKeyID, bob.MFADevices = "bob", "AKIAI44QH8DHBEXAMPLE", nil
		c.Users = append(c.Users, bob)
	})
	_, err := f.userIAM(t).DeleteAccessKey(context.Background(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String("AKIAI44QH8DHBEXAMPLE")})
	wantAPIErrorCode(t, err, "NoSuchEntity")
}
