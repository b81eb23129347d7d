package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsmfa/awsmfa/cache"
)

// maxKeyAge is the age past which doctor advises rotating the key: the
// 90 days of AWS's own advice and of CIS's AWS benchmark.
const maxKeyAge = 90 * 24 * time.Hour

// checkKeyAge reads the stored key's creation date from IAM
// (iam:ListAccessKeys signed with the key itself, no MFA code), where IAM
// lets the key list itself: policies that require MFA refuse it, and then
// the age is simply not known.
func (d *profileDoctor) checkKeyAge(ctx context.Context, keys cache.Keys) {
	clients, err := newAWSClients(ctx, d.name, aws.Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey})
	if err != nil {
		d.r.warn("key age", "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	out, err := clients.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	switch code := apiErrorCode(err); {
	case code == "AccessDenied" || code == "AccessDeniedException":
		d.r.ok("key age", "unknown: IAM does not let access key %s list itself without MFA; awsmfa rotate --profile %s shows it", keys.MaskedID(), d.name)
		return
	case err != nil:
		d.r.warn("key age", "unknown: %v", explainAWSError("IAM ListAccessKeys", err, d.name, keys))
		return
	}
	for _, k := range out.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) != keys.AccessKeyID {
			continue
		}
		created := aws.ToTime(k.CreateDate)
		days := int(time.Since(created) / (24 * time.Hour))
		if time.Since(created) > maxKeyAge {
			d.r.warn("key age", "access key %s is %d days old (created %s); replace it with a new one: awsmfa rotate --profile %s", keys.MaskedID(), days, created.UTC().Format(time.DateOnly), d.name)
			return
		}
		d.r.ok("key age", "access key %s was created %s (%d days ago)", keys.MaskedID(), created.UTC().Format(time.DateOnly), days)
		return
	}
	d.r.warn("key age", "IAM does not list access key %s among the user's keys", keys.MaskedID())
}
