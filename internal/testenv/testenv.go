// Package testenv lets tests that need outside programs (Xvfb, zenity, the
// AWS CLI) skip where those are missing, yet fail in CI, where a silent skip
// would hide that the test never ran.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireAllEnv names the variable that turns skips into failures; CI sets
// it to 1.
const RequireAllEnv = "AWSMFA_REQUIRE_ALL"

// Need stops the test because of reason: it skips, or fails when
// AWSMFA_REQUIRE_ALL=1.
func Need(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(RequireAllEnv) == "1" {
		t.Fatalf("%s (%s=1 forbids skipping)", reason, RequireAllEnv)
		return
	}
	t.Skip(reason)
}

// NeedCommands calls Need unless every named program is on PATH.
func NeedCommands(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			Need(t, name+" is not installed: "+err.Error())
		}
	}
}
