package cache

import "testing"

func TestMaskedIDHidesTheMiddle(t *testing.T) {
	for id, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE": "AKIA…MPLE",
		"AKIA":                 "(a malformed access key id)",
		"":                     "(a malformed access key id)",
	} {
		if got := (Keys{AccessKeyID: id}).MaskedID(); got != want {
			t.Errorf("MaskedID(%q) = %q, want %q", id, got, want)
		}
	}
}
