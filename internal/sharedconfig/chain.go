package sharedconfig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// credentialFacts are what the SDK looks at, in one profile, to decide
// whether it can give credentials.
type credentialFacts struct {
	roleARN, sourceProfile, credentialSource, credentialProcess, webIdentityTokenFile string
	ssoSession                                                                        string
	legacySSO                                                                         bool // any of sso_region, sso_start_url, sso_account_id, sso_role_name
	staticKeys                                                                        bool // aws_access_key_id and aws_secret_access_key, both non-empty
}

func factsOf(s *iniSection) credentialFacts {
	return credentialFacts{
		roleARN:              s.str(keyRoleARN),
		sourceProfile:        s.str(keySourceProfile),
		credentialSource:     s.str(keyCredentialSource),
		credentialProcess:    s.str(keyCredentialProcess),
		webIdentityTokenFile: s.str(keyWebIdentityToken),
		ssoSession:           s.str(keySSOSession),
		legacySSO: s.str(keySSORegion) != "" || s.str(keySSOStartURL) != "" ||
			s.str(keySSOAccountID) != "" || s.str(keySSORoleName) != "",
		staticKeys: s.str(keyAccessKeyID) != "" && s.str(keySecretAccessKey) != "",
	}
}

// hasCredentials is the SDK's test for a usable source profile.
func (f credentialFacts) hasCredentials() bool {
	return f.sourceProfile != "" || f.credentialSource != "" || f.credentialProcess != "" ||
		f.webIdentityTokenFile != "" || f.ssoSession != "" || f.legacySSO || f.staticKeys
}

// needingRole is the first setting the profile has that the SDK accepts
// only with a role_arn, or "".
func (f credentialFacts) needingRole() string {
	switch {
	case f.sourceProfile != "":
		return keySourceProfile
	case f.credentialSource != "":
		return keyCredentialSource
	case f.webIdentityTokenFile != "":
		return keyWebIdentityToken
	}
	return ""
}

// credentialTypes lists the mutually exclusive settings the profile sets.
func (f credentialFacts) credentialTypes() []string {
	var set []string
	for _, t := range [...]struct{ key, value string }{
		{keySourceProfile, f.sourceProfile},
		{keyCredentialSource, f.credentialSource},
		{keyCredentialProcess, f.credentialProcess},
		{keyWebIdentityToken, f.webIdentityTokenFile},
	} {
		if t.value != "" {
			set = append(set, t.key)
		}
	}
	return set
}

// chain walks a profile and its source_profile chain with the SDK's rules
// (config.SharedConfig.setFromIniSections): every profile on the way must
// exist and be well formed, and each source must have credentials. A
// profile met a second time (A -> B -> A, or A -> A) counts only for the
// credentials it holds itself, its role settings ignored, so the walk ends.
type chain struct {
	sections *profiles
	visited  map[string]bool
}

func (c *chain) visit(name string) (credentialFacts, error) {
	s := c.sections.section(name)
	if s == nil {
		return credentialFacts{}, &ProfileNotExistError{Profile: name}
	}
	if err := checkSection(name, s); err != nil {
		return credentialFacts{}, err
	}
	f := factsOf(s)
	if c.visited[name] {
		f.roleARN, f.sourceProfile = "", ""
	} else if key := f.needingRole(); key != "" && f.roleARN == "" {
		return credentialFacts{}, fmt.Errorf("profile %q sets %s but no role_arn; add the role_arn to assume or remove %s", name, key, key)
	}
	if len(c.visited) != 0 && f.staticKeys {
		return f, nil // a source with keys of its own needs nothing more
	}
	c.visited[name] = true
	if types := f.credentialTypes(); len(types) > 1 {
		return credentialFacts{}, fmt.Errorf("profile %q sets %s: the SDKs take only one of them; keep one", name, strings.Join(types, " and "))
	}
	if f.sourceProfile != "" {
		src, err := c.visit(f.sourceProfile)
		if missing := (*ProfileNotExistError)(nil); errors.As(err, &missing) && missing.referrer == "" {
			missing.referrer, missing.referrerAt = name, s.values[keySourceProfile].where
		}
		if err != nil {
			return credentialFacts{}, err
		}
		if !src.hasCredentials() {
			return credentialFacts{}, &SourceProfileError{Profile: name, SourceProfile: f.sourceProfile}
		}
	}
	if f.ssoSession != "" {
		if !c.sections.has(ssoSessionPrefix + strings.TrimSpace(f.ssoSession)) {
			return credentialFacts{}, fmt.Errorf("%s: profile %q names sso_session %s, which has no [sso-session] section of that name in the AWS config file; add the section or fix sso_session",
				s.values[keySSOSession].where, name, redact.Quote(redact.Name, f.ssoSession))
		}
	}
	return f, nil
}

// checkSection finds what makes the SDK refuse a profile section, among
// the settings awsmfa knows: half a key pair, or a max_attempts that is
// not a number.
func checkSection(name string, s *iniSection) error {
	if s.partialKeysIn != "" {
		return fmt.Errorf("profile %q in %s sets only one of aws_access_key_id and aws_secret_access_key; set both or remove the one", name, s.partialKeysIn)
	}
	if v, ok := s.values[keyMaxAttempts]; ok {
		if _, err := parseIniInt(v.str); err != nil {
			return fmt.Errorf("%s: profile %q sets max_attempts to %s, which is not a whole number; set it to a number of attempts such as 3, or remove it",
				v.where, name, redact.Quote(redact.Token, v.str))
		}
	}
	return nil
}

// parseIniInt reads an integer as the SDK's ini package does: with Go's
// prefixes (0x10, 0o17, 0b1, a leading 0 for octal) and underscores.
func parseIniInt(s string) (int64, error) { return strconv.ParseInt(s, 0, 64) }
