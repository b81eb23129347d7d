package process

import (
	"fmt"
	"slices"
	"strings"
)

// ChainEnv carries the profiles that awsmfa processes up the process tree
// are serving, like the AWS CLI's _AWS_CLI_PROFILE_CHAIN. A profile that is
// already in it means awsmfa, through some client it started, ended up
// running itself for the same profile: fail at once instead of looping.
const ChainEnv = "_AWSMFA_PROFILE_CHAIN"

// EnterChain checks chain (the value of ChainEnv) for profile and returns the
// value to hand to child processes.
func EnterChain(chain, profile string) (string, error) {
	var seen []string
	if chain != "" {
		seen = strings.Split(chain, ",")
	}
	if slices.Contains(seen, profile) {
		return "", fmt.Errorf("awsmfa is already serving profile %q further up this process tree (%s); the profile's settings make awsmfa call itself: make sure nothing awsmfa runs for %q (mfa_process, a source_profile) uses that same profile", profile, strings.Join(append(seen, profile), " -> "), profile)
	}
	return strings.Join(append(seen, profile), ","), nil
}
