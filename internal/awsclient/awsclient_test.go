package awsclient

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

func writeConfig(t *testing.T, text string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", path)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

const chainConfig = `[profile work]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
services = local
credential_process = awsmfa process --profile work

[services local]
sts =
  endpoint_url = http://127.0.0.1:2222

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = work
region = ap-south-1
endpoint_url = http://127.0.0.1:1111
`

// Region and the configured STS endpoint, for a profile and for its
// source (derived from the same read), are what the SDK's own
// LoadDefaultConfig and STS client make of each profile loaded by itself.
func TestSettingsAreTheSDKs(t *testing.T) {
	writeConfig(t, chainConfig)
	ctx := context.Background()
	admin, err := Load(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	work := admin.Source()
	if work == nil || work.Name != "work" {
		t.Fatalf("Source() = %+v, want work", work)
	}
	for _, env := range []map[string]string{
		{},
		{"AWS_REGION": "us-west-2"},
		{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:3333"},
		{"AWS_ENDPOINT_URL": "http://127.0.0.1:4444"},
		{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
	} {
		for k, v := range env {
			t.Setenv(k, v)
		}
		admin, err := Load(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*Profile{admin, admin.Source()} {
			cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(p.Name), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if e := sts.NewFromConfig(cfg).Options().BaseEndpoint; e != nil {
				want = *e
			}
			if got := p.ConfiguredSTSEndpoint(); got != want {
				t.Errorf("%v %s: endpoint %q, the SDK %q", env, p.Name, got, want)
			}
			if p.Region != cfg.Region {
				t.Errorf("%v %s: region %q, the SDK %q", env, p.Name, p.Region, cfg.Region)
			}
			built, err := p.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := sts.NewFromConfig(built).Options().BaseEndpoint; aws.ToString(got) != want {
				t.Errorf("%v %s: the client's endpoint %q, the SDK %q", env, p.Name, aws.ToString(got), want)
			}
		}
		for k := range env {
			os.Unsetenv(k)
		}
	}
}

// A cache hit needs no CA bundle: Load does not read it, Config (for a
// call) does, and says what is wrong with it.
func TestCABundleIsReadOnlyForCalls(t *testing.T) {
	writeConfig(t, chainConfig)
	t.Setenv("AWS_CA_BUNDLE", filepath.Join(t.TempDir(), "missing.pem"))
	p, err := Load(context.Background(), "work")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := p.Config(context.Background()); err == nil {
		t.Error("Config accepted a CA bundle that does not exist")
	}
}

// A call carrying an MFA code is sent once when the reply may have been
// lost (a 5xx), and retried when it was refused unseen (throttling).
func TestOneTimeCodeRetriesOnlyUnseenFailures(t *testing.T) {
	srv, faults, err := stsstub.StartForTests(stsstub.Config{Users: []stsstub.User{stsstub.DemoUser()}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u := stsstub.DemoUser()
	client := sts.New(sts.Options{
		Region: DefaultRegion, BaseEndpoint: aws.String(srv.URL()),
		Credentials: Static(u.AccessKeyID, u.SecretAccessKey, ""),
		Retryer:     retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff = noBackoff{} }),
	})
	call := func() error {
		code, err := srv.Code(stsstub.DemoMFASerial)
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
			SerialNumber: aws.String(stsstub.DemoMFASerial), TokenCode: aws.String(code),
		}, func(o *sts.Options) { o.Retryer = OneTimeCode(o.Retryer) })
		return err
	}
	faults.FailNext("GetSessionToken", 3, http.StatusInternalServerError, "InternalFailure", "lost")
	if err := call(); err == nil || !MayHaveRun(err) {
		t.Fatalf("a 5xx: %v, MayHaveRun false; want an error that may have run", err)
	}
	if n := srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("a 5xx was sent %d times, want once", n)
	}
	faults.Reset()
	faults.FailNext("GetSessionToken", 2, http.StatusBadRequest, "Throttling", "Rate exceeded")
	if err := call(); err != nil {
		t.Fatalf("throttled twice, then: %v; want the third attempt to succeed", err)
	}
	if n := srv.Calls("GetSessionToken"); n != 4 {
		t.Errorf("throttling: %d calls in all, want 1 + 3", n)
	}
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }
