package stsstub

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const demoRoleARN = "arn:aws:iam::123456789012:role/team/admin"

func TestAssumeRoleFromLongTermKeys(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	out, err := f.userClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(demoRoleARN),
		RoleSessionName: aws.String("alice-cli"),
		DurationSeconds: aws.Int32(43200),
		ExternalId:      aws.String("ext-1"),
		SerialNumber:    aws.String(DemoMFASerial),
		TokenCode:       aws.String(f.code(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	const wantARN = "arn:aws:sts::123456789012:assumed-role/admin/alice-cli"
	if *out.AssumedRoleUser.Arn != wantARN || !strings.HasPrefix(*out.AssumedRoleUser.AssumedRoleId, "AROA") ||
		!strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":alice-cli") {
		t.Errorf("assumed role user %s %s", *out.AssumedRoleUser.Arn, *out.AssumedRoleUser.AssumedRoleId)
	}
	if want := f.clock.Now().Add(12 * time.Hour).Truncate(time.Second); !out.Credentials.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", out.Credentials.Expiration, want)
	}
	who, err := f.sessionClient(t, out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *who.Arn != wantARN || *who.UserId != *out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("caller %s %s", *who.Arn, *who.UserId)
	}
}

func TestAssumeRoleChainingIsLimitedToOneHour(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	session := f.sessionClient(t, f.mfaSession(t))
	input := &sts.AssumeRoleInput{
		RoleArn: aws.String(demoRoleARN), RoleSessionName: aws.String("chain"), DurationSeconds: aws.Int32(3601),
	}
	_, err := session.AssumeRole(ctx, input)
	wantAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")

	input.DurationSeconds = nil // default: one hour
	out, err := session.AssumeRole(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	// A role session may chain on.
	input.RoleSessionName = aws.String("chain2")
	if _, err := f.sessionClient(t, out.Credentials).AssumeRole(ctx, input); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	t.Parallel()
	f := startStub(t)
	client := f.userClient(t)
	_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(demoRoleARN), RoleSessionName: aws.String("x")})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2")
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:user/alice"), RoleSessionName: aws.String("ok")})
	wantAPIError(t, err, "ValidationError", "Request ARN is invalid")
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(demoRoleARN), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(43201)})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200")
}

func TestAssumeRoleHonoursConfiguredRoles(t *testing.T) {
	t.Parallel()
	const mfaRole = "arn:aws:iam::123456789012:role/needs-mfa"
	const externalRole = "arn:aws:iam::210987654321:role/partner"
	f := startStub(t, func(c *Config) {
		c.Roles = []Role{{ARN: mfaRole, RequireMFA: true}, {ARN: externalRole, ExternalID: "s3cr3t-id"}}
	})
	client := f.userClient(t)
	denied := func(role string) string {
		return "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: " + role
	}

	_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s1")})
	wantAPIError(t, err, "AccessDenied", denied(mfaRole))
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(demoRoleARN), RoleSessionName: aws.String("s1")})
	wantAPIError(t, err, "AccessDenied", denied(demoRoleARN))
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(externalRole), RoleSessionName: aws.String("s1"), ExternalId: aws.String("guess")})
	wantAPIError(t, err, "AccessDenied", denied(externalRole))

	// An MFA session satisfies the MFA condition without a new code.
	out, err := f.sessionClient(t, f.mfaSession(t)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/needs-mfa/s1" {
		t.Errorf("arn %s", *out.AssumedRoleUser.Arn)
	}
	out, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(externalRole), RoleSessionName: aws.String("s2"), ExternalId: aws.String("s3cr3t-id")})
	if err != nil {
		t.Fatal(err)
	}
	who, err := f.sessionClient(t, out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *who.Account != "210987654321" {
		t.Errorf("cross-account role reports account %s", *who.Account)
	}
}
