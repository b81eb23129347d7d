package sharedconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

func TestErrorsSayWhatToFix(t *testing.T) {
	for _, tc := range []struct {
		name, config, profile string
		env                   map[string]string
		want                  string // a regexp over the whole message
	}{
		{"missing profile", "[profile other]\n", "work", nil,
			`^profile "work" is not in the AWS config files \(.*aws_config_file, .*aws_shared_credentials_file\); add a \[profile work\] section$`},
		{"missing default", "", "default", nil,
			`^profile "default" is not in the AWS config files \(.*\); add a \[default\] section$`},
		{"broken header of the profile", "[profile work\nregion = eu-west-1\n", "work", nil,
			`^profile "work" cannot be read: .*aws_config_file line 1: cannot parse "\[profile work".*; fix that line$`},
		{"missing source", "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n", "admin", nil,
			`^.*aws_config_file line 3: profile "admin" names source_profile "work", which is not in the AWS config files \(.*\); add a \[profile work\] section or fix source_profile$`},
		{"missing AWS_PROFILE", "[profile other]\n", "", map[string]string{"AWS_PROFILE": "work"},
			`^AWS_PROFILE names profile "work", which is not in the AWS config files \(.*\); add a \[profile work\] section or fix AWS_PROFILE$`},
		{"source without credentials", "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\n", "admin", nil,
			`^profile "admin" uses source_profile "work", which has no credentials the AWS SDKs recognise; give \[profile work\] credentials .* or point source_profile at a profile that has them$`},
		{"source_profile without role_arn", "[profile work]\nsource_profile = work\n", "work", nil,
			`^profile "work" sets source_profile but no role_arn; add the role_arn to assume or remove source_profile$`},
		{"two credential types", "[profile work]\nrole_arn = " + role + "\ncredential_source = Environment\ncredential_process = x\n", "work", nil,
			`^profile "work" sets credential_source and credential_process: the SDKs take only one of them; keep one$`},
		{"half a key pair", "[profile work]\naws_secret_access_key = x\n", "work", nil,
			`^profile "work" in .*aws_config_file sets only one of aws_access_key_id and aws_secret_access_key; set both or remove the one$`},
		{"max_attempts", "[profile work]\nmax_attempts = many\n", "work", nil,
			`^.*aws_config_file line 2: profile "work" sets max_attempts to "many", which is not a whole number; set it to a number of attempts such as 3, or remove it$`},
		{"max_attempts abc", "[profile work]\nregion = eu-west-1\n\nmax_attempts = abc\n", "work", nil,
			`^.*aws_config_file line 4: profile "work" sets max_attempts to "abc", which is not a whole number; set it to a number of attempts such as 3, or remove it$`},
		{"DUALSTACK variable", "[profile work]\n", "work", map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "maybe"},
			`^AWS_USE_DUALSTACK_ENDPOINT is "maybe", which is neither true nor false; set it to true or false, or unset it$`},
		{"FIPS variable", "[profile work]\n", "work", map[string]string{"AWS_USE_FIPS_ENDPOINT": "yes"},
			`^AWS_USE_FIPS_ENDPOINT is "yes", which is neither true nor false; set it to true or false, or unset it$`},
		{"AWS_MAX_ATTEMPTS", "[profile work]\n", "work", map[string]string{"AWS_MAX_ATTEMPTS": "three"},
			`^AWS_MAX_ATTEMPTS is "three", which is not a whole number; set it to a number of attempts such as 3, or unset it$`},
		{"missing CA bundle", "[profile work]\nca_bundle = /nonexistent/ca.pem\n", "work", nil,
			`^.*aws_config_file line 2: ca_bundle of profile "work" names "/nonexistent/ca.pem", which cannot be read: [^:]+; point it at a PEM file of CA certificates, or remove it$`},
		{"missing AWS_CA_BUNDLE", "[profile work]\n", "work", map[string]string{"AWS_CA_BUNDLE": "/nonexistent/ca.pem"},
			`^AWS_CA_BUNDLE names "/nonexistent/ca.pem", which cannot be read: [^:]+; point it at a PEM file of CA certificates, or unset it$`},
		{"sso_session without its section", "[profile work]\nsso_session = corp\n", "work", nil,
			`^.*aws_config_file line 2: profile "work" names sso_session "corp", which has no \[sso-session\] section of that name in the AWS config file; add the section or fix sso_session$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setupFiles(t, tc.config, "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Load(tc.profile)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("error:\n%s\nwant match for\n%s", err, tc.want)
			}
		})
	}
}

func TestMissingProfileWrapsTheBrokenLine(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	dir := setupFiles(t, "[profile other]\nregion = eu-west-1\n", "[default]\n"+secret+"\n")
	_, err := Load("work")
	var pe *awsconfig.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Load: %v, want an error wrapping *awsconfig.ParseError", err)
	}
	if want := filepath.Join(dir, "aws_shared_credentials_file"); pe.Path != want || pe.Line != 2 {
		t.Errorf("ParseError at %s line %d, want %s line 2", pe.Path, pe.Line, want)
	}
	var missing *ProfileNotExistError
	if !errors.As(err, &missing) || missing.Profile != "work" || len(missing.Files) != 2 {
		t.Errorf("Load: %#v, want a *ProfileNotExistError for work naming both files", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the error repeats the broken line, which may be a secret: %v", err)
	}
}

func TestBrokenLineElsewhereIsNoError(t *testing.T) {
	setupFiles(t, "[profile work]\nregion = eu-west-1\nthis line is broken\n", "")
	s, err := Load("work")
	if err != nil || s.Region != "eu-west-1" {
		t.Fatalf("Load = %+v, %v; want region eu-west-1 and no error", s, err)
	}
}

// TestFilesThatCannotBeRead: like the SDK, a file that cannot be opened is
// read as empty (and named when the profile is then missing), while one
// that opens but cannot be read (a directory) is an error.
func TestFilesThatCannotBeRead(t *testing.T) {
	t.Run("cannot be opened", func(t *testing.T) {
		dir := setupFiles(t, absent, "[work]\nregion = eu-west-1\n")
		notADir := filepath.Join(dir, "file")
		if err := os.WriteFile(notADir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(notADir, "config"))
		for _, profile := range []string{"work", "other"} {
			_, gotOutcome, gotErr := ours(profile)
			_, sdkOutcome, sdkErr := sdk(profile)
			if gotOutcome != sdkOutcome {
				t.Errorf("%s: Load: %v (%v), SDK: %v (%v)", profile, gotOutcome, gotErr, sdkOutcome, sdkErr)
			}
		}
		_, err := Load("other")
		_, openErr := os.Open(os.Getenv("AWS_CONFIG_FILE"))
		if openErr == nil {
			t.Fatal("a path under a regular file opened")
		}
		if want := `profile "other" cannot be read: ` + openErr.Error() + `; make it readable or point AWS_CONFIG_FILE elsewhere`; err == nil || err.Error() != want {
			t.Errorf("Load(other): %v\nwant %s", err, want)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		dir := setupFiles(t, absent, "[work]\nregion = eu-west-1\n")
		t.Setenv("AWS_CONFIG_FILE", dir)
		_, gotOutcome, gotErr := ours("work")
		_, sdkOutcome, sdkErr := sdk("work")
		if gotOutcome != sdkOutcome || gotOutcome.kind != "other" {
			t.Errorf("Load: %v (%v), SDK: %v (%v), want both to fail", gotOutcome, gotErr, sdkOutcome, sdkErr)
		}
	})
}

// TestLoadEnvIgnoresTheFiles compares LoadEnv with the SDK loading no
// files, as awsmfa does for a profile it has yet to write.
func TestLoadEnvIgnoresTheFiles(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"AWS_REGION": "us-east-2", "AWS_USE_FIPS_ENDPOINT": "true", "AWS_MAX_ATTEMPTS": "4", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5555"},
		{"AWS_DEFAULT_REGION": "ca-central-1", "AWS_USE_DUALSTACK_ENDPOINT": "TRUE", "AWS_ENDPOINT_URL": "http://127.0.0.1:4444", "AWS_CA_BUNDLE": "$DIR/ca.pem"},
		{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
	} {
		dir := setupFiles(t, servicesConfig+"[profile work]\nregion = eu-west-1\nuse_fips_endpoint = true\nmax_attempts = 9\n", "")
		for k, v := range env {
			t.Setenv(k, strings.ReplaceAll(v, "$DIR", dir))
		}
		s, err := LoadEnv("work")
		if err != nil {
			t.Fatal(err)
		}
		if s.Profile != "work" {
			t.Errorf("Profile = %q, want work", s.Profile)
		}
		cfg, err := config.LoadDefaultConfig(context.Background(),
			config.WithCredentialsProvider(aws.AnonymousCredentials{}),
			config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
		if err != nil {
			t.Fatal(err)
		}
		want := view{Region: cfg.Region, MaxAttempts: cfg.RetryMaxAttempts, CABundle: os.Getenv("AWS_CA_BUNDLE"),
			IAM: sdkConfiguredEndpoint(context.Background(), cfg, "IAM"), S3: sdkConfiguredEndpoint(context.Background(), cfg, "S3"),
			STS: sdkConfiguredEndpoint(context.Background(), cfg, "STS")}
		want.UseFIPSEndpoint, want.UseDualStackEndpoint = sdkEndpointFlags(context.Background(), cfg)
		if got := viewOf(s); got != want {
			t.Errorf("env %v:\nLoadEnv: %+v\nSDK:     %+v", env, got, want)
		}
	}
}

func TestLoadEnvRefusesBadVariables(t *testing.T) {
	setupFiles(t, "", "")
	t.Setenv("AWS_USE_DUALSTACK_ENDPOINT", "maybe")
	if _, err := LoadEnv("work"); err == nil || !strings.HasPrefix(err.Error(), "AWS_USE_DUALSTACK_ENDPOINT") {
		t.Errorf("LoadEnv: %v, want an error naming AWS_USE_DUALSTACK_ENDPOINT", err)
	}
}

// With no home directory, the file whose default place is unknown is
// absent, as for the SDK: a profile in the other one still loads.
func TestNoHomeDirectoryMeansNoDefaultFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("HOME", "")
	s, err := Load("work")
	if err != nil {
		t.Fatal(err)
	}
	if s.MFASerial != "arn:aws:iam::123456789012:mfa/alice" {
		t.Errorf("mfa_serial %q", s.MFASerial)
	}
}
