package iamquery

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The SDK's IAM client is imported here only, as the reference the
// hand-written endpoint rules must agree with; tests do not link into awsmfa.

func TestPartitionEndpointsAgreeWithTheSDK(t *testing.T) {
	regions := []string{
		"us-east-1", "eu-west-1", "ap-southeast-2", "il-central-1", "aws-global",
		"cn-north-1", "cn-northwest-1", "aws-cn-global",
		"us-gov-west-1", "us-gov-east-1", "aws-us-gov-global",
		"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1",
		"eusc-de-east-1",
	}
	resolver := iam.NewDefaultEndpointResolverV2()
	for _, region := range regions {
		for _, fips := range []bool{false, true} {
			for _, dualStack := range []bool{false, true} {
				want, err := resolver.ResolveEndpoint(context.Background(), iam.EndpointParameters{
					Region: aws.String(region), UseFIPS: aws.Bool(fips), UseDualStack: aws.Bool(dualStack),
				})
				if err != nil {
					continue // the SDK has no such endpoint either
				}
				wantRegion := region
				if opts, ok := smithyauth.GetAuthOptions(&want.Properties); ok && len(opts) > 0 {
					if r, ok := smithyhttp.GetSigV4SigningRegion(&opts[0].SignerProperties); ok {
						wantRegion = r
					}
				}
				cfg := aws.Config{Region: region, ConfigSources: []any{config.EnvConfig{
					UseFIPSEndpoint:      fipsState(fips),
					UseDualStackEndpoint: dualStackState(dualStack),
				}}}
				got, err := resolveEndpoint(context.Background(), cfg)
				if err != nil {
					t.Fatalf("%s fips=%v dualstack=%v: %v", region, fips, dualStack, err)
				}
				if got.url != want.URI.String() || got.signingRegion != wantRegion {
					t.Errorf("%s fips=%v dualstack=%v: got %s signed in %s, the SDK uses %s signed in %s",
						region, fips, dualStack, got.url, got.signingRegion, want.URI.String(), wantRegion)
				}
			}
		}
	}
}

func fipsState(on bool) aws.FIPSEndpointState {
	if on {
		return aws.FIPSEndpointStateEnabled
	}
	return aws.FIPSEndpointStateDisabled
}

func dualStackState(on bool) aws.DualStackEndpointState {
	if on {
		return aws.DualStackEndpointStateEnabled
	}
	return aws.DualStackEndpointStateDisabled
}

// TestConfiguredEndpointPrecedenceAgreesWithTheSDK loads real config files
// and environments and checks that the IAM endpoint picked is the one the
// SDK's IAM client would use.
func TestConfiguredEndpointPrecedenceAgreesWithTheSDK(t *testing.T) {
	const (
		servicesSection = "\nservices = local\n[services local]\niam =\n  endpoint_url = http://127.0.0.1:2001\n"
		profileEndpoint = "endpoint_url = http://127.0.0.1:2002\n"
	)
	cases := []struct {
		name    string
		profile string // body of [profile work]
		env     map[string]string
		want    string
	}{
		{name: "nothing configured: the global endpoint", want: "https://iam.amazonaws.com"},
		{name: "cn region", profile: "region = cn-north-1\n", want: "https://iam.cn-north-1.amazonaws.com.cn"},
		{name: "us-gov region", profile: "region = us-gov-west-1\n", want: "https://iam.us-gov.amazonaws.com"},
		{name: "profile endpoint_url", profile: profileEndpoint, want: "http://127.0.0.1:2002"},
		{name: "services section beats profile endpoint_url", profile: profileEndpoint + servicesSection, want: "http://127.0.0.1:2001"},
		{name: "AWS_ENDPOINT_URL beats the services section", profile: servicesSection,
			env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:2003"}, want: "http://127.0.0.1:2003"},
		{name: "AWS_ENDPOINT_URL_IAM beats everything", profile: profileEndpoint + servicesSection,
			env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:2003", "AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:2004"}, want: "http://127.0.0.1:2004"},
		{name: "AWS_ENDPOINT_URL_STS is not IAM's", env: map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2005"}, want: "https://iam.amazonaws.com"},
		{name: "ignore configured endpoints (env)", profile: profileEndpoint + servicesSection,
			env: map[string]string{"AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:2004", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, want: "https://iam.amazonaws.com"},
		{name: "ignore configured endpoints (profile)", profile: "ignore_configured_endpoint_urls = true\n" + profileEndpoint + servicesSection,
			want: "https://iam.amazonaws.com"},
		{name: "fips", profile: "use_fips_endpoint = true\n", want: "https://iam-fips.amazonaws.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
				"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_PROFILE"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			file := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(file, []byte("[profile work]\n"+tc.profile), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.LoadDefaultConfig(context.Background(),
				config.WithSharedConfigProfile("work"),
				config.WithSharedConfigFiles([]string{file}), config.WithSharedCredentialsFiles([]string{}),
				config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region == "" {
				cfg.Region = "us-east-1"
			}
			got, err := resolveEndpoint(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got.url != tc.want {
				t.Errorf("IAM endpoint = %s, want %s", got.url, tc.want)
			}
			if sdk := sdkEndpoint(t, cfg); sdk != tc.want {
				t.Errorf("the SDK's IAM client uses %s; the expectation %s is wrong", sdk, tc.want)
			}
		})
	}
}

// sdkEndpoint is the endpoint the SDK's IAM client resolves for cfg.
func sdkEndpoint(t *testing.T, cfg aws.Config) string {
	t.Helper()
	o := iam.NewFromConfig(cfg).Options()
	ep, err := o.EndpointResolverV2.ResolveEndpoint(context.Background(), iam.EndpointParameters{
		Region: aws.String(cfg.Region), Endpoint: o.BaseEndpoint,
		UseFIPS: aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ep.URI.String()
}

func TestFIPSWithAConfiguredEndpointIsRefusedAsTheSDKDoes(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:2002"),
		ConfigSources: []any{config.EnvConfig{UseFIPSEndpoint: aws.FIPSEndpointStateEnabled}}}
	t.Setenv("AWS_ENDPOINT_URL_IAM", "")
	os.Unsetenv("AWS_ENDPOINT_URL_IAM")
	if _, err := resolveEndpoint(context.Background(), cfg); err == nil {
		t.Fatal("a FIPS setting with a custom endpoint was accepted; the SDK refuses it")
	}
}
