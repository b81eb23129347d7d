package process

import (
	"slices"
	"strings"
	"testing"
)

// FuzzEnterChain: _AWSMFA_PROFILE_CHAIN comes from the environment, which
// anything up the process tree may have set. EnterChain must refuse exactly
// the profiles already in it and otherwise append the profile.
func FuzzEnterChain(f *testing.F) {
	for _, c := range [][2]string{{"", "work"}, {"work", "work"}, {"a,b", "b"}, {",,", ""}, {"a,b", "a,b"}, {"team/dev", "team"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, chain, profile string) {
		next, err := EnterChain(chain, profile)
		var seen []string
		if chain != "" {
			seen = strings.Split(chain, ",")
		}
		if slices.Contains(seen, profile) {
			if err == nil {
				t.Fatalf("EnterChain(%q, %q) accepted a profile already in the chain", chain, profile)
			}
			return
		}
		if err != nil {
			t.Fatalf("EnterChain(%q, %q): %v", chain, profile, err)
		}
		want := profile
		if chain != "" {
			want = chain + "," + profile
		}
		if next != want {
			t.Fatalf("EnterChain(%q, %q) = %q, want %q", chain, profile, next, want)
		}
	})
}
