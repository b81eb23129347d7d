package awsini

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

const (
	mfa  = "arn:aws:iam::123456789012:mfa/alice"
	role = "arn:aws:iam::123456789012:role/admin"
)

// seeds are files on which the reader and the SDK must agree; each also
// seeds FuzzParity.
var seeds = []struct{ name, config, creds string }{
	{"config profile", "[profile work]\nregion = eu-west-1\nmfa_serial = " + mfa + "\n", ""},
	{"colon assigns", "[profile work]\nregion: eu-west-1\nmfa_process: ykman oath accounts code -s x\n", ""},
	{"default section", "[default]\nregion = us-west-2\n", ""},
	{"[profile default] replaces [default]", "[default]\nregion = us-west-2\nmfa_serial = " + mfa + "\n[profile default]\nregion = eu-central-1\n", ""},
	{"section without the prefix is ignored", "[work]\nregion = eu-west-1\n", ""},
	{"credentials file wins key by key", "[profile work]\nregion = eu-west-1\nmfa_serial = " + mfa + "\nexternal_id = from-config\n", "[work]\nregion = us-east-2\nexternal_id =\n"},
	{"profile prefix ignored in credentials", "", "[profile work]\nregion = eu-west-1\n"},
	{"repeated sections merge", "[profile work]\nregion = us-east-1\nmfa_serial = " + mfa + "\n[profile admin]\nregion = x\n[profile work]\nregion = eu-west-1\n", ""},
	{"blanks inside the brackets", "[  profile \t work  ]\nregion = eu-west-1\n", ""},
	{"odd names", "[profile profile work]\nregion = a\n[profile work]\nregion = b\n", ""},
	{"inline comments", "[profile work] ; the work account\nregion = eu-west-1 # Ireland\nexternal_id = a;b#c\nrole_session_name = me\t; tab\n", ""},
	{"quotes", "[profile work]\nregion = \"eu-west-1\"\nrole_session_name = 'me'\nmfa_serial = \"" + mfa + "' \n", ""},
	{"CRLF", "[profile work]\r\nregion = eu-west-1\r\nmfa_serial = " + mfa + "\r\n", "[work]\r\nexternal_id = \"ext\"\r\n"},
	{"broken lines", "[profile broken\na line that is not a setting\n[profile work]\nregion = eu-west-1\n", ""},
	{"settings after a broken header", "[profile work]\nregion = eu-west-1\n[profile admin\nmfa_serial = " + mfa + "\n", ""},
	{"continued value", "[profile work]\nmfa_serial = " + mfa + "\n  continued\n", ""},
	{"nested settings", "[profile work]\nregion =\n  mfa_serial = x\nrole_arn = " + role + "\nsource_profile = admin\n[profile admin]\nregion = eu-west-1\ncredential_process = awsmfa process --profile admin\n", ""},
	{"role chain", "[profile work]\nrole_arn = " + role + "\nsource_profile = admin\nexternal_id = e\n[profile admin]\nmfa_serial = " + mfa + "\ncredential_process = awsmfa\n", ""},
}

// compared are the keys whose values both must agree on, by how the SDK's
// SharedConfig holds them.
var compared = map[string]func(config.SharedConfig) string{
	"region":             func(c config.SharedConfig) string { return c.Region },
	"mfa_serial":         func(c config.SharedConfig) string { return c.MFASerial },
	"role_arn":           func(c config.SharedConfig) string { return c.RoleARN },
	"source_profile":     func(c config.SharedConfig) string { return c.SourceProfileName },
	"credential_process": func(c config.SharedConfig) string { return c.CredentialProcess },
	"external_id":        func(c config.SharedConfig) string { return c.ExternalID },
	"role_session_name":  func(c config.SharedConfig) string { return c.RoleSessionName },
}

// checkParity loads each profile with the SDK's LoadSharedConfigProfile
// and with Files, and fails where they differ: in whether the profile
// exists, or in any compared key's value.
func checkParity(t *testing.T, dir, configData, credsData string) {
	t.Helper()
	configPath, credsPath := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(configPath, []byte(configData), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credsPath, []byte(credsData), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", configPath)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsPath)
	files, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, p := range files.Profiles() {
		listed[p] = true
	}
	for _, profile := range []string{"work", "default", "admin", "profile work"} {
		sc, err := sdkProfile(profile, configPath, credsPath)
		var missing config.SharedConfigProfileNotExistError
		switch {
		case errors.As(err, &missing) && missing.Profile == profile:
			if files.Has(profile) || listed[profile] {
				t.Errorf("%s: the SDK finds no such profile, Files does", profile)
			}
			continue
		case err != nil:
			continue // the SDK refuses something the reader does not judge
		}
		if !files.Has(profile) || !listed[profile] {
			t.Errorf("%s: the SDK has the profile, Files does not (listed: %v)", profile, listed[profile])
		}
		for key, of := range compared {
			if got, want := files.Get(profile, key), of(sc); got != want {
				t.Errorf("%s: %s: Files has %q, the SDK %q", profile, key, got, want)
			}
		}
	}
}

// sdkProfile is the SDK's reading of one profile; it turns the SDK's
// panics on some inputs into errors.
func sdkProfile(profile, configPath, credsPath string) (sc config.SharedConfig, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("sdk panicked")
		}
	}()
	return config.LoadSharedConfigProfile(context.Background(), profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{configPath}
		o.CredentialsFiles = []string{credsPath}
	})
}

func TestFilesReadAsTheSDKReadsThem(t *testing.T) {
	for _, tc := range seeds {
		t.Run(tc.name, func(t *testing.T) { checkParity(t, t.TempDir(), tc.config, tc.creds) })
	}
}

// A "key: value" line is a setting to the SDK, and so to Files: mfa_process
// set with a colon is read, and no line counts as a problem.
func TestColonIsASetting(t *testing.T) {
	f := Parse("[profile work]\nregion: eu-west-1\nmfa_process: ykman oath accounts code -s x\n", "")
	if got := f.Get("work", "mfa_process"); got != "ykman oath accounts code -s x" {
		t.Errorf("mfa_process = %q", got)
	}
	if err := f.Problem(); err != nil {
		t.Errorf("Problem() = %v, want nil", err)
	}
}

// A line the SDK skips is named by Problem, without its text (it may be a
// pasted secret) unless it is a section header.
func TestProblemNamesTheSkippedLine(t *testing.T) {
	f := Parse("[profile work]\nregion = eu-west-1\n", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	err := f.Problem()
	if err == nil || !strings.Contains(err.Error(), "credentials line 1: cannot parse it") || strings.Contains(err.Error(), "wJalr") {
		t.Errorf("Problem() = %v", err)
	}
	f = Parse("[profile work\nregion = eu-west-1\n", "")
	if err := f.Problem(); err == nil || !strings.Contains(err.Error(), `config line 1: cannot parse "[profile work"`) {
		t.Errorf("Problem() = %v", err)
	}
}

// FuzzParity writes the input as the config file (and, after a NUL byte,
// the credentials file): Files and the SDK must agree on every profile.
func FuzzParity(f *testing.F) {
	for _, tc := range seeds {
		f.Add([]byte(tc.config + "\x00" + tc.creds))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		configData, credsData, _ := bytes.Cut(data, []byte{0})
		checkParity(t, dir, string(configData), string(credsData))
	})
}
