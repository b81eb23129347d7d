package dbusenv

import (
	"os"
	"testing"
)

func TestFlagValue(t *testing.T) {
	cases := map[string][]string{
		"":        {"process", "--profile", "work"},
		"file":    {"process", "--keyring-backend", "file", "--profile", "work"},
		"pass":    {"--keyring-backend=pass"},
		"keyctl":  {"--keyring-backend=file", "--keyring-backend", "keyctl"},
		"kwallet": {"--keyring-backend", "kwallet", "--", "--keyring-backend", "file"},
	}
	for want, args := range cases {
		if got := flagValue(args); got != want {
			t.Errorf("flagValue(%q) = %q, want %q", args, got, want)
		}
	}
}

func TestRestoreKeepsUnsetAndEmptyApart(t *testing.T) {
	t.Setenv("AWSMFA_TEST_EMPTY", "")
	t.Setenv("AWSMFA_TEST_UNSET", "x")
	os.Unsetenv("AWSMFA_TEST_UNSET")
	saved = nil
	setenv("AWSMFA_TEST_EMPTY", "disabled:")
	setenv("AWSMFA_TEST_UNSET", "1")
	Restore()
	if v, ok := os.LookupEnv("AWSMFA_TEST_EMPTY"); !ok || v != "" {
		t.Errorf("empty variable restored as %q, %v", v, ok)
	}
	if _, ok := os.LookupEnv("AWSMFA_TEST_UNSET"); ok {
		t.Error("unset variable restored as set")
	}
	Restore() // idempotent
}

func TestItoa(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 1000: "1000", 65534: "65534"} {
		if got := itoa(n); got != want {
			t.Errorf("itoa(%d) = %q", n, got)
		}
	}
}
