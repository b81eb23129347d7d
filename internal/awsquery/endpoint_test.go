package awsquery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The SDK's STS and IAM clients are imported here only, as the references
// the hand-written endpoint rules must agree with; tests do not link into
// awsmfa.

// partitionRegions are the regions of the SDK's partitions.json (v1.48.0).
// sdkPartitionRegions adds any a newer SDK in the module cache lists.
var partitionRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
	"eu-west-3", "il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1",
	"sa-west-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"aws-cn-global", "cn-north-1", "cn-northwest-1",
	"eusc-de-east-1",
	"aws-iso-global", "us-iso-east-1", "us-iso-west-1",
	"aws-iso-b-global", "us-isob-east-1", "us-isob-west-1",
	"aws-iso-e-global", "eu-isoe-west-1",
	"aws-iso-f-global", "us-isof-east-1", "us-isof-south-1",
	"aws-us-gov-global", "us-gov-east-1", "us-gov-west-1",
}

// otherRegions are names no partition lists: future regions of each
// partition's pattern, names matching no pattern (the SDK takes them for
// "aws"), odd but valid host names, and invalid ones the SDK refuses.
var otherRegions = []string{
	"xx-foo-1", "us-foo-1", "cn-foo-1", "us-gov-foo-1", "us-iso-foo-1", "us-isob-foo-1", "eu-isoe-foo-1",
	"us-isof-foo-1", "eusc-de-foo-1", "eusc-fr-east-1", "mars-west-1", "US-EAST-1", "us-east-1.example",
	"local", "us-east", "cn-north-1a", "us-east-1_", "us_x-east-1",
	"fips-us-east-1", "us-east-1-fips", "fips-us-gov-west-1", "us-gov-west-1-fips", "cn-north-fips-1", "fips-aws-global",
	"us east 1", "-us-east-1", "us-east-1-", "us..east-1", "us-east-1/", strings.Repeat("a", 64),
}

// sdkPartitionRegions reads the regions of partitions.json in the SDK
// module this test is built with; nil when it cannot.
func sdkPartitionRegions(t *testing.T) []string {
	regions, note := readSDKPartitionRegions()
	t.Log(note)
	return regions
}

var readSDKPartitionRegions = sync.OnceValues(func() ([]string, string) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		return nil, fmt.Sprintf("not reading the SDK's partitions (go list: %v); using the list in this test", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "internal", "endpoints", "awsrulesfn", "partitions.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Sprintf("not reading the SDK's partitions (%v); using the list in this test", err)
	}
	var doc struct {
		Partitions []struct {
			Regions map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Sprintf("not reading the SDK's partitions (%s: %v); using the list in this test", file, err)
	}
	var regions []string
	for _, p := range doc.Partitions {
		for r := range p.Regions {
			regions = append(regions, r)
		}
	}
	return regions, fmt.Sprintf("%d regions in %s", len(regions), file)
})

func allTestRegions(t *testing.T) []string {
	regions := slices.Concat(partitionRegions, otherRegions, sdkPartitionRegions(t))
	slices.Sort(regions)
	return slices.Compact(regions)
}

func TestSDKPartitionRegionsAreAllListed(t *testing.T) {
	for _, r := range sdkPartitionRegions(t) {
		if !slices.Contains(partitionRegions, r) {
			t.Errorf("the SDK's partitions.json has %s: add it to partitionRegions and check stsPartitions", r)
		}
	}
}

// TestSTSEndpointRulesAgreeWithTheSDKResolver compares the rules with the
// SDK's STS EndpointResolverV2, given the region the SDK's client would
// pass it (a valid host name, FIPS markers removed).
func TestSTSEndpointRulesAgreeWithTheSDKResolver(t *testing.T) {
	resolver := sts.NewDefaultEndpointResolverV2()
	for _, region := range allTestRegions(t) {
		if !validRegionName(region) || withoutFIPSMarker(region) != region {
			continue // the client-level test covers these
		}
		for _, custom := range []string{"", "http://127.0.0.1:4566"} {
			for _, fips := range []bool{false, true} {
				for _, dualStack := range []bool{false, true} {
					params := sts.EndpointParameters{Region: aws.String(region), UseFIPS: aws.Bool(fips), UseDualStack: aws.Bool(dualStack)}
					if custom != "" {
						params.Endpoint = aws.String(custom)
					}
					want, sdkErr := resolver.ResolveEndpoint(context.Background(), params)
					got, err := resolveSTSEndpoint(Options{Region: region, Endpoint: custom, UseFIPS: fips, UseDualStack: dualStack})
					name := strings.Join([]string{region, custom, "fips=" + boolText(fips), "dualstack=" + boolText(dualStack)}, " ")
					if (sdkErr != nil) != (err != nil) {
						t.Errorf("%s: error %v, the SDK's %v", name, err, sdkErr)
						continue
					}
					if sdkErr != nil {
						continue
					}
					wantRegion := region
					if opts, ok := smithyauth.GetAuthOptions(&want.Properties); ok && len(opts) > 0 {
						if r, ok := smithyhttp.GetSigV4SigningRegion(&opts[0].SignerProperties); ok {
							wantRegion = r
						}
					}
					if got.url != want.URI.String() || got.signingRegion != wantRegion {
						t.Errorf("%s: %s signed in %s, the SDK: %s signed in %s", name, got.url, got.signingRegion, want.URI.String(), wantRegion)
					}
				}
			}
		}
	}
}

func boolText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// errCaptured stops a request once its URL and signature are recorded.
var errCaptured = errors.New("captured")

// captureHTTP records where requests go and the region their SigV4 scope names.
type captureHTTP struct{ host, scope string }

func (c *captureHTTP) Do(r *http.Request) (*http.Response, error) {
	c.host = r.URL.Scheme + "://" + r.URL.Host
	_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	credential, _, _ := strings.Cut(rest, ",")
	if parts := strings.Split(credential, "/"); len(parts) == 5 {
		c.scope = parts[2] + "/" + parts[3]
	}
	return nil, errCaptured
}

// TestRequestsGoWhereTheSDKsGo compares, for every region and setting, the
// requests the SDK's STS and IAM clients and these send: host, and the
// region and service of the signature, or that both refuse to send anything.
func TestRequestsGoWhereTheSDKsGo(t *testing.T) {
	regions := allTestRegions(t)
	for _, service := range []string{"STS", "IAM"} {
		for _, region := range regions {
			for _, custom := range []string{"", "http://127.0.0.1:4566/"} {
				for _, fips := range []bool{false, true} {
					for _, dualStack := range []bool{false, true} {
						o := Options{Region: region, Endpoint: custom, UseFIPS: fips, UseDualStack: dualStack}
						name := strings.Join([]string{service, region, custom, "fips=" + boolText(fips), "dualstack=" + boolText(dualStack)}, " ")
						sdk, sdkErr := sdkRequest(service, o)
						ours, err := ourRequest(service, o)
						sdkSent, sent := errors.Is(sdkErr, errCaptured), errors.Is(err, errCaptured)
						switch {
						case sent != sdkSent:
							t.Errorf("%s: sent=%v (%v), the SDK sent=%v (%v)", name, sent, err, sdkSent, sdkErr)
						case sent && ours != sdk:
							t.Errorf("%s: request to %s signed for %s, the SDK's to %s signed for %s", name, ours.host, ours.scope, sdk.host, sdk.scope)
						}
					}
				}
			}
		}
	}
}

var testCredentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

// sdkRequest is the request the SDK's client for service makes with o's settings.
func sdkRequest(service string, o Options) (captureHTTP, error) {
	capture := &captureHTTP{}
	var base *string
	if o.Endpoint != "" {
		base = aws.String(o.Endpoint)
	}
	fips, dualStack := fipsState(o.UseFIPS), dualStackState(o.UseDualStack)
	var err error
	switch service {
	case "STS":
		_, err = sts.New(sts.Options{
			Region: o.Region, BaseEndpoint: base, Credentials: testCredentials, HTTPClient: capture, Retryer: aws.NopRetryer{},
			EndpointOptions: sts.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dualStack},
		}).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	case "IAM":
		_, err = iam.New(iam.Options{
			Region: o.Region, BaseEndpoint: base, Credentials: testCredentials, HTTPClient: capture, Retryer: aws.NopRetryer{},
			EndpointOptions: iam.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dualStack},
		}).GetUser(context.Background(), &iam.GetUserInput{})
	}
	return *capture, err
}

// ourRequest is the request this package's client for service makes.
func ourRequest(service string, o Options) (captureHTTP, error) {
	capture := &captureHTTP{}
	o.Credentials, o.HTTPClient, o.MaxAttempts = testCredentials, capture, 1
	var c *Client
	var err error
	switch service {
	case "STS":
		if c, err = NewSTS(o); err == nil {
			_, err = c.GetCallerIdentity(context.Background())
		}
	case "IAM":
		if c, err = NewIAM(o); err == nil {
			_, err = c.GetUser(context.Background())
		}
	}
	return *capture, err
}

// The SDK's client refuses to call STS without a region; awsmfa has always
// meant us-east-1 then, as the AWS CLI does.
func TestSTSWithoutRegionIsUSEast1(t *testing.T) {
	c, err := NewSTS(Options{Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "https://sts.us-east-1.amazonaws.com" || c.signing != "us-east-1" {
		t.Errorf("no region: %s signed in %s", c.Endpoint(), c.signing)
	}
}

func TestConfiguredEndpointWithFIPSOrDualStackSaysWhatToRemove(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	for _, tc := range []struct {
		name    string
		new     func(Options) (*Client, error)
		o       Options
		setting string
	}{
		{"STS fips", NewSTS, Options{Endpoint: "http://127.0.0.1:1", UseFIPS: true}, "use_fips_endpoint"},
		{"STS dualstack", NewSTS, Options{Endpoint: "http://127.0.0.1:1", UseDualStack: true}, "use_dualstack_endpoint"},
		{"IAM fips", NewIAM, Options{Endpoint: "http://127.0.0.1:1", UseFIPS: true}, "use_fips_endpoint"},
		{"IAM dualstack", NewIAM, Options{Endpoint: "http://127.0.0.1:1", UseDualStack: true}, "use_dualstack_endpoint"},
	} {
		tc.o.Credentials = creds
		_, err := tc.new(tc.o)
		service := strings.Fields(tc.name)[0]
		if err == nil || !strings.Contains(err.Error(), tc.setting) || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_"+service) ||
			!strings.Contains(err.Error(), "remove one of them") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestIAMPartitionEndpointsAgreeWithTheSDK(t *testing.T) {
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
				got, err := resolveIAMEndpoint(Options{Region: region, UseFIPS: fips, UseDualStack: dualStack})
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

// A configured IAM endpoint is signed in the configured region, as the
// SDK's IAM client signs it.
func TestConfiguredIAMEndpointIsSignedInTheRegion(t *testing.T) {
	got, err := resolveIAMEndpoint(Options{Region: "eu-west-1", Endpoint: "http://127.0.0.1:2002"})
	if err != nil || got.url != "http://127.0.0.1:2002" || got.signingRegion != "eu-west-1" {
		t.Fatalf("got %+v, %v", got, err)
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
