package iamquery

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// sdkID is IAM's service id: AWS_ENDPOINT_URL_IAM and `iam =` in a
// [services] section derive from it.
const sdkID = "IAM"

// The SDK's config sources (config.EnvConfig, config.SharedConfig, in
// aws.Config.ConfigSources) answer these; the interfaces are the ones the
// SDK's own clients look for.
type (
	ignoreConfiguredEndpointsProvider interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	serviceBaseEndpointProvider interface {
		GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
	}
	fipsEndpointProvider interface {
		GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
	}
	dualStackEndpointProvider interface {
		GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
	}
)

type endpoint struct {
	url, signingRegion string
}

// resolveEndpoint picks IAM's endpoint as the SDK's IAM client does:
//
//  1. AWS_ENDPOINT_URL_IAM;
//  2. AWS_ENDPOINT_URL, which beats the profile's services section;
//  3. `iam = \n endpoint_url = …` in the profile's services section;
//  4. the profile's endpoint_url;
//
// none of them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or
// ignore_configured_endpoint_urls is true (the SDK's config loader has then
// already left cfg.BaseEndpoint empty). Otherwise the region's partition
// selects IAM's global endpoint, honouring use_fips_endpoint and
// use_dualstack_endpoint. A configured endpoint is signed in cfg.Region,
// a partition's global one in the region IAM signs in there.
func resolveEndpoint(ctx context.Context, cfg aws.Config) (endpoint, error) {
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	var fips, dualStack bool
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(fipsEndpointProvider); ok {
			if v, found, err := p.GetUseFIPSEndpoint(ctx); err == nil && found {
				fips = v == aws.FIPSEndpointStateEnabled
				break
			}
		}
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(dualStackEndpointProvider); ok {
			if v, found, err := p.GetUseDualStackEndpoint(ctx); err == nil && found {
				dualStack = v == aws.DualStackEndpointStateEnabled
				break
			}
		}
	}

	if configured := configuredEndpoint(ctx, cfg); configured != "" {
		if fips {
			return endpoint{}, errors.New("use_fips_endpoint cannot be combined with a configured IAM endpoint (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL or endpoint_url); remove one of them")
		}
		if dualStack {
			return endpoint{}, errors.New("use_dualstack_endpoint cannot be combined with a configured IAM endpoint (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL or endpoint_url); remove one of them")
		}
		return endpoint{url: configured, signingRegion: region}, nil
	}
	p := partitionOf(region)
	host := p.host
	switch {
	case fips && dualStack:
		host = p.fipsDualStackHost
	case fips:
		host = p.fipsHost
	case dualStack:
		host = p.dualStackHost
	}
	return endpoint{url: "https://" + host, signingRegion: p.signingRegion}, nil
}

// configuredEndpoint is the endpoint URL the settings name for IAM, or "".
func configuredEndpoint(ctx context.Context, cfg aws.Config) string {
	base := aws.ToString(cfg.BaseEndpoint)
	_, global := os.LookupEnv("AWS_ENDPOINT_URL")
	_, own := os.LookupEnv("AWS_ENDPOINT_URL_IAM")
	if global && !own {
		return base
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(ignoreConfiguredEndpointsProvider); ok {
			if ignore, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				if ignore {
					return base
				}
				break
			}
		}
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(serviceBaseEndpointProvider); ok {
			if v, found, err := p.GetServiceBaseEndpoint(ctx, sdkID); err == nil && found {
				return v
			}
		}
	}
	return base
}

// partition is where IAM answers for the regions of one AWS partition.
type partition struct {
	host, fipsHost, dualStackHost, fipsDualStackHost string
	signingRegion                                    string
}

// Region prefixes of the partitions other than "aws", from the SDK's
// partitions.json; a region matching none is in "aws", as in the SDK.
var partitions = []struct {
	prefixes []string
	partition
}{
	{[]string{"cn-", "aws-cn-"}, partition{
		"iam.cn-north-1.amazonaws.com.cn", "iam-fips.amazonaws.com.cn",
		"iam.global.api.amazonwebservices.com.cn", "iam-fips.api.amazonwebservices.com.cn", "cn-north-1"}},
	{[]string{"us-gov-", "aws-us-gov-"}, partition{
		"iam.us-gov.amazonaws.com", "iam.us-gov.amazonaws.com",
		"iam.us-gov.api.aws", "iam.us-gov.api.aws", "us-gov-west-1"}},
	{[]string{"us-iso-", "aws-iso-global"}, partition{
		"iam.us-iso-east-1.c2s.ic.gov", "iam-fips.us-iso-east-1.c2s.ic.gov",
		"iam.api.aws.ic.gov", "iam-fips.api.aws.ic.gov", "us-iso-east-1"}},
	{[]string{"us-isob-", "aws-iso-b-"}, partition{
		"iam.us-isob-east-1.sc2s.sgov.gov", "iam-fips.us-isob-east-1.sc2s.sgov.gov",
		"iam.api.aws.scloud", "iam-fips.api.aws.scloud", "us-isob-east-1"}},
	{[]string{"eu-isoe-", "aws-iso-e-"}, partition{
		"iam.eu-isoe-west-1.cloud.adc-e.uk", "iam-fips.cloud.adc-e.uk",
		"iam.api.cloud-aws.adc-e.uk", "iam-fips.api.cloud-aws.adc-e.uk", "eu-isoe-west-1"}},
	{[]string{"us-isof-", "aws-iso-f-"}, partition{
		"iam.us-isof-south-1.csp.hci.ic.gov", "iam-fips.csp.hci.ic.gov",
		"iam.api.aws.hci.ic.gov", "iam-fips.api.aws.hci.ic.gov", "us-isof-south-1"}},
	{[]string{"eusc-", "aws-eusc-"}, partition{
		"iam.eusc-de-east-1.amazonaws.eu", "iam-fips.amazonaws.eu",
		"iam.global.api.amazonwebservices.eu", "iam-fips.api.amazonwebservices.eu", "eusc-de-east-1"}},
}

var awsPartition = partition{"iam.amazonaws.com", "iam-fips.amazonaws.com", "iam.global.api.aws", "iam-fips.global.api.aws", "us-east-1"}

func partitionOf(region string) partition {
	for _, p := range partitions {
		for _, prefix := range p.prefixes {
			if strings.HasPrefix(region, prefix) {
				return p.partition
			}
		}
	}
	return awsPartition
}
