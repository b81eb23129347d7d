package secretenv

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestIsSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"AWSMFA_FILE_PASSPHRASE": true,
		"awsmfa_file_passphrase": true, // Windows names ignore case
		"AWSMFA_SERVER_TOKEN":    true,
		"AWSMFA_PROXY_PASSWORD":  true,
		"AWSMFA_CLIENT_SECRET":   true,
		"AWSMFA_KEYRING_BACKEND": false,
		"AWSMFA_PROFILE":         false,
		"AWSMFA_FILE_DIR":        false,
		"AWS_SECRET_ACCESS_KEY":  false, // not awsmfa's: exec sets it on purpose
		"MY_PASSPHRASE":          false,
	} {
		if got := IsSecret(name); got != want {
			t.Errorf("IsSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestTakeMovesSecretsOutOfTheEnvironment(t *testing.T) {
	t.Setenv("AWSMFA_FILE_PASSPHRASE", "pw")
	t.Setenv("AWSMFA_PROMPT", "terminal")
	Take()
	if v, ok := os.LookupEnv("AWSMFA_FILE_PASSPHRASE"); ok {
		t.Fatalf("AWSMFA_FILE_PASSPHRASE still in the environment after Take: %q", v)
	}
	if got := Lookup("AWSMFA_FILE_PASSPHRASE"); got != "pw" {
		t.Fatalf("Lookup after Take = %q, want pw", got)
	}
	if got := os.Getenv("AWSMFA_PROMPT"); got != "terminal" {
		t.Fatalf("Take removed AWSMFA_PROMPT (now %q)", got)
	}
	// Set again later (the demo does): the environment wins.
	t.Setenv("AWSMFA_FILE_PASSPHRASE", "newer")
	if got := Lookup("AWSMFA_FILE_PASSPHRASE"); got != "newer" {
		t.Fatalf("Lookup = %q, want the newer value", got)
	}
}

func TestCommandDropsSecrets(t *testing.T) {
	t.Setenv("AWSMFA_FILE_PASSPHRASE", "pw")
	t.Setenv("AWSMFA_SERVER_TOKEN", "tok")
	t.Setenv("AWSMFA_PROMPT", "terminal")
	cmd := Command(context.Background(), "true")
	for _, kv := range []string{"AWSMFA_FILE_PASSPHRASE=pw", "AWSMFA_SERVER_TOKEN=tok"} {
		if slices.Contains(cmd.Env, kv) {
			t.Errorf("child environment has %s", kv)
		}
	}
	if !slices.Contains(cmd.Env, "AWSMFA_PROMPT=terminal") {
		t.Errorf("child environment lost AWSMFA_PROMPT")
	}
}
