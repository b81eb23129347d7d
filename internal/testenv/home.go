package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// homeVars are where programs put per-user files: a test that starts a
// dialog, a keyring or a bus must find them all in a throwaway directory.
var homeVars = []string{"HOME", "USERPROFILE", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"}

// RunWithTempHome runs the package's tests with HOME and the XDG base
// directories in a new temporary directory, removed afterwards, so that no
// test (nor a dialog, D-Bus or dconf it starts) writes into the real home.
// The Go toolchain's caches stay where they were: a test that runs `go`
// must not download or build everything again.
func RunWithTempHome(m *testing.M) int {
	for _, kv := range [][2]string{{"GOPATH", "go"}, {"GOMODCACHE", filepath.Join("go", "pkg", "mod")}} {
		if os.Getenv(kv[0]) == "" {
			if home, err := os.UserHomeDir(); err == nil {
				os.Setenv(kv[0], filepath.Join(home, kv[1]))
			}
		}
	}
	if os.Getenv("GOCACHE") == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
		}
	}
	home, err := os.MkdirTemp("", "awsmfa-test-home-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(home)
	for _, name := range homeVars {
		dir := home
		if name != "HOME" && name != "USERPROFILE" {
			dir = filepath.Join(home, name)
		}
		os.Setenv(name, dir)
	}
	return m.Run()
}
