package process

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

const (
	adminRole  = "arn:aws:iam::123456789012:role/Admin"
	readerRole = "arn:aws:iam::123456789012:role/Reader"
)

// The layout README documents: clients use "admin" (credential_process
// only); awsmfa reads the role from "admin-role".
const roleConfig = `[profile admin-role]
role_arn = ` + adminRole + `
source_profile = work

[profile admin]
credential_process = awsmfa process --profile admin-role

[profile reader-role]
role_arn = ` + readerRole + `
source_profile = work
role_session_name = alice-reads
`

// callerARN asks the stand-in who sess belongs to, as any client would.
func callerARN(t *testing.T, f *fixture, sess cache.Session) string {
	t.Helper()
	client := sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken),
	})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Arn
}

func (f *fixture) credentialsFor(t *testing.T, profile string) cache.Session {
	t.Helper()
	o := f.opts
	o.Profile = profile
	sess, err := Credentials(context.Background(), o)
	if err != nil {
		t.Fatalf("profile %s: %v", profile, err)
	}
	return sess
}

func TestRolesShareOneMFASession(t *testing.T) {
	f := newFixture(t, stsstub.Role{ARN: adminRole, RequireMFA: true}, stsstub.Role{ARN: readerRole, RequireMFA: true})
	f.addConfig(t, roleConfig)

	admin := f.credentialsFor(t, "admin-role")
	if got, want := callerARN(t, f, admin), "arn:aws:sts::123456789012:assumed-role/Admin/awsmfa-work"; got != want {
		t.Errorf("caller %s, want %s (default session name awsmfa-<user profile>)", got, want)
	}
	// Role chaining: 1 hour by default.
	if got := admin.Expiration.Sub(f.clock.Now()); got != time.Hour {
		t.Errorf("role session lasts %v, want 1h", got)
	}
	reader := f.credentialsFor(t, "reader-role")
	if got := callerARN(t, f, reader); !strings.HasSuffix(got, "assumed-role/Reader/alice-reads") {
		t.Errorf("caller %s, want role_session_name alice-reads honoured", got)
	}
	// The user's own profile reuses the MFA session the roles made.
	f.credentialsFor(t, "work")

	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked for %d codes for two roles and their user, want 1", n)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken called %d times, want 1", n)
	}
	if n := f.srv.Succeeded("AssumeRole"); n != 2 {
		t.Errorf("AssumeRole succeeded %d times, want 2", n)
	}

	// Role sessions are cached: no STS call while they have life left.
	f.clock.Advance(30 * time.Minute)
	if again := f.credentialsFor(t, "admin-role"); again != admin {
		t.Error("a role session with 30 minutes left was not served from the cache")
	}
	if n := f.srv.Calls("AssumeRole"); n != 2 {
		t.Errorf("AssumeRole called %d times, want 2 (cache hit)", n)
	}
	// Inside the refresh window: a new role session from the same MFA session.
	f.clock.Advance(11 * time.Minute)
	if again := f.credentialsFor(t, "admin-role"); again == admin {
		t.Error("a role session with 19 minutes left was served")
	}
	if n, m := len(f.prompt.asked), f.srv.Calls("GetSessionToken"); n != 1 || m != 1 {
		t.Errorf("refreshing the role asked %d times and called GetSessionToken %d times, want 1 and 1", n, m)
	}
}

func TestRoleDurationIsClampedForChaining(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, roleConfig+`
[profile long-role]
role_arn = `+adminRole+`
source_profile = work
duration_seconds = 43200

[profile short-role]
role_arn = `+adminRole+`
source_profile = work
duration_seconds = 1800
`)
	long := f.credentialsFor(t, "long-role")
	if got := long.Expiration.Sub(f.clock.Now()); got != time.Hour {
		t.Errorf("long role session lasts %v, want the 1h chaining cap", got)
	}
	if len(f.notes) != 1 || !strings.Contains(f.notes[0], "duration_seconds = 43200") || !strings.Contains(f.notes[0], "at most 1h") {
		t.Errorf("notes %q, want one saying the duration was lowered to 1h", f.notes)
	}
	short := f.credentialsFor(t, "short-role")
	if got := short.Expiration.Sub(f.clock.Now()); got != 30*time.Minute {
		t.Errorf("short role session lasts %v, want duration_seconds = 1800", got)
	}
	// A 30-minute session is refreshed at half-life, not never served.
	f.clock.Advance(14 * time.Minute)
	if again := f.credentialsFor(t, "short-role"); again != short {
		t.Error("a 30-minute role session with 16 minutes left was not served from the cache")
	}
	if len(f.notes) != 1 {
		t.Errorf("the note was repeated: %q", f.notes)
	}
}

func TestRoleSettingsChangeTheCacheKey(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, roleConfig)
	first := f.credentialsFor(t, "admin-role")
	for _, change := range []string{
		"external_id = team-a",
		"role_session_name = other",
		"duration_seconds = 900",
	} {
		f.addConfig(t, "[profile admin-role]\n"+change+"\n")
		if again := f.credentialsFor(t, "admin-role"); again == first {
			t.Errorf("after %q the old role session was served", change)
		}
	}
	if n := f.srv.Calls("AssumeRole"); n != 4 {
		t.Errorf("AssumeRole called %d times, want 4", n)
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
}

func TestRoleNeedingMFAInAssumeRole(t *testing.T) {
	// The source has no mfa_serial, so there is no MFA session: the code goes
	// into AssumeRole itself, from the role profile's mfa_serial.
	f := newFixture(t, stsstub.Role{ARN: adminRole, RequireMFA: true})
	f.addConfig(t, `[profile keys]
credential_process = awsmfa process --profile keys

[profile mfa-role]
role_arn = `+adminRole+`
source_profile = keys
mfa_serial = `+stsstub.DemoMFASerial+`

[profile no-mfa-role]
role_arn = `+adminRole+`
source_profile = keys
`)
	f.store.keys["keys"] = f.store.keys["work"]

	sess := f.credentialsFor(t, "mfa-role")
	if got := callerARN(t, f, sess); !strings.HasSuffix(got, "assumed-role/Admin/awsmfa-keys") {
		t.Errorf("caller %s", got)
	}
	if n := len(f.prompt.asked); n != 1 || f.prompt.asked[0].Profile != "mfa-role" {
		t.Errorf("prompts %+v, want one for mfa-role", f.prompt.asked)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 0 {
		t.Errorf("GetSessionToken called %d times, want 0", n)
	}
	// Not role chaining: the role's own default of 1h, and no cap applies.
	if got := sess.Expiration.Sub(f.clock.Now()); got != time.Hour {
		t.Errorf("session lasts %v, want 1h", got)
	}

	o := f.opts
	o.Profile = "no-mfa-role"
	_, err := Credentials(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), `STS refused to let profile "keys" assume `+adminRole) || !strings.Contains(err.Error(), "mfa_serial") {
		t.Errorf("got %v, want an AccessDenied explained with the fix", err)
	}
}

func TestRoleProfileErrors(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, `[profile no-source]
role_arn = `+adminRole+`

[profile missing-source]
role_arn = `+adminRole+`
source_profile = nosuch

[profile bare]
region = eu-west-1

[profile bare-source]
role_arn = `+adminRole+`
source_profile = bare

[profile from-env]
role_arn = `+adminRole+`
credential_source = Environment

[profile self]
role_arn = `+adminRole+`
source_profile = self

[profile loop-a]
role_arn = `+adminRole+`
source_profile = loop-b

[profile loop-b]
role_arn = `+adminRole+`
source_profile = loop-a
`)
	// The SDK's loader accepts these loops when the profiles have keys.
	creds := "[self]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n" +
		"[loop-a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n" +
		"[loop-b]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"
	if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	for profile, want := range map[string]string{
		"no-source":      `profile "no-source" has role_arn but no source_profile`,
		"missing-source": `names source_profile "nosuch", which is not in the AWS config files`,
		"bare-source":    `source_profile "bare", which has no credentials the AWS SDKs recognise; give [profile bare] the line credential_process = awsmfa process --profile bare`,
		"from-env":       `uses credential_source = Environment, which awsmfa cannot serve`,
		"self":           `profile "self" names itself as its source_profile`,
		"loop-a":         `more than 5 source_profile steps`,
	} {
		o := f.opts
		o.Profile = profile
		if _, err := Credentials(context.Background(), o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", profile, err, want)
		}
	}
	if len(f.prompt.asked) != 0 {
		t.Error("a broken role profile prompted the user")
	}
}

// The layout must load in the Go SDK too (which refuses source_profile and
// credential_process in one profile): the client's profile has only
// credential_process, and loading it never runs it.
func TestGoSDKLoadsTheLayout(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, roleConfig)
	for _, profile := range []string{"admin", "admin-role"} {
		if _, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile(profile)); err != nil {
			t.Errorf("the Go SDK cannot load profile %s: %v", profile, err)
		}
	}
	shared, err := config.LoadSharedConfigProfile(context.Background(), "admin", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{os.Getenv("AWS_CONFIG_FILE")}
	})
	if err != nil {
		t.Fatal(err)
	}
	if shared.RoleARN != "" || shared.CredentialProcess != "awsmfa process --profile admin-role" {
		t.Errorf("the client's profile resolves to role_arn %q, credential_process %q", shared.RoleARN, shared.CredentialProcess)
	}
}

func TestDefaultSessionName(t *testing.T) {
	for in, want := range map[string]string{
		"work":                   "awsmfa-work",
		"team/dev user":          "awsmfa-team-dev-user",
		strings.Repeat("x", 100): "awsmfa-" + strings.Repeat("x", 57),
		"café_ops+1=a,b.c@d-e":   "awsmfa-caf-_ops+1=a,b.c@d-e",
		"a\x00b\tc":              "awsmfa-a-b-c",
	} {
		if got := defaultSessionName(in); got != want {
			t.Errorf("defaultSessionName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoleErrorsNameAssumeRole(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, roleConfig)
	f.faults.FailNext("AssumeRole", 3, http.StatusInternalServerError, "InternalFailure", "down")
	o := f.opts
	o.Profile = "admin-role"
	_, err := Credentials(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "STS AssumeRole failed") {
		t.Fatalf("got %v, want the failing action named", err)
	}
}
