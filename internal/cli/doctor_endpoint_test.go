package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
)

func TestDoctorResolvesTheSTSEndpointAsTheSDKDoes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	text := "[profile cn]\nregion = cn-north-1\n[profile fips]\nregion = us-east-1\nuse_fips_endpoint = true\n[profile plain]\nregion = eu-west-1\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_REGION", "")
	for profile, want := range map[string]string{
		"cn":    "https://sts.cn-north-1.amazonaws.com.cn",
		"fips":  "https://sts-fips.us-east-1.amazonaws.com",
		"plain": "https://sts.eu-west-1.amazonaws.com",
	} {
		d := &profileDoctor{name: profile}
		client, err := d.stsClient(context.Background(), cache.Keys{})
		if err != nil {
			t.Errorf("%s: %v", profile, err)
			continue
		}
		if got := awsclient.STSEndpoint(context.Background(), client); got != want {
			t.Errorf("%s: got %q; want %q", profile, got, want)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
	d := &profileDoctor{name: "plain"}
	client, err := d.stsClient(context.Background(), cache.Keys{})
	if err != nil {
		t.Fatalf("override: %v", err)
	}
	if got := awsclient.STSEndpoint(context.Background(), client); got != "http://127.0.0.1:9" {
		t.Errorf("override: got %q", got)
	}
}
