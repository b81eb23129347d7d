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

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

// defaultRegion is where STS calls go when the profile names no region;
// GetSessionToken is served by every regional endpoint and the global one.
const defaultRegion = "us-east-1"

// profile is what awsmfa needs from one profile of the shared config files.
type profile struct {
	Name      string
	MFASerial string
	Region    string
	// RegionSet is false when Region is only awsmfa's default, so export
	// and exec do not hand out a region the user never chose.
	RegionSet bool
	Endpoint  string // resolved STS endpoint override, "" for AWS's own

	// Role settings, as botocore and the SDKs name them.
	RoleARN         string
	SourceProfile   string
	CredentialSrc   string // credential_source: not something awsmfa can serve
	ExternalID      string
	RoleSessionName string
	RoleDuration    time.Duration // duration_seconds; 0 when not set

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
		var badSource config.SharedConfigAssumeRoleError
		switch {
		case errors.As(err, &missing) && missing.Profile != name:
			return profile{}, fmt.Errorf("profile %q names source_profile %q, which is not in the AWS config files (%v); add a [profile %s] section or fix source_profile", name, missing.Profile, missing.Filename, missing.Profile)
		case errors.As(err, &missing):
			return profile{}, missingProfile(name)
		case errors.As(err, &badSource):
			return profile{}, fmt.Errorf("profile %q uses source_profile %q, which has no credentials the AWS SDKs recognise; give [profile %s] the line credential_process = awsmfa process --profile %s (awsmfa keeps its keys in the keyring)", name, badSource.Profile, badSource.Profile, badSource.Profile)
		}
		return profile{}, fmt.Errorf("reading AWS config for profile %q: %w; fix the file or point AWS_CONFIG_FILE at a valid one", name, err)
	}
	p := profile{Name: name, Region: cfg.Region, RegionSet: cfg.Region != "", awsConfig: cfg}
	for _, src := range cfg.ConfigSources {
		if shared, ok := src.(config.SharedConfig); ok {
			p.MFASerial = shared.MFASerial
			p.RoleARN = shared.RoleARN
			p.SourceProfile = shared.SourceProfileName
			p.CredentialSrc = shared.CredentialSource
			p.ExternalID = shared.ExternalID
			p.RoleSessionName = shared.RoleSessionName
			if shared.RoleDurationSeconds != nil {
				p.RoleDuration = *shared.RoleDurationSeconds
			}
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

// Region returns the region the named profile (or AWS_REGION) sets, and
// false when none is set: export and exec hand a region on only when the
// user chose one.
func Region(ctx context.Context, profileName string) (string, bool, error) {
	p, err := loadProfile(ctx, profileName)
	if err != nil {
		return "", false, err
	}
	return p.Region, p.RegionSet, nil
}

// missingProfile explains why the SDK found no section for name: a syntax
// error it skipped over (the SDK does not say), or a section that is not there.
func missingProfile(name string) error {
	path, err := awsconfig.ConfigPath()
	if err != nil {
		return err
	}
	if _, err := awsconfig.Load(path); err != nil {
		return fmt.Errorf("profile %q cannot be read: %w", name, err)
	}
	return fmt.Errorf("profile %q is not in the AWS config files (%s); add a [profile %s] section with mfa_serial and credential_process", name, path, name)
}
