package cli

import (
	"regexp"
	"testing"
)

// FuzzLooksLikeAccessKeyID checks the hand-written access key id check that
// replaced a regular expression (see keyid.go) against that expression.
func FuzzLooksLikeAccessKeyID(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "akiaiosfodnn7example", "AKIA", "ASIA1234567890123456", "AKIAIOSFODNN7EXAMPLE\n", "AKIAIOSFODNN7EXAMPLÉ"} {
		f.Add(s)
	}
	pattern := regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := looksLikeAccessKeyID(s), pattern.MatchString(s); got != want {
			t.Fatalf("looksLikeAccessKeyID(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
