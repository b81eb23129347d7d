package awsini

import (
	"slices"
	"strings"
)

// Keys and section prefixes as the SDK names them.
const (
	keyAccessKeyID       = "aws_access_key_id"
	keySecretAccessKey   = "aws_secret_access_key"
	keySessionToken      = "aws_session_token"
	keyRoleARN           = "role_arn"
	keySourceProfile     = "source_profile"
	keyCredentialSource  = "credential_source"
	keyCredentialProcess = "credential_process"
	keyWebIdentityToken  = "web_identity_token_file"
	keyExternalID        = "external_id"
	keyMFASerial         = "mfa_serial"
	keyRoleSessionName   = "role_session_name"
	keyDurationSeconds   = "duration_seconds"
	keyRegion            = "region"
	keySSOSession        = "sso_session"
	keySSORegion         = "sso_region"
	keySSOStartURL       = "sso_start_url"
	keySSOAccountID      = "sso_account_id"
	keySSORoleName       = "sso_role_name"
	keyUseFIPSEndpoint   = "use_fips_endpoint"
	keyUseDualStack      = "use_dualstack_endpoint"
	keyMaxAttempts       = "max_attempts"
	keyCABundle          = "ca_bundle"

	profilePrefix    = "profile "
	ssoSessionPrefix = "sso-session "
	servicesPrefix   = "services "
)

// mergedKeys are the settings a credentials-file section takes over from
// the config file's section of the same name: the SDK's list, in its
// order. Every other key of the credentials file's copy (endpoint_url,
// services, ignore_configured_endpoint_urls...) is dropped when both files
// have the profile.
var mergedKeys = [...]string{
	keyRoleARN, keySourceProfile, keyCredentialSource, keyExternalID, keyMFASerial,
	keyRoleSessionName, keyRegion, "endpoint_discovery_enabled", keyCredentialProcess,
	keyWebIdentityToken, "s3_use_arn_region", "s3_disable_multiregion_access_points",
	"ec2_metadata_service_endpoint_mode", "ec2_metadata_service_endpoint",
	"ec2_metadata_v1_disabled", keyUseDualStack, keyUseFIPSEndpoint, "defaults_mode",
	"retry_mode", keyCABundle, keyDurationSeconds, keyMaxAttempts,
	keySSOSession, keySSOAccountID, keySSORegion, keySSORoleName, keySSOStartURL,
	"auth_scheme_preference", "login_session",
}

// profiles are the two files' sections combined as the SDK's
// LoadSharedConfigProfile combines them, by profile name ("work",
// "default") plus the config file's "sso-session X" and "services X",
// each read and merged when first asked for.
//
// In the config file [profile NAME] is profile NAME, [default] (any case)
// is itself, and [NAME] without the prefix is dropped. [profile default]
// replaces [default] wholesale rather than merging with it. In the
// credentials file every section but [profile ...] is a profile. For a
// profile in both files the credentials file wins, key by key, for
// mergedKeys and the static keys.
type profiles struct {
	config, credentials *iniFile
	// configNames maps each name to the config file's section that
	// provides it ("work" to "profile work"), when the names are odd
	// enough to need the SDK's whole renaming; nil otherwise.
	configNames map[string]string
	merged      map[string]*iniSection
}

func newProfiles(config, credentials *iniFile) *profiles {
	p := &profiles{config: config, credentials: credentials, merged: map[string]*iniSection{}}
	if config.oddNames {
		names := map[string]bool{}
		for _, h := range config.headers {
			names[h.name] = true
		}
		p.configNames = renameConfigProfiles(names)
	}
	return p
}

// fromConfig is the config file's section that provides name, if any.
// Without odd names the SDK's renaming comes down to this: [profile NAME]
// is NAME; [default] (any case), [sso-session X] and [services X] keep
// their names; other sections are dropped.
func (p *profiles) fromConfig(name string) (string, bool) {
	if p.configNames != nil {
		section, ok := p.configNames[name]
		return section, ok
	}
	if p.config.has(profilePrefix + name) {
		return profilePrefix + name, true
	}
	keeps := strings.HasPrefix(name, ssoSessionPrefix) || strings.HasPrefix(name, servicesPrefix) || strings.EqualFold(name, "default")
	return name, keeps && !strings.HasPrefix(name, profilePrefix) && p.config.has(name)
}

// has reports whether either file provides the section name.
func (p *profiles) has(name string) bool {
	_, inConfig := p.fromConfig(name)
	return inConfig || p.inCredentials(name)
}

func (p *profiles) inCredentials(name string) bool {
	return !strings.HasPrefix(name, profilePrefix) && p.credentials.has(name)
}

// section is the named section, merged from both files, or nil.
func (p *profiles) section(name string) *iniSection {
	if s, ok := p.merged[name]; ok {
		return s
	}
	var s *iniSection
	if from, ok := p.fromConfig(name); ok {
		s = p.config.section(from)
	}
	if p.inCredentials(name) {
		s = mergeSection(s, p.credentials.section(name))
	}
	p.merged[name] = s
	return s
}

// mergeSection merges the credentials file's copy of a section, src, into
// the config file's, dst (nil when there is none).
func mergeSection(dst, src *iniSection) *iniSection {
	if dst == nil {
		return src
	}
	if src.has(keyAccessKeyID) && src.has(keySecretAccessKey) {
		mergeKey(dst, src, keyAccessKeyID)
		mergeKey(dst, src, keySecretAccessKey)
		mergeKey(dst, src, keySessionToken)
	}
	for _, key := range mergedKeys {
		mergeKey(dst, src, key)
	}
	return dst
}

// mergeKey copies key's plain value, and where it was set; like the SDK,
// it does not copy nested settings.
func mergeKey(dst, src *iniSection, key string) {
	if v, ok := src.values[key]; ok {
		dst.values[key] = iniValue{str: v.str, where: v.where}
	}
}

// renameConfigProfiles is the SDK's processConfigSections on the config
// file's section names: in sorted order, [profile NAME] becomes NAME
// (replacing a NAME already there) and sections that are neither profiles,
// [default], [sso-session X] nor [services X] are dropped. The order
// matters only for odd names such as [profile profile x]; it is kept so
// that even those agree. It returns, for each name left, the section that
// provides it.
func renameConfigProfiles(sections map[string]bool) map[string]string {
	names := make([]string, 0, len(sections))
	from := make(map[string]string, len(sections))
	for name := range sections {
		names = append(names, name)
		from[name] = name
	}
	slices.Sort(names)
	renamed := map[string]bool{}
	for _, name := range names {
		if renamed[name] {
			continue
		}
		switch {
		case strings.HasPrefix(name, profilePrefix):
			section, ok := from[name]
			if !ok {
				continue // cannot happen: only a renamed name is replaced, and it is skipped
			}
			delete(from, name)
			newName := strings.TrimPrefix(name, profilePrefix)
			from[newName] = section
			renamed[newName] = true
		case strings.HasPrefix(name, ssoSessionPrefix),
			strings.HasPrefix(name, servicesPrefix),
			strings.EqualFold(name, "default"):
		default:
			delete(from, name)
		}
	}
	return from
}
