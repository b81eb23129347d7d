package process

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/awsini"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// profile is what awsmfa needs from one profile, as the AWS SDK for Go
// resolved it (awsclient.Load): AWS_CONFIG_FILE, AWS_REGION,
// endpoint_url, AWS_ENDPOINT_URL(_STS), [services] and the rest mean what
// they mean to every other SDK.
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

	aws *awsclient.Profile
}

// loadProfile resolves the named profile and its source_profile chain
// from one read of the shared files. The credential chain is never
// resolved: the profile's credential_process is awsmfa itself.
func loadProfile(ctx context.Context, name string) (profile, error) {
	ap, err := awsclient.Load(ctx, name)
	if err != nil {
		return profile{}, ConfigError(name, err)
	}
	if err := ap.CheckSTSEndpoint(); err != nil {
		return profile{}, fmt.Errorf("profile %q: %w", name, err)
	}
	return profileOf(ap), nil
}

func profileOf(ap *awsclient.Profile) profile {
	sc := ap.Shared
	p := profile{
		Name:            ap.Name,
		MFASerial:       sc.MFASerial,
		Region:          ap.Region,
		RegionSet:       ap.RegionSet,
		Endpoint:        ap.ConfiguredSTSEndpoint(),
		RoleARN:         sc.RoleARN,
		SourceProfile:   sc.SourceProfileName,
		CredentialSrc:   sc.CredentialSource,
		ExternalID:      sc.ExternalID,
		RoleSessionName: sc.RoleSessionName,
		aws:             ap,
	}
	if sc.RoleDurationSeconds != nil {
		p.RoleDuration = *sc.RoleDurationSeconds
	}
	return p
}

// source is p's source_profile, from the same read of the files. The SDK
// does not follow source_profile from a profile that has static keys in
// the files (it would use those keys), nor from one it saw already in the
// chain; awsmfa serves such a profile as a role too, so it loads it again.
func (p profile) source(ctx context.Context) (profile, error) {
	if src := p.aws.Source(); src != nil {
		return profileOf(src), nil
	}
	return loadProfile(ctx, p.SourceProfile)
}

// ConfigError says what to fix about a profile awsclient.Load could not
// load, in one line.
func ConfigError(name string, err error) error {
	var missing *awsclient.ProfileNotFoundError
	var badSource config.SharedConfigAssumeRoleError
	var missingSource config.SharedConfigProfileNotExistError
	var setting *awsclient.SettingError
	switch {
	case errors.As(err, &setting):
		return err
	case errors.As(err, &missing):
		return missingProfile(name)
	case errors.As(err, &badSource) && errors.As(err, &missingSource):
		return fmt.Errorf("profile %q names source_profile %s, which is not in the AWS config files; add a section for it or fix source_profile", name, redact.Quote(redact.Name, missingSource.Profile))
	case errors.As(err, &badSource):
		return fmt.Errorf("profile %q uses source_profile %q, which has no credentials the AWS SDKs recognise; give [profile %s] the line credential_process = awsmfa process --profile %s (awsmfa keeps its keys in the keyring)", name, badSource.Profile, badSource.Profile, badSource.Profile)
	}
	return fmt.Errorf("the AWS SDK cannot load profile %q: %s; fix that setting", name, awsclient.Shown(err.Error()))
}

// missingProfile says how to add the profile that is not there, or, when a
// line of the files is one the SDK skips (a broken section header loses its
// profile), which line to fix.
func missingProfile(name string) error {
	files, err := awsini.Read()
	if err != nil {
		return err
	}
	if problem := files.Problem(); problem != nil {
		return fmt.Errorf("profile %q cannot be read: %w", name, problem)
	}
	shown := make([]string, 0, 2)
	for _, p := range files.Paths() {
		shown = append(shown, redact.Show(redact.Path, p))
	}
	return fmt.Errorf("profile %q is not in the AWS config files (%s); add a [profile %s] section with mfa_serial and credential_process", name, strings.Join(shown, ", "), name)
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
