// Package secretenv keeps awsmfa's secret-bearing environment variables
// (AWSMFA_FILE_PASSPHRASE and any AWSMFA_* variable named like a secret)
// away from every process awsmfa starts: exec's command, mfa_process,
// ykman, the dialog program, a browser. A child that could read the keyring
// passphrase could decrypt the stored long-term keys.
//
// Take moves them out of the process environment at start, so that even
// children started by libraries (zenity runs its dialog program with the
// process environment) never see them; Lookup reads them. Command and
// Clean are for the children awsmfa starts itself.
package secretenv

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// secretWords mark a variable of awsmfa's as secret-bearing wherever they
// appear in its name: AWSMFA_FILE_PASSPHRASE, and any later
// AWSMFA_*_TOKEN, _SECRET or _PASSWORD.
var secretWords = []string{"PASSPHRASE", "PASSWORD", "SECRET", "TOKEN"}

// IsSecret reports whether the environment variable name is one of
// awsmfa's secret-bearing variables. Names compare case-insensitively, as
// Windows does.
func IsSecret(name string) bool {
	upper := strings.ToUpper(name)
	if !strings.HasPrefix(upper, "AWSMFA_") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(upper, w) {
			return true
		}
	}
	return false
}

var taken struct {
	sync.Mutex
	values map[string]string
}

// Take removes every secret-bearing variable from the process environment
// and keeps its value for Lookup. Call it once at start, before anything
// starts a child. Calling it again replaces what it kept with what the
// environment holds then.
func Take() {
	taken.Lock()
	defer taken.Unlock()
	taken.values = map[string]string{}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if IsSecret(name) {
			taken.values[strings.ToUpper(name)] = value
			_ = os.Unsetenv(name)
		}
	}
}

// Lookup is the variable's value: from the environment if it is set there
// (set after Take, or Take never ran), else as Take found it.
func Lookup(name string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	taken.Lock()
	defer taken.Unlock()
	return taken.values[strings.ToUpper(name)]
}

// Clean is env without awsmfa's secret-bearing variables.
func Clean(env []string) []string {
	return Without(env, IsSecret)
}

// Without is env less the NAME=value entries whose name drop reports.
func Without(env []string, drop func(name string) bool) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !drop(name) {
			out = append(out, kv)
		}
	}
	return out
}

// Command is exec.CommandContext with the process environment less
// awsmfa's secret-bearing variables. Callers that add variables append to
// cmd.Env.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = Clean(os.Environ())
	return cmd
}
