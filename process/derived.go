package process

import (
	"slices"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/sharedconfig"
)

// ProfilesDerivedFrom returns, sorted, every profile other than name whose
// credentials awsmfa gets through name: role profiles whose source_profile
// chain, followed as process follows it, passes through name. Their cached
// sessions were made with name's keys, yet their cache keys do not change
// when those keys do, so whoever replaces or removes name's keys must drop
// their sessions too.
//
// Each chain is followed only as far as process follows it: to a profile
// that does not load, to an IAM user, or for maxSourceDepth roles, which
// also ends any source_profile loop. So a broken profile is skipped rather
// than stopping add or remove for another, and a chain that reaches name
// before it breaks still counts (its sessions may be served again once it
// is fixed). It fails only when the shared files or the environment cannot
// be read at all.
//
// It resolves every profile in both shared files: it is for add, setup and
// remove, never for the credential_process path.
func ProfilesDerivedFrom(name string) ([]string, error) {
	// Environment settings that the SDK refuses make every profile fail to
	// load; report them instead of finding nothing.
	if _, err := sharedconfig.LoadEnv(name); err != nil {
		return nil, err
	}
	candidates, err := sharedProfileNames()
	if err != nil {
		return nil, err
	}
	chains := sourceChains{loaded: map[string]loadedProfile{}}
	var derived []string
	for _, c := range candidates {
		// "" would make loadProfile fall back to AWS_PROFILE or default.
		if c != "" && c != name && chains.passesThrough(c, name) {
			derived = append(derived, c)
		}
	}
	slices.Sort(derived)
	return derived, nil
}

// sharedProfileNames lists the profiles of the config and credentials
// files, each once. A file whose place cannot be worked out (no home
// directory) counts as absent, as it does when process loads a profile.
func sharedProfileNames() ([]string, error) {
	var names []string
	for _, f := range [...]struct {
		path func() (string, error)
		load func(string) (*awsconfig.File, error)
	}{
		{awsconfig.ConfigPath, awsconfig.Load},
		{awsconfig.CredentialsPath, awsconfig.LoadCredentials},
	} {
		path, err := f.path()
		if err != nil {
			continue
		}
		file, err := f.load(path)
		if err != nil {
			return nil, err
		}
		for _, p := range file.Profiles() {
			if !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	return names, nil
}

// loadedProfile is one loadProfile result, kept because the chains of
// several roles often share their sources.
type loadedProfile struct {
	p   profile
	err error
}

// sourceChains follows source_profile chains with plan's rules.
type sourceChains struct {
	loaded map[string]loadedProfile
}

func (c *sourceChains) load(name string) (profile, error) {
	l, ok := c.loaded[name]
	if !ok {
		l.p, l.err = loadProfile(name)
		c.loaded[name] = l
	}
	return l.p, l.err
}

// passesThrough reports whether plan, serving start, would take credentials
// from target on the way. It stops where plan stops: at a profile that does
// not load, at an IAM user (no role_arn), at a role plan refuses (no
// source_profile, or itself as its source), and after maxSourceDepth roles,
// which also ends any source_profile loop.
func (c *sourceChains) passesThrough(start, target string) bool {
	p, err := c.load(start)
	for depth := 0; err == nil && depth < maxSourceDepth; depth++ {
		if p.RoleARN == "" || p.SourceProfile == "" || p.SourceProfile == p.Name {
			return false
		}
		if p.SourceProfile == target {
			return true
		}
		p, err = c.load(p.SourceProfile)
	}
	return false
}
