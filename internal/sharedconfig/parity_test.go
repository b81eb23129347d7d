package sharedconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	absent = "\x00absent" // no such file
	mfa    = "arn:aws:iam::123456789012:mfa/alice"
	role   = "arn:aws:iam::123456789012:role/admin"

	// Static keys in the AWS documentation's example format.
	keys = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"

	servicesConfig = "[profile work]\nservices = local\nendpoint_url = http://127.0.0.1:1111\n" +
		"[services local]\nsts =\n  endpoint_url = http://127.0.0.1:2222\n" +
		"iam =\n  endpoint_url = http://127.0.0.1:3333 # kept: no comments in nested values\n"
)

// parityCase is one set of files and variables that Load and the SDK must
// read alike.
type parityCase struct {
	name          string
	config, creds string            // file contents, or absent; $DIR is the test's directory
	env           map[string]string // "" sets a variable to empty; others stay unset
	profile       string            // "work" when empty; noProfile for ""
	// want is the outcome, "ok" when empty, else "kind" or "kind:profile".
	want string
	// expect are Settings values (by view field) Load must produce, so that
	// no case passes by both sides reading nothing.
	expect map[string]string
	// sdk is set where Load differs from the SDK on purpose: the SDK's
	// outcome kind, checked so that the difference stays what was chosen.
	sdk string
}

const noProfile = "\x00none"

var parityCases = []parityCase{
	// Sections.
	{name: "config profile", config: "[profile work]\nregion = eu-west-1\nmfa_serial = " + mfa + "\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "default section", config: "[default]\nregion = us-west-2\n", profile: "default",
		expect: map[string]string{"Region": "us-west-2"}},
	{name: "[profile default] replaces [default] wholesale", profile: "default",
		config: "[default]\nregion = us-west-2\nmfa_serial = " + mfa + "\n[profile default]\nregion = eu-central-1\n",
		expect: map[string]string{"Region": "eu-central-1", "MFASerial": ""}},
	{name: "upper-case [DEFAULT] is a profile of that name", config: "[DEFAULT]\nregion = eu-west-1\n", profile: "DEFAULT",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "section without the profile prefix is ignored in config", config: "[work]\nregion = eu-west-1\n", want: "missing:work"},
	{name: "profile only in the credentials file", creds: "[work]\n" + keys + "mfa_serial = " + mfa + "\nregion = ap-south-1\n",
		expect: map[string]string{"Region": "ap-south-1", "MFASerial": mfa}},
	{name: "credentials file wins key by key",
		config: "[profile work]\nregion = eu-west-1\nmfa_serial = " + mfa + "\nexternal_id = from-config\n",
		creds:  "[work]\nregion = us-east-2\nexternal_id =\n",
		expect: map[string]string{"Region": "us-east-2", "MFASerial": mfa, "ExternalID": ""}},
	{name: "profile prefix is ignored in the credentials file", creds: "[profile work]\nregion = eu-west-1\n", want: "missing:work"},
	{name: "endpoint_url in the credentials file counts without a config section",
		creds: "[work]\nendpoint_url = http://127.0.0.1:1111\n", expect: map[string]string{"STS": "http://127.0.0.1:1111"}},
	{name: "endpoint_url in the credentials file is dropped beside a config section",
		config: "[profile work]\nregion = eu-west-1\n", creds: "[work]\nendpoint_url = http://127.0.0.1:1111\n",
		expect: map[string]string{"STS": "", "Region": "eu-west-1"}},
	{name: "repeated sections merge and the last value wins",
		config: "[profile work]\nregion = us-east-1\nmfa_serial = " + mfa + "\n[profile other]\nregion = x\n[profile work]\nregion = eu-west-1\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "profile name with blanks", profile: "my  work", config: "[profile my  work]\nregion = eu-west-1\n",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "blanks inside the brackets", config: "[  profile \t work  ]\nregion = eu-west-1\n",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "[profile profile x] takes the place of [profile x]", profile: "x",
		config: "[profile profile x]\nregion = a\n[profile x]\nregion = b\n", want: "missing:x"},
	{name: "[profile profile x] is profile \"profile x\"", profile: "profile x",
		config: "[profile profile x]\nregion = a\n[profile x]\nregion = b\n", expect: map[string]string{"Region": "a"}},
	{name: "[profile profile abc] leaves [profile abc] alone", profile: "abc",
		config: "[profile profile abc]\nregion = a\n[profile abc]\nregion = b\n", expect: map[string]string{"Region": "b"}},
	{name: "settings before any section are dropped", config: "region = eu-west-1\n[profile work]\nmfa_serial = " + mfa + "\n",
		expect: map[string]string{"Region": "", "MFASerial": mfa}},
	{name: "an empty value is still set", config: "[profile work]\nregion = eu-west-1\n", creds: "[work]\nregion =\n",
		expect: map[string]string{"Region": ""}},
	{name: "no files at all", config: absent, creds: absent, want: "missing:work"},
	{name: "empty profile name means AWS_PROFILE", profile: noProfile, env: map[string]string{"AWS_PROFILE": "work"},
		config: "[profile work]\nregion = eu-west-1\n", expect: map[string]string{"Region": "eu-west-1"}},
	{name: "empty profile name tolerates a missing default", profile: noProfile, env: map[string]string{"AWS_REGION": "us-east-2"},
		config: "[profile work]\nregion = eu-west-1\n", expect: map[string]string{"Region": "us-east-2"}},

	// Syntax.
	{name: "keys in any case", config: "[profile work]\nREGION = eu-west-1\nMfa_Serial = " + mfa + "\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "blanks and tabs around =", config: "[profile work]\nregion\t=\teu-west-1\nmfa_serial=" + mfa + "\n \t\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "colon assigns", config: "[profile work]\nregion: eu-west-1\nrole_arn = " + role + "\n",
		expect: map[string]string{"Region": "eu-west-1", "RoleARN": role}},
	{name: "inline comments need a blank before them",
		config: "[profile work] ; the work account\nregion = eu-west-1 # Ireland\nexternal_id = a;b#c\nrole_session_name = me\t; tab\n",
		expect: map[string]string{"Region": "eu-west-1", "ExternalID": "a;b#c", "RoleSessionName": "me"}},
	{name: "comment lines", config: "# top\n; top\n[profile work]\n  # indented\nregion = eu-west-1\n",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "matching quotes are removed",
		config: "[profile work]\nregion = \"eu-west-1\"\nrole_session_name = 'me'\nexternal_id = \"it's\"\nmfa_serial = \"" + mfa + "' \n",
		expect: map[string]string{"Region": "eu-west-1", "RoleSessionName": "me", "ExternalID": "it's", "MFASerial": "\"" + mfa + "'"}},
	{name: "CRLF line endings",
		config: "[profile work]\r\nregion = eu-west-1\r\nmfa_serial = " + mfa + "\r\nduration_seconds = 900\r\n[profile other]\r\nregion = x\r\n",
		creds:  "[work]\r\nexternal_id = \"ext\"\r\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa, "RoleDuration": "15m0s", "ExternalID": "ext"}},
	{name: "broken lines elsewhere do not matter",
		config: "[profile broken\na line that is not a setting\n[profile work]\nregion = eu-west-1\n[profile other]\njunk\n",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "a broken header loses its profile", config: "[profile work\nregion = eu-west-1\n", want: "missing:work"},
	{name: "settings after a broken header land in the section before",
		config: "[profile work]\nregion = eu-west-1\n[profile other\nmfa_serial = " + mfa + "\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "a byte order mark hides the first header", config: "\ufeff[profile work]\nregion = eu-west-1\n", want: "missing:work"},
	{name: "a continued value", config: "[profile work]\nmfa_serial = " + mfa + "\n  continued\n",
		expect: map[string]string{"MFASerial": mfa + "\ncontinued"}},
	{name: "an indented setting under a value is a setting", config: "[profile work]\nregion = eu-west-1\n  mfa_serial = " + mfa + " # c\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": mfa}},
	{name: "a repeated section starts afresh", config: "[profile work]\ns3 =\n[profile other]\n[profile work]\n  mfa_serial = " + mfa + "\n",
		expect: map[string]string{"MFASerial": mfa}},
	{name: "nested settings stay nested", config: "[profile work]\ns3 =\n  region = zz\n  mfa_serial = nested\nregion = eu-west-1\n",
		expect: map[string]string{"Region": "eu-west-1", "MFASerial": ""}},

	// Environment.
	{name: "AWS_REGION beats AWS_DEFAULT_REGION and the profile", config: "[profile work]\nregion = eu-west-1\n",
		env: map[string]string{"AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "ca-central-1"}, expect: map[string]string{"Region": "us-east-2"}},
	{name: "AWS_DEFAULT_REGION when AWS_REGION is empty", config: "[profile work]\nregion = eu-west-1\n",
		env: map[string]string{"AWS_REGION": "", "AWS_DEFAULT_REGION": "ca-central-1"}, expect: map[string]string{"Region": "ca-central-1"}},

	// Role settings and duration.
	{name: "duration_seconds", config: "[profile work]\nduration_seconds = 3600\n", expect: map[string]string{"RoleDuration": "1h0m0s"}},
	{name: "duration_seconds that is not a number is 0", config: "[profile work]\nduration_seconds = 1h\n", expect: map[string]string{"RoleDuration": "0s"}},
	{name: "duration_seconds in hex", config: "[profile work]\nduration_seconds = 0x10\n", expect: map[string]string{"RoleDuration": "16s"}},
	{name: "role with a source that has keys", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\nmfa_serial = " + mfa + "\nexternal_id = ext\nrole_session_name = me\nduration_seconds = 900\n",
		creds:  "[work]\n" + keys,
		expect: map[string]string{"RoleARN": role, "SourceProfile": "work", "MFASerial": mfa, "ExternalID": "ext", "RoleSessionName": "me", "RoleDuration": "15m0s"}},
	{name: "source profile missing", profile: "admin", config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = nosuch\n",
		want: "source-missing:nosuch"},
	{name: "source profile without credentials", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\nregion = eu-west-1\n",
		want:   "source-no-credentials:work"},
	{name: "source with credential_process", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\ncredential_process = awsmfa process --profile work\n",
		expect: map[string]string{"SourceProfile": "work"}},
	{name: "source with sso_session", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = dev\n" +
			"[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://example.awsapps.com/start\n",
		expect: map[string]string{"SourceProfile": "work"}},
	{name: "sso_session without its section", config: "[profile work]\nsso_session = corp\n", want: "other"},
	{name: "source with legacy SSO settings", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\nsso_start_url = https://example.awsapps.com/start\n",
		expect: map[string]string{"SourceProfile": "work"}},
	{name: "source with web identity but no role of its own", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\nweb_identity_token_file = /tmp/token\n",
		want:   "other"},
	{name: "source is itself and has keys", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = admin\n", creds: "[admin]\n" + keys,
		expect: map[string]string{"SourceProfile": "admin"}},
	{name: "source is itself without keys", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = admin\n", want: "source-no-credentials:admin"},
	{name: "a loop without keys", profile: "a",
		config: "[profile a]\nrole_arn = " + role + "\nsource_profile = b\n[profile b]\nrole_arn = " + role + "\nsource_profile = a\n",
		want:   "source-no-credentials:a"},
	{name: "a loop whose first profile has keys", profile: "a",
		config: "[profile a]\nrole_arn = " + role + "\nsource_profile = b\n[profile b]\nrole_arn = " + role + "\nsource_profile = a\n",
		creds:  "[a]\n" + keys, expect: map[string]string{"SourceProfile": "b"}},
	{name: "a chain to a missing profile", profile: "a",
		config: "[profile a]\nrole_arn = " + role + "\nsource_profile = b\n[profile b]\nrole_arn = " + role + "\nsource_profile = c\n",
		want:   "source-missing:c"},
	{name: "a source with keys ends the chain", profile: "a",
		config: "[profile a]\nrole_arn = " + role + "\nsource_profile = b\n[profile b]\nrole_arn = " + role + "\nsource_profile = c\n" + keys,
		expect: map[string]string{"SourceProfile": "b"}},
	{name: "credential_source", config: "[profile work]\nrole_arn = " + role + "\ncredential_source = Ec2InstanceMetadata\n",
		expect: map[string]string{"CredentialSource": "Ec2InstanceMetadata", "RoleARN": role}},
	{name: "source_profile without role_arn", config: "[profile work]\nsource_profile = b\n[profile b]\n" + keys, want: "other"},
	{name: "two credential types", config: "[profile work]\nrole_arn = " + role + "\nsource_profile = b\ncredential_process = x\n[profile b]\n" + keys,
		want: "other"},
	{name: "half a key pair", config: "[profile work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", want: "other"},
	{name: "half a key pair in config is forgiven by a credentials section",
		config: "[profile work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\nregion = eu-west-1\n", creds: "[work]\nregion = us-west-1\n",
		expect: map[string]string{"Region": "us-west-1"}},

	// FIPS, dual-stack, retries, CA bundle.
	{name: "FIPS and dual-stack in the profile: only true is true",
		config: "[profile work]\nuse_fips_endpoint = TRUE\nuse_dualstack_endpoint = yes\n",
		expect: map[string]string{"UseFIPSEndpoint": "true", "UseDualStackEndpoint": "false"}},
	{name: "FIPS and dual-stack variables beat the profile",
		config: "[profile work]\nuse_fips_endpoint = true\n",
		env:    map[string]string{"AWS_USE_FIPS_ENDPOINT": "False", "AWS_USE_DUALSTACK_ENDPOINT": "tRUE"},
		expect: map[string]string{"UseFIPSEndpoint": "false", "UseDualStackEndpoint": "true"}},
	{name: "FIPS variable that is not a boolean", config: "[profile work]\n", env: map[string]string{"AWS_USE_FIPS_ENDPOINT": "yes"}, want: "other"},
	{name: "dual-stack variable that is not a boolean", config: "[profile work]\n", env: map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "1"}, want: "other"},
	{name: "max_attempts", config: "[profile work]\nmax_attempts = 5\n", expect: map[string]string{"MaxAttempts": "5"}},
	{name: "AWS_MAX_ATTEMPTS beats the profile", config: "[profile work]\nmax_attempts = 5\n", env: map[string]string{"AWS_MAX_ATTEMPTS": "3"},
		expect: map[string]string{"MaxAttempts": "3"}},
	{name: "AWS_MAX_ATTEMPTS of 0 leaves it to the profile", config: "[profile work]\nmax_attempts = 0o7\n", env: map[string]string{"AWS_MAX_ATTEMPTS": "0"},
		expect: map[string]string{"MaxAttempts": "7"}},
	{name: "max_attempts that is not a number", config: "[profile work]\nmax_attempts = many\n", want: "other"},
	{name: "max_attempts that is not a number, in a source", profile: "admin",
		config: "[profile admin]\nrole_arn = " + role + "\nsource_profile = work\n[profile work]\nmax_attempts = many\n" + keys, want: "other"},
	{name: "AWS_MAX_ATTEMPTS that is not a number", config: "[profile work]\n", env: map[string]string{"AWS_MAX_ATTEMPTS": "3x"}, want: "other"},
	{name: "ca_bundle", config: "[profile work]\nca_bundle = $DIR/ca.pem\n", expect: map[string]string{"CABundle": "$DIR/ca.pem"}},
	{name: "AWS_CA_BUNDLE beats the profile, whose bundle is not read", config: "[profile work]\nca_bundle = $DIR/missing.pem\n",
		env: map[string]string{"AWS_CA_BUNDLE": "$DIR/ca.pem"}, expect: map[string]string{"CABundle": "$DIR/ca.pem"}},
	{name: "ca_bundle that does not exist", config: "[profile work]\nca_bundle = $DIR/missing.pem\n", want: "other"},
	{name: "AWS_CA_BUNDLE that is empty", config: "[profile work]\n", env: map[string]string{"AWS_CA_BUNDLE": "$DIR/empty.pem"}, want: "other"},

	// Endpoints.
	{name: "endpoint_url", config: "[profile work]\nendpoint_url = http://127.0.0.1:1111\n",
		expect: map[string]string{"STS": "http://127.0.0.1:1111", "IAM": "http://127.0.0.1:1111", "S3": "http://127.0.0.1:1111"}},
	{name: "services section", config: servicesConfig,
		expect: map[string]string{"STS": "http://127.0.0.1:2222", "IAM": "http://127.0.0.1:3333 # kept: no comments in nested values", "S3": "http://127.0.0.1:1111"}},
	{name: "AWS_ENDPOINT_URL beats the services section", config: servicesConfig,
		env:    map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444"},
		expect: map[string]string{"STS": "http://127.0.0.1:4444", "IAM": "http://127.0.0.1:4444", "S3": "http://127.0.0.1:4444"}},
	{name: "AWS_ENDPOINT_URL_STS beats everything", config: servicesConfig,
		env:    map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5555"},
		expect: map[string]string{"STS": "http://127.0.0.1:5555", "IAM": "http://127.0.0.1:4444"}},
	{name: "AWS_ENDPOINT_URL set empty still skips the services section", config: servicesConfig,
		env:    map[string]string{"AWS_ENDPOINT_URL": ""},
		expect: map[string]string{"STS": "http://127.0.0.1:1111", "IAM": "http://127.0.0.1:1111"}},
	{name: "AWS_ENDPOINT_URL_STS set empty puts the services section first", config: servicesConfig,
		env:    map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444", "AWS_ENDPOINT_URL_STS": ""},
		expect: map[string]string{"STS": "http://127.0.0.1:2222", "IAM": "http://127.0.0.1:4444"}},
	{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", config: servicesConfig,
		env:    map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5555"},
		expect: map[string]string{"STS": "", "IAM": "", "S3": ""}},
	{name: "ignore_configured_endpoint_urls", config: servicesConfig + "[profile work]\nignore_configured_endpoint_urls = true\n",
		env:    map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444"},
		expect: map[string]string{"STS": "", "IAM": "", "S3": ""}},
	{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false beats the profile", config: servicesConfig + "[profile work]\nignore_configured_endpoint_urls = true\n",
		env:    map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"},
		expect: map[string]string{"STS": "http://127.0.0.1:2222"}},
	{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS that is not a boolean", config: servicesConfig,
		env: map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "1"}, want: "other"},
	{name: "services section that does not exist", config: "[profile work]\nservices = nosuch\nendpoint_url = http://127.0.0.1:1111\n",
		expect: map[string]string{"STS": "http://127.0.0.1:1111"}},
	{name: "services section in the credentials file", config: "[profile work]\nservices = local\n",
		creds:  "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:2222\n",
		expect: map[string]string{"STS": "http://127.0.0.1:2222"}},
	{name: "a services entry with an empty endpoint_url means the service's own",
		config: "[profile work]\nservices = local\nendpoint_url = http://127.0.0.1:1111\n[services local]\nsts =\n  endpoint_url =\n",
		expect: map[string]string{"STS": "", "IAM": "http://127.0.0.1:1111"}},

	// Where Load differs from the SDK on purpose.
	{name: "a value that is a lone quote", sdk: "panic",
		config: "[profile work]\nregion = eu-west-1\nexternal_id = \"\n",
		expect: map[string]string{"Region": "eu-west-1", "ExternalID": "\""}},
	{name: "settings awsmfa does not use are not checked", sdk: "other",
		config: "[profile work]\nregion = eu-west-1\nretry_mode = sometimes\n",
		expect: map[string]string{"Region": "eu-west-1"}},
	{name: "the CA bundle's certificates are not parsed", sdk: "other",
		config: "[profile work]\n", env: map[string]string{"AWS_CA_BUNDLE": "$DIR/notpem.pem"},
		expect: map[string]string{"CABundle": "$DIR/notpem.pem"}},
}

func TestLoadMatchesTheSDK(t *testing.T) {
	for _, tc := range parityCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := setupFiles(t, tc.config, tc.creds)
			for k, v := range tc.env {
				t.Setenv(k, strings.ReplaceAll(v, "$DIR", dir))
			}
			profile := tc.profile
			switch profile {
			case "":
				profile = "work"
			case noProfile:
				profile = ""
			}

			got, gotOutcome, gotErr := ours(profile)
			want, sdkOutcome, sdkErr := sdk(profile)
			if tc.sdk != "" {
				if sdkOutcome.kind != tc.sdk {
					t.Errorf("the SDK's outcome is %v (%v), not %s: this case no longer differs as documented", sdkOutcome, sdkErr, tc.sdk)
				}
			} else {
				if gotOutcome != sdkOutcome {
					t.Fatalf("Load: %v (%v)\nSDK:  %v (%v)", gotOutcome, gotErr, sdkOutcome, sdkErr)
				}
				if got != want {
					t.Errorf("Load and the SDK differ:\nLoad: %+v\nSDK:  %+v", got, want)
				}
			}

			wantKind, wantProfile, _ := strings.Cut(tc.want, ":")
			if wantKind == "" {
				wantKind = "ok"
			}
			if gotOutcome != (outcome{wantKind, wantProfile}) {
				t.Errorf("Load: %v (%v), want %s", gotOutcome, gotErr, tc.want)
			}
			if gotErr != nil && strings.ContainsAny(gotErr.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", gotErr)
			}
			for field, value := range tc.expect {
				value = strings.ReplaceAll(value, "$DIR", dir)
				if v := fmt.Sprint(reflect.ValueOf(got).FieldByName(field).Interface()); v != value {
					t.Errorf("%s = %q, want %q", field, v, value)
				}
			}
		})
	}
}

// setupFiles gives the test an empty environment (no AWS_ variables, HOME
// in a new directory) and the two files, returning the directory.
func setupFiles(t *testing.T, configData, credsData string) string {
	t.Helper()
	clearAWSEnv(t)
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	writeCABundles(t, dir)
	for env, data := range map[string]string{"AWS_CONFIG_FILE": configData, "AWS_SHARED_CREDENTIALS_FILE": credsData} {
		path := filepath.Join(dir, strings.ToLower(env))
		t.Setenv(env, path)
		if data == absent {
			continue
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(data, "$DIR", dir)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
