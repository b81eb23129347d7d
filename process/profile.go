package process

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// defaultRegion is where STS calls go when the profile names no region;
// GetSessionToken is served by every regional endpoint and the global one.
const defaultRegion = "us-east-1"

// profile is what awsmfa needs from one profile of the shared config files.
type profile struct {
	Name      string
	MFASerial string
	RoleARN   string
	Region    string
	Endpoint  string // resolved STS endpoint override, "" for AWS's own
	awsConfig aws.Config
}

// loadProfile reads the named profile with the SDK's own loader so that
// AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_REGION, endpoint_url,
// AWS_ENDPOINT_URL(_STS) and the [services] section mean what they mean to
// every other SDK. The credential chain is never resolved: the profile's
// credential_process is awsmfa itself.
func loadProfile(ctx context.Context, name string) (profile, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile(name),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return profile{}, fmt.Errorf("profile %q is not in the AWS config files (%v); add a [profile %s] section with mfa_serial and credential_process", name, missing.Filename, name)
		}
		return profile{}, fmt.Errorf("reading AWS config for profile %q: %w; fix the file or point AWS_CONFIG_FILE at a valid one", name, err)
	}
	p := profile{Name: name, Region: cfg.Region, awsConfig: cfg}
	for _, src := range cfg.ConfigSources {
		if shared, ok := src.(config.SharedConfig); ok {
			p.MFASerial = shared.MFASerial
			p.RoleARN = shared.RoleARN
		}
	}
	if p.Region == "" {
		p.Region = defaultRegion
		p.awsConfig.Region = defaultRegion
	}
	if base := sts.NewFromConfig(p.awsConfig).Options().BaseEndpoint; base != nil {
		p.Endpoint = *base
	}
	return p, nil
}

// cacheSettings lists every setting that changes which session STS would
// return, so that editing any of them never serves a stale session.
func (p profile) cacheSettings(duration time.Duration) []string {
	return []string{
		"mfa_serial=" + p.MFASerial,
		"duration=" + strconv.FormatInt(int64(duration/time.Second), 10),
		"region=" + p.Region,
		"endpoint=" + p.Endpoint,
	}
}
