package process

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/sharedconfig"
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
	Endpoint  string // configured STS endpoint, "" for AWS's own

	// Role settings, as botocore and the SDKs name them.
	RoleARN         string
	SourceProfile   string
	CredentialSrc   string // credential_source: not something awsmfa can serve
	ExternalID      string
	RoleSessionName string
	RoleDuration    time.Duration // duration_seconds; 0 when not set

	settings sharedconfig.Settings
}

// loadProfile reads the named profile as the AWS SDK for Go does, so that
// AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_REGION, endpoint_url,
// AWS_ENDPOINT_URL(_STS) and the [services] section mean what they mean to
// every other SDK. The credential chain is never resolved: the profile's
// credential_process is awsmfa itself.
func loadProfile(name string) (profile, error) {
	s, err := sharedconfig.Load(name)
	if err != nil {
		var missing *sharedconfig.ProfileNotExistError
		var badSource *sharedconfig.SourceProfileError
		switch {
		case errors.As(err, &missing) && (missing.Profile != name || missing.Unwrap() != nil):
			// A missing source_profile, or a file that could not be read
			// or parsed: the error says which and what to fix.
			return profile{}, err
		case errors.As(err, &missing):
			return profile{}, missingProfile(name)
		case errors.As(err, &badSource):
			return profile{}, fmt.Errorf("profile %q uses source_profile %q, which has no credentials the AWS SDKs recognise; give [profile %s] the line credential_process = awsmfa process --profile %s (awsmfa keeps its keys in the keyring)", name, badSource.SourceProfile, badSource.SourceProfile, badSource.SourceProfile)
		}
		return profile{}, fmt.Errorf("reading AWS config for profile %q: %w", name, err)
	}
	p := profile{
		Name:            name,
		MFASerial:       s.MFASerial,
		Region:          s.Region,
		RegionSet:       s.Region != "",
		Endpoint:        s.Endpoint("STS", "sts"),
		RoleARN:         s.RoleARN,
		SourceProfile:   s.SourceProfile,
		CredentialSrc:   s.CredentialSource,
		ExternalID:      s.ExternalID,
		RoleSessionName: s.RoleSessionName,
		RoleDuration:    s.RoleDuration,
		settings:        s,
	}
	if p.Region == "" {
		p.Region = defaultRegion
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
func Region(profileName string) (string, bool, error) {
	p, err := loadProfile(profileName)
	if err != nil {
		return "", false, err
	}
	return p.Region, p.RegionSet, nil
}

// missingProfile says how to add the profile that is not there.
func missingProfile(name string) error {
	path, err := awsconfig.ConfigPath()
	if err != nil {
		return err
	}
	return fmt.Errorf("profile %q is not in the AWS config files (%s); add a [profile %s] section with mfa_serial and credential_process", name, path, name)
}
