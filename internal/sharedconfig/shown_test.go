package sharedconfig

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/secrettest"
)

// TestErrorsDoNotRepeatSecrets puts a secret where each setting whose bad
// value an error message used to quote is read (as its value, or on an
// indented line that continues its value), and checks that the message
// still names the setting and where it is, but not the value.
func TestErrorsDoNotRepeatSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, config, creds, profile string
		env                          map[string]string // SECRET in a value is the secret
		want                         string            // a regexp the message must match
	}{
		{name: "max_attempts", config: "[profile work]\nmax_attempts = SECRET\n",
			want: `aws_config_file line 2: profile "work" sets max_attempts to \(value not shown\), which is not a whole number; set it to`},
		{name: "max_attempts continued", config: "[profile work]\nmax_attempts = 3\n  SECRET\n",
			want: `aws_config_file line 2: profile "work" sets max_attempts to \(value not shown\), which`},
		{name: "max_attempts in the credentials file", config: "[profile work]\nmax_attempts = 3\n", creds: "[work]\nregion = eu-west-1\nmax_attempts = SECRET\n",
			want: `aws_shared_credentials_file line 3: profile "work" sets max_attempts to \(value not shown\), which`},
		{name: "AWS_MAX_ATTEMPTS", env: map[string]string{"AWS_MAX_ATTEMPTS": "SECRET"},
			want: `^AWS_MAX_ATTEMPTS is \(value not shown\), which is not a whole number; set it to a number of attempts such as 3, or unset it$`},
		{name: "AWS_USE_FIPS_ENDPOINT", env: map[string]string{"AWS_USE_FIPS_ENDPOINT": "SECRET"},
			want: `^AWS_USE_FIPS_ENDPOINT is \(value not shown\), which is neither true nor false; set it to true or false, or unset it$`},
		{name: "AWS_USE_DUALSTACK_ENDPOINT", env: map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "SECRET"},
			want: `^AWS_USE_DUALSTACK_ENDPOINT is \(value not shown\), which`},
		{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", env: map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "SECRET"},
			want: `^AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is \(value not shown\), which`},
		{name: "ca_bundle", config: "[profile work]\nca_bundle = SECRET\n",
			want: `aws_config_file line 2: ca_bundle of profile "work" names \(value not shown\), which cannot be read: [^:]+; point it at a PEM file of CA certificates, or remove it$`},
		{name: "ca_bundle continued", config: "[profile work]\nca_bundle = /nonexistent/ca.pem\n  SECRET\n",
			want: `aws_config_file line 2: ca_bundle of profile "work" names \(value not shown\), which cannot be read`},
		{name: "AWS_CA_BUNDLE", env: map[string]string{"AWS_CA_BUNDLE": "SECRET"},
			want: `^AWS_CA_BUNDLE names \(value not shown\), which cannot be read: [^:]+; point it at a PEM file of CA certificates, or unset it$`},
		{name: "sso_session", config: "[profile work]\nsso_session = SECRET\n",
			want: `aws_config_file line 2: profile "work" names sso_session \(value not shown\), which has no \[sso-session\] section`},
		{name: "source_profile", config: "[profile work]\nrole_arn = " + role + "\nsource_profile = SECRET\n",
			want: `aws_config_file line 3: profile "work" names source_profile \(value not shown\), which is not in the AWS config files \(.*\); add a section for the profile it names or fix source_profile$`},
		{name: "source_profile continued", config: "[profile work]\nrole_arn = " + role + "\nsource_profile = base\n  SECRET\n[profile base]\n",
			want: `aws_config_file line 3: profile "work" names source_profile \(value not shown\), which is not in`},
		{name: "AWS_PROFILE", config: "[profile other]\n", profile: "", env: map[string]string{"AWS_PROFILE": "SECRET"},
			want: `^AWS_PROFILE names profile \(value not shown\), which is not in the AWS config files \(.*\); add a section for the profile it names or fix AWS_PROFILE$`},
		{name: "AWS_SHARED_CREDENTIALS_FILE", config: "[profile other]\n", env: map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "$DIR/SECRET"},
			want: `^profile "work" is not in the AWS config files \(.*, \(value not shown\)\); add a \[profile work\] section$`},
		// A file name longer than the system allows cannot be opened.
		{name: "AWS_CONFIG_FILE too long", env: map[string]string{"AWS_CONFIG_FILE": "$DIR/" + strings.Repeat("SECRET", 8)},
			want: `\(value not shown\)`},
	} {
		for shape, secret := range secrettest.Shapes {
			t.Run(tc.name+"/"+shape, func(t *testing.T) {
				config := tc.config
				if config == "" {
					config = "[profile work]\n"
				}
				dir := setupFiles(t, strings.ReplaceAll(config, "SECRET", secret), strings.ReplaceAll(tc.creds, "SECRET", secret))
				for k, v := range tc.env {
					v = strings.ReplaceAll(v, "$DIR", dir)
					t.Setenv(k, strings.ReplaceAll(v, "SECRET", secret))
				}
				profile := "work"
				if tc.env["AWS_PROFILE"] != "" {
					profile = ""
				}
				_, err := Load(profile)
				if err == nil {
					t.Fatal("Load succeeded")
				}
				msg := err.Error()
				if part := secrettest.Repeated(msg, secret); part != "" {
					t.Errorf("the error repeats %q of the secret: %s", part, msg)
				}
				if !regexp.MustCompile(tc.want).MatchString(msg) {
					t.Errorf("error:\n%s\nwant match for\n%s", msg, tc.want)
				}
			})
		}
	}
}

// TestShortBadValuesAreShown: a value the user mistyped is in the message,
// since it shows what to fix.
func TestShortBadValuesAreShown(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		env          map[string]string
		want         string
	}{
		{"max_attempts", "[profile work]\nmax_attempts = abc\n", nil, `sets max_attempts to "abc", which`},
		{"max_attempts in hex", "[profile work]\nmax_attempts = 0x1g\n", nil, `sets max_attempts to "0x1g", which`},
		{"AWS_MAX_ATTEMPTS", "[profile work]\n", map[string]string{"AWS_MAX_ATTEMPTS": "3.5"}, `AWS_MAX_ATTEMPTS is "3.5", which`},
		{"AWS_USE_FIPS_ENDPOINT", "[profile work]\n", map[string]string{"AWS_USE_FIPS_ENDPOINT": "enabled"}, `AWS_USE_FIPS_ENDPOINT is "enabled", which`},
		{"ca_bundle", "[profile work]\nca_bundle = /home/alice/.aws/corp-ca-2024.pem\n", nil, `names "/home/alice/.aws/corp-ca-2024.pem", which`},
		{"sso_session", "[profile work]\nsso_session = corp-sso\n", nil, `names sso_session "corp-sso", which`},
		{"source_profile", "[profile work]\nrole_arn = " + role + "\nsource_profile = AdministratorAccess-123456789012\n", nil,
			`names source_profile "AdministratorAccess-123456789012", which is not in the AWS config files .*; add a \[profile AdministratorAccess-123456789012\] section or fix source_profile$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setupFiles(t, tc.config, "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Load("work")
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("error:\n%s\nwant match for\n%s", err, tc.want)
			}
		})
	}
}

// The line an error names is the setting's, also after blank lines,
// comments and a repeated section.
func TestErrorsNameTheLine(t *testing.T) {
	dir := setupFiles(t, "# comment\n[profile work]\nregion = eu-west-1\n\n[default]\n[profile work]\n; more\nmax_attempts = x\n", "")
	_, err := Load("work")
	want := filepath.Join(dir, "aws_config_file") + ` line 8: profile "work" sets max_attempts to "x", which`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load: %v\nwant it to start with %s", err, want)
	}
}
