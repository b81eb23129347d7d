package dbusenv

import (
	"os"
	"testing"
)

func TestFlagValue(t *testing.T) {
	cases := []struct {
		want string
		args []string
	}{
		{"", []string{"process", "--profile", "work"}},
		{"file", []string{"process", "--keyring-backend", "file", "--profile", "work"}},
		{"pass", []string{"--keyring-backend=pass"}},
		{"keyctl", []string{"--keyring-backend=file", "--keyring-backend", "keyctl"}},
		{"kwallet", []string{"--keyring-backend", "kwallet", "--", "--keyring-backend", "file"}},
		{"wincred", []string{"process", "--profile", "work", "--keyring-backend", "wincred"}},
		// After exec's command name the flags are the command's.
		{"", []string{"exec", "--profile", "work", "echo", "hello", "--keyring-backend", "wincred"}},
		{"file", []string{"--keyring-backend", "file", "exec", "-p", "work", "--debug", "env", "--keyring-backend=x"}},
		{"pass", []string{"exec", "--keyring-backend=pass", "-pwork", "--prompt=gui", "env", "--keyring-backend", "x"}},
		{"keyctl", []string{"--debug", "exec", "--keyring-backend", "keyctl", "--duration", "1h", "--", "env", "--keyring-backend", "x"}},
		{"", []string{"exec", "--server", "--profile", "work", "env", "--keyring-backend", "x"}},
		{"file", []string{"exec", "--server", "--listen", "127.0.0.1:0", "--keyring-backend=file", "env", "--keyring-backend", "x"}},
	}
	for _, c := range cases {
		if got := flagValue(c.args); got != c.want {
			t.Errorf("flagValue(%q) = %q, want %q", c.args, got, c.want)
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

// The bus socket is looked for only when the backend in use may need it.
func TestBusLookedForOnlyWhenTheBackendMayUseIt(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", true},
		{nil, "secret-service", true},
		{nil, "kwallet", true},
		{nil, "file", false},
		{nil, "keyctl", false},
		{[]string{"process", "--profile", "work"}, "pass", false},
		{[]string{"--keyring-backend", "secret-service", "process"}, "file", true},
		{[]string{"--keyring-backend=file", "process"}, "secret-service", false},
		{[]string{"exec", "--profile", "work", "echo", "--keyring-backend", "file"}, "", true},
	} {
		if got := mayUseBus(tc.args, tc.env); got != tc.want {
			t.Errorf("mayUseBus(%q, %q) = %v, want %v", tc.args, tc.env, got, tc.want)
		}
	}
}
