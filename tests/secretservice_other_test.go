//go:build !linux

package tests

import "github.com/rogpeppe/go-internal/testscript"

// cmdSecretService is Linux only, like keyring's secret-service backend and
// gnome-keyring; scripts using it begin with [!linux] skip.
func cmdSecretService(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("secretservice runs only on Linux; begin the script with [!linux] skip")
}
