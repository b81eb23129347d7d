package process

import (
	"slices"

	"github.com/awsmfa/awsmfa/internal/awsini"
)

// ProfilesDerivedFrom returns, sorted, every profile other than name whose
// credentials awsmfa gets through name: role profiles whose source_profile
// chain, followed as process follows it, passes through name. Their cached
// sessions were made with name's keys, yet their cache keys do not change
// when those keys do, so whoever replaces or removes name's keys must drop
// their sessions too.
//
// Each chain is followed only as far as process follows it: to an IAM user
// (no role_arn), to a role without source_profile or with itself as its
// source, or for maxSourceDepth roles, which also ends any source_profile
// loop. A chain that reaches name before it breaks still counts (its
// sessions may be served again once it is fixed).
//
// It reads the shared files once and looks at each profile's section at
// most once, so add, setup and remove stay linear in the size of the
// config. It fails when the files cannot be read, or hold a line the SDK
// skips (which may hide a profile whose sessions would then be kept).
func ProfilesDerivedFrom(name string) ([]string, error) {
	files, err := awsini.Read()
	if err != nil {
		return nil, err
	}
	if err := files.Problem(); err != nil {
		return nil, err
	}
	return derivedFrom(files, name), nil
}

func derivedFrom(files *awsini.Files, name string) []string {
	// sourceOf is each role's source_profile, "" for a profile that ends
	// a chain; filled as chains are walked.
	sourceOf := map[string]string{}
	source := func(p string) string {
		s, ok := sourceOf[p]
		if !ok {
			if files.Get(p, "role_arn") != "" {
				s = files.Get(p, "source_profile")
			}
			if s == p {
				s = ""
			}
			sourceOf[p] = s
		}
		return s
	}
	var derived []string
	for _, start := range files.Profiles() {
		if start == "" || start == name {
			continue
		}
		p := start
		for depth := 0; depth < maxSourceDepth; depth++ {
			if p = source(p); p == "" || !files.Has(p) {
				break
			}
			if p == name {
				derived = append(derived, start)
				break
			}
		}
	}
	slices.Sort(derived)
	return derived
}
