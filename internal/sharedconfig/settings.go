// Package sharedconfig resolves one profile's settings from the AWS shared
// config and credentials files and the environment, as the AWS SDK for Go
// v2 does, without linking the SDK's config loader: that loader (with the
// SSO, SSO-OIDC and sign-in clients it pulls in) costs about 1.6 ms of
// package initialisation on every run of awsmfa, cache hits included.
//
// Only the settings awsmfa uses are resolved. Tests compare every one of
// them with what the SDK's own loader makes of the same files and variables.
package sharedconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// Settings are one profile's settings, environment variables applied.
type Settings struct {
	// Profile is the profile's name ("default" for [default]).
	Profile string
	// Region is AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
	// region; "" when none is set.
	Region string

	MFASerial string // mfa_serial

	// Role settings, as botocore and the SDKs name them.
	RoleARN          string        // role_arn
	SourceProfile    string        // source_profile
	CredentialSource string        // credential_source
	ExternalID       string        // external_id
	RoleSessionName  string        // role_session_name
	RoleDuration     time.Duration // duration_seconds; 0 when not set

	// UseFIPSEndpoint and UseDualStackEndpoint: AWS_USE_FIPS_ENDPOINT /
	// AWS_USE_DUALSTACK_ENDPOINT, else use_fips_endpoint /
	// use_dualstack_endpoint.
	UseFIPSEndpoint      bool
	UseDualStackEndpoint bool

	// MaxAttempts is AWS_MAX_ATTEMPTS, else max_attempts; 0 when not set.
	MaxAttempts int

	// CABundle is the path AWS_CA_BUNDLE, else ca_bundle, names; "" when
	// not set. Load checks that the file can be read, as the SDK does; that
	// it holds PEM certificates is left to whoever builds the HTTP client.
	CABundle string
	// caBundleAt is the line that sets ca_bundle; zero when CABundle is
	// AWS_CA_BUNDLE or not set.
	caBundleAt origin

	// Where a configured endpoint comes from; see Endpoint.
	ignoreConfiguredEndpoints bool
	envEndpointURL            string            // AWS_ENDPOINT_URL
	envEndpointURLSet         bool              // AWS_ENDPOINT_URL is set, even to ""
	envServiceEndpoints       map[string]string // AWS_ENDPOINT_URL_<SERVICE>, even "", by upper-case env suffix
	profileEndpointURL        string            // endpoint_url
	servicesEndpoints         map[string]string // [services X] "<key> = \n endpoint_url", by lower-case key
}

// Endpoint is the endpoint URL the settings configure for one service, or
// "" for the service's own endpoint, by the SDK's precedence:
//
//  1. AWS_ENDPOINT_URL_<ENV>, e.g. AWS_ENDPOINT_URL_STS;
//  2. AWS_ENDPOINT_URL;
//  3. the service's endpoint_url in the [services] section the profile names;
//  4. the profile's endpoint_url;
//
// none of them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or
// ignore_configured_endpoint_urls is true. env is the service's
// environment-variable suffix ("STS", "IAM"), key its [services] key
// ("sts", "iam").
//
// Three details follow the SDK's clients: AWS_ENDPOINT_URL in the
// environment, even empty, skips step 3 unless AWS_ENDPOINT_URL_<ENV> is
// there too; AWS_ENDPOINT_URL_<ENV> set to "" puts step 3 before step 2;
// and a [services] entry with an empty endpoint_url means the service's own
// endpoint.
func (s Settings) Endpoint(env, key string) string {
	if s.ignoreConfiguredEndpoints {
		return ""
	}
	base := s.envEndpointURL
	if base == "" {
		base = s.profileEndpointURL
	}
	own, ownSet := s.envServiceEndpoints[strings.ToUpper(strings.ReplaceAll(env, " ", "_"))]
	if s.envEndpointURLSet && !ownSet {
		return base
	}
	if own != "" {
		return own
	}
	if url, ok := s.servicesEndpoints[strings.ToLower(strings.ReplaceAll(key, " ", "_"))]; ok {
		return url
	}
	return base
}

// Load resolves profile from the files AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE name (else ~/.aws/config and
// ~/.aws/credentials) and the environment.
//
// It fails with a *ProfileNotExistError when neither file has the profile,
// and, for a profile with role_arn and source_profile, when the source
// profile is missing (the error names the source) or has no credentials the
// SDKs recognise (*SourceProfileError).
//
// Like the SDK it skips lines it cannot parse and files it cannot open. When
// a profile is then missing, the *ProfileNotExistError wraps the first such
// problem (an *awsconfig.ParseError for a broken line, found by the stricter
// parser awsmfa edits the files with), since that is the likely reason.
//
// An empty profile means AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
// "default"; as in the SDK, a missing profile is then an error only when
// AWS_PROFILE names it.
func Load(profile string) (Settings, error) {
	env, err := readEnv()
	if err != nil {
		return Settings{}, err
	}
	name, mustExist := profileName(profile)
	files, err := readSharedFiles()
	if err != nil {
		return Settings{}, err
	}
	sections := files.profiles()
	c := chain{sections: sections, visited: map[string]bool{}}
	if _, err := c.visit(name); err != nil {
		var missing *ProfileNotExistError
		if !errors.As(err, &missing) {
			return Settings{}, err
		}
		if missing.referrer == "" && !mustExist {
			return fromEnv(name, env).checkCABundle()
		}
		missing.Files = files.paths()
		missing.cause = files.problem()
		missing.fromEnv = missing.referrer == "" && profile == ""
		return Settings{}, err
	}
	s := fromEnv(name, env)
	s.applyProfile(env, sections.section(name), sections)
	return s.checkCABundle()
}

// LoadEnv resolves the environment's settings alone, for a profile not yet
// in the files.
func LoadEnv(profile string) (Settings, error) {
	env, err := readEnv()
	if err != nil {
		return Settings{}, err
	}
	return fromEnv(profile, env).checkCABundle()
}

// profileName is the profile the SDK loads for profile, and whether its
// absence is an error.
func profileName(profile string) (name string, mustExist bool) {
	if profile != "" {
		return profile, true
	}
	if p := os.Getenv("AWS_PROFILE"); p != "" {
		return p, true
	}
	if p := os.Getenv("AWS_DEFAULT_PROFILE"); p != "" {
		return p, false
	}
	return "default", false
}

func fromEnv(profile string, env envSettings) Settings {
	return Settings{
		Profile:                   profile,
		Region:                    env.region,
		UseFIPSEndpoint:           env.fips != nil && *env.fips,
		UseDualStackEndpoint:      env.dualStack != nil && *env.dualStack,
		MaxAttempts:               env.maxAttempts,
		CABundle:                  env.caBundle,
		ignoreConfiguredEndpoints: env.ignoreEndpoints != nil && *env.ignoreEndpoints,
		envEndpointURL:            env.endpointURL,
		envEndpointURLSet:         env.endpointURLSet,
		envServiceEndpoints:       env.serviceEndpoints,
	}
}

// applyProfile fills in what the environment left unset from the profile's
// section, read as the SDK reads each setting.
func (s *Settings) applyProfile(env envSettings, sec *iniSection, all *profiles) {
	if s.Region == "" {
		s.Region = sec.str(keyRegion)
	}
	s.MFASerial = sec.str(keyMFASerial)
	s.RoleARN = sec.str(keyRoleARN)
	s.SourceProfile = sec.str(keySourceProfile)
	s.CredentialSource = sec.str(keyCredentialSource)
	s.ExternalID = sec.str(keyExternalID)
	s.RoleSessionName = sec.str(keyRoleSessionName)
	if n, err := parseIniInt(sec.str(keyDurationSeconds)); err == nil {
		// Overflow wraps, and a value that is not a number is 0, as in the SDK.
		s.RoleDuration = time.Duration(n) * time.Second
	}
	// In the file, anything but "true" (in any case) is false.
	if v, ok := sec.lookup(keyUseFIPSEndpoint); ok && env.fips == nil {
		s.UseFIPSEndpoint = strings.EqualFold(v, "true")
	}
	if v, ok := sec.lookup(keyUseDualStack); ok && env.dualStack == nil {
		s.UseDualStackEndpoint = strings.EqualFold(v, "true")
	}
	if v, ok := sec.lookup(keyIgnoreEndpointURLs); ok && env.ignoreEndpoints == nil {
		s.ignoreConfiguredEndpoints = strings.EqualFold(v, "true")
	}
	if s.MaxAttempts == 0 {
		n, _ := parseIniInt(sec.str(keyMaxAttempts)) // checkSection refused a bad one
		s.MaxAttempts = int(n)
	}
	if s.CABundle == "" {
		v := sec.values[keyCABundle]
		s.CABundle, s.caBundleAt = v.str, v.where
	}
	s.profileEndpointURL = sec.str(keyEndpointURL)
	if name := sec.str(keyServices); name != "" {
		s.servicesEndpoints = servicesEndpoints(all.section(servicesPrefix + name))
	}
}

// servicesEndpoints are the endpoint_url settings nested under the keys of a
// [services NAME] section; nil for a missing section.
func servicesEndpoints(sec *iniSection) map[string]string {
	if sec == nil {
		return nil
	}
	var out map[string]string
	for key, v := range sec.values {
		if url, ok := v.nested[keyEndpointURL]; ok {
			if out == nil {
				out = map[string]string{}
			}
			out[key] = url
		}
	}
	return out
}

// checkCABundle refuses a CA bundle the SDK could not read. Unlike the SDK it
// does not parse the certificates (that would cost every run a few
// milliseconds for a large bundle); whoever builds the HTTP client does.
func (s Settings) checkCABundle() (Settings, error) {
	if s.CABundle == "" {
		return s, nil
	}
	setting, fix := "AWS_CA_BUNDLE", "unset it"
	if s.caBundleAt.file != nil {
		setting, fix = fmt.Sprintf("%s: ca_bundle of profile %q", s.caBundleAt, s.Profile), "remove it"
	}
	f, err := os.Open(s.CABundle)
	if err == nil {
		var b [1]byte
		var n int
		n, err = f.Read(b[:])
		f.Close()
		if n == 1 {
			return s, nil
		}
		if errors.Is(err, io.EOF) {
			err = errors.New("it is empty")
		}
	}
	if pathErr := (*fs.PathError)(nil); errors.As(err, &pathErr) {
		err = pathErr.Err // the path is in the message already
	}
	return Settings{}, fmt.Errorf("%s names %s, which cannot be read: %v; point it at a PEM file of CA certificates, or %s", setting, redact.Quote(redact.Path, s.CABundle), err, fix)
}

// ProfileNotExistError is a profile in neither shared file.
type ProfileNotExistError struct {
	Profile string
	// Files are the paths that were read.
	Files []string

	// referrer is the profile whose source_profile this is, "" for the
	// profile asked for; referrerAt is its source_profile line.
	referrer   string
	referrerAt origin
	// fromEnv is set when the profile asked for is AWS_PROFILE's.
	fromEnv bool
	// cause is what may hide the profile: a line the SDK skips, or a file
	// it cannot open.
	cause error
}

func (e *ProfileNotExistError) Error() string {
	// The name is the user's own unless a setting gave it.
	subject, orFix, shown := fmt.Sprintf("profile %q", e.Profile), "", true
	switch {
	case e.referrer != "":
		subject = fmt.Sprintf("%s: profile %q names source_profile %s, which", e.referrerAt, e.referrer, redact.Quote(redact.Name, e.Profile))
		orFix, shown = " or fix source_profile", redact.Fits(redact.Name, e.Profile)
	case e.fromEnv:
		subject = fmt.Sprintf("AWS_PROFILE names profile %s, which", redact.Quote(redact.Name, e.Profile))
		orFix, shown = " or fix AWS_PROFILE", redact.Fits(redact.Name, e.Profile)
	}
	if e.cause != nil {
		return fmt.Sprintf("%s cannot be read: %v", subject, e.cause)
	}
	files := ""
	if len(e.Files) > 0 {
		files = " (" + strings.Join(shownPaths(e.Files), ", ") + ")"
	}
	add := "add a " + sectionHeader(e.Profile) + " section"
	if !shown {
		add = "add a section for the profile it names"
	}
	return fmt.Sprintf("%s is not in the AWS config files%s; %s%s", subject, files, add, orFix)
}

// shownPaths are paths as an error message may show them: the files'
// paths may come from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE.
func shownPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = redact.Show(redact.Path, p)
	}
	return out
}

// Unwrap returns the problem in the files that may be why the profile was
// not found (an *awsconfig.ParseError, or an error opening a file), or nil.
func (e *ProfileNotExistError) Unwrap() error { return e.cause }

// SourceProfileError is a source_profile the SDKs cannot take credentials from.
type SourceProfileError struct {
	Profile       string // the role profile
	SourceProfile string
}

func (e *SourceProfileError) Error() string {
	return fmt.Sprintf("profile %q uses source_profile %q, which has no credentials the AWS SDKs recognise; "+
		"give %s credentials (keys, credential_process, SSO or web identity settings, or a role of its own) or point source_profile at a profile that has them",
		e.Profile, e.SourceProfile, sectionHeader(e.SourceProfile))
}

// sectionHeader is how the config file names profile's section, quoted
// when the name holds a line break or another control character (a name
// given on the command line can) so that a message stays on one line.
func sectionHeader(profile string) string {
	h := "[profile " + profile + "]"
	if profile == "default" {
		h = "[default]"
	}
	if strings.ContainsFunc(h, unicode.IsControl) {
		return strconv.Quote(h)
	}
	return h
}
