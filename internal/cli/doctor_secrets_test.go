package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/secrettest"
)

// doctor prints no secret that became the value of a setting it reports
// on, and its line still says what to fix.
func TestDoctorDoesNotPrintSecretsFromSettings(t *testing.T) {
	const (
		serial  = "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
		process = "credential_process = awsmfa process --profile work\n"
	)
	for _, tc := range []struct {
		name   string
		config string            // the [profile work] section's lines; SECRET stands for the secret
		env    map[string]string // SECRET in a value is the secret
		want   string            // a regexp a line of the report must match
	}{
		{name: "mfa_serial that is no ARN", config: "mfa_serial = SECRET\n" + process,
			want: `(?m)^WARN  mfa_serial +\(value not shown\) is not an MFA device ARN; fine for a hardware token's serial number, otherwise use arn:aws:iam::ACCOUNT:mfa/DEVICE$`},
		{name: "mfa_serial", config: "mfa_serial = arn:aws:iam::123456789012:mfa/SECRET\n" + process,
			want: `(?m)^OK    mfa_serial +\(value not shown\)$`},
		{name: "credential_process", config: serial + "credential_process = SECRET\n",
			want: `(?m)^WARN  recursion +credential_process of profile "work" runs \(value not shown\), not awsmfa; awsmfa's checks below may not apply$`},
		{name: "credential_process naming no profile", config: serial + "credential_process = awsmfa process --duration SECRET\n",
			want: `(?m)^FAIL  recursion +credential_process \(value not shown\) names no profile; add --profile work \(no client tells awsmfa which profile ran it\)$`},
		{name: "credential_process serving another profile", config: serial + "credential_process = awsmfa process --profile SECRET\n",
			want: `(?m)^FAIL  recursion +credential_process of profile "work" serves profile \(value not shown\): clients asking for "work" get that profile's credentials; change it to awsmfa process --profile work$`},
		{name: "region", config: serial + process + "region = SECRET\n",
			want: `(?m)^(OK    profile +resolves as the AWS SDKs would; region \(value not shown\)|FAIL  sts +.*the region \(value not shown\) is not a valid AWS region name.*)$`},
		{name: "AWS_REGION", config: serial + process, env: map[string]string{"AWS_REGION": "SECRET"},
			want: `(?m)^(OK    profile +resolves as the AWS SDKs would; region \(value not shown\) \(from AWS_REGION\)|FAIL  sts +.*the region \(value not shown\) is not a valid AWS region name.*)$`},
		{name: "AWS_ENDPOINT_URL_STS", config: serial + process, env: map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1/SECRET"},
			want: `(?m)^FAIL  sts +cannot reach STS at \(value not shown\): .*; check the network, proxy settings, AWS_CA_BUNDLE and AWS_ENDPOINT_URL_STS / endpoint_url$`},
		{name: "endpoint_url", config: serial + process + "endpoint_url = SECRET\n", env: map[string]string{"AWS_ENDPOINT_URL_STS": ""},
			want: `(?m)^FAIL  sts +.*the STS endpoint \(value not shown\) is not an http\(s\) URL; fix AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or endpoint_url$`},
	} {
		for shape, secret := range secrettest.Shapes {
			t.Run(tc.name+"/"+shape, func(t *testing.T) {
				dir := t.TempDir()
				cfgPath := filepath.Join(dir, "config")
				text := "[profile work]\n" + strings.ReplaceAll(tc.config, "SECRET", secret)
				if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv("AWS_CONFIG_FILE", cfgPath)
				t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
				t.Setenv("AWS_REGION", "")
				t.Setenv("AWS_DEFAULT_REGION", "")
				t.Setenv("AWS_ENDPOINT_URL", "")
				// A port nothing listens on: the STS check never leaves this computer.
				t.Setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")
				for k, v := range tc.env {
					t.Setenv(k, strings.ReplaceAll(v, "SECRET", secret))
				}
				cfg, err := awsconfig.Load(cfgPath)
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				d := &profileDoctor{r: &report{w: &out}, name: "work", cfg: cfg, timeout: 5 * time.Second}
				d.run(context.Background())

				if part := secrettest.Repeated(out.String(), secret); part != "" {
					t.Errorf("doctor prints %q of the secret:\n%s", part, out.String())
				}
				if !regexp.MustCompile(tc.want).MatchString(out.String()) {
					t.Errorf("report:\n%s\nwant a line matching\n%s", out.String(), tc.want)
				}
			})
		}
	}
}

// Legitimate values are printed: they show what the checks looked at.
func TestDoctorShowsLegitimateSettings(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config")
	text := "[profile work]\nmfa_serial = GAHT12345678\ncredential_process = aws-vault export --format=json work\nregion = eu-west-1\n"
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgPath)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/sts")
	cfg, err := awsconfig.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	d := &profileDoctor{r: &report{w: &out}, name: "work", cfg: cfg, timeout: 5 * time.Second}
	d.run(context.Background())
	for _, want := range []string{
		`OK    profile      resolves as the AWS SDKs would; region eu-west-1`,
		`WARN  mfa_serial   GAHT12345678 is not an MFA device ARN`,
		`WARN  recursion    credential_process of profile "work" runs "aws-vault export --format=json work", not awsmfa`,
		`FAIL  sts          cannot reach STS at http://127.0.0.1:1/sts: `,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report:\n%s\nwant a line with\n%s", out.String(), want)
		}
	}
}

// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE can hold anything: a
// path with a secret in it is not printed, and the lines still say what
// to do.
func TestDoctorDoesNotPrintSecretPaths(t *testing.T) {
	for shape, secret := range secrettest.Shapes {
		t.Run(shape, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), secret)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			cfgPath, credPath := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
			if err := os.WriteFile(cfgPath, []byte("[profile work]\ncredential_process = awsmfa process --profile work\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("AWS_CONFIG_FILE", cfgPath)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credPath)
			var out bytes.Buffer
			r := &report{w: &out}
			cfg, _ := checkConfigFiles(r) // no credentials file yet
			if err := os.WriteFile(credPath, []byte("[work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			creds, err := awsconfig.LoadCredentials(credPath)
			if err != nil {
				t.Fatal(err)
			}
			(&profileDoctor{r: r, name: "work", cfg: cfg, creds: creds}).checkRecursion()
			(&profileDoctor{r: r, name: "missing", cfg: cfg}).checkProfile(context.Background())

			if part := secrettest.Repeated(out.String(), secret); part != "" {
				t.Errorf("doctor prints %q of the secret:\n%s", part, out.String())
			}
			for _, want := range []string{
				`(?m)^OK    config +\(value not shown\) parses \(1 profile\(s\)\)$`,
				`(?m)^OK    credentials +\(value not shown\) does not exist \(good: awsmfa keeps keys in the keyring\)$`,
				`(?m)^FAIL  recursion +\(value not shown\) has aws_access_key_id for profile "work": clients use these static keys instead of awsmfa; delete the \[work\] section there`,
				`(?m)^FAIL  profile +no \[profile missing\] in \(value not shown\); create it with: awsmfa setup --profile missing$`,
			} {
				if !regexp.MustCompile(want).MatchString(out.String()) {
					t.Errorf("report:\n%s\nwant a line matching\n%s", out.String(), want)
				}
			}
		})
	}
}
