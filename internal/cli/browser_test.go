package cli

import (
	"slices"
	"strings"
	"testing"
)

func TestBrowserCommandPerOS(t *testing.T) {
	u := "https://h/federation?Action=login&Issuer=awsmfa"
	for goos, want := range map[string][]string{
		"linux":   {"xdg-open", u},
		"freebsd": {"xdg-open", u},
		"darwin":  {"open", u},
		"windows": {"cmd", "/c", "start", "", "https://h/federation?Action=login^&Issuer=awsmfa"},
	} {
		if got := browserCommand(goos, u); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}

func TestBrowserEnvDropsSecrets(t *testing.T) {
	env := []string{
		"HOME=/home/a", "DISPLAY=:0", "PATH=/bin", "AWS_REGION=eu-west-1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
		"AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t", "AWS_SECURITY_TOKEN=t",
		"AWSMFA_FILE_PASSPHRASE=p", "AWS_CONTAINER_AUTHORIZATION_TOKEN=t", "GITHUB_TOKEN=t", "aws_secret_access_key=s",
		"AWS_CREDENTIAL_EXPIRATION=x", "DB_PASSWORD=p",
	}
	got := browserEnv(env)
	want := []string{"HOME=/home/a", "DISPLAY=:0", "PATH=/bin", "AWS_REGION=eu-west-1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus"}
	if !slices.Equal(got, want) {
		t.Errorf("browserEnv kept %q, want %q", got, want)
	}
}

func TestFederatedUserName(t *testing.T) {
	for profile, want := range map[string]string{
		"work":                            "awsmfa-work",
		"team dev/ü":                      "awsmfa-team-dev--",
		"a-very-long-profile-name-indeed": "awsmfa-a-very-long-profile-name-",
	} {
		got := federatedUserName(profile)
		if got != want || len(got) > 32 || strings.ContainsAny(got, " /") {
			t.Errorf("federatedUserName(%q) = %q, want %q", profile, got, want)
		}
	}
}
