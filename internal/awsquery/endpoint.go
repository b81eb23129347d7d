package awsquery

import (
	"fmt"
	"strings"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// endpoint is where a client sends its requests and the region it signs in.
type endpoint struct {
	url, signingRegion string
}

// configuredEndpointSettings names, for messages, the settings that
// configure a service's endpoint.
func configuredEndpointSettings(service string) string {
	return fmt.Sprintf("AWS_ENDPOINT_URL_%s, AWS_ENDPOINT_URL or endpoint_url", strings.ToUpper(service))
}

// refuseVariantsWithConfiguredEndpoint rejects FIPS and dual-stack with a
// configured endpoint, as the SDK's endpoint rules do: the URL is used as
// it is, so neither setting could take effect. fipsRegion is set when FIPS
// comes from the region's name rather than from use_fips_endpoint.
func refuseVariantsWithConfiguredEndpoint(service string, o Options, fipsRegion bool) error {
	var setting string
	switch {
	case fipsRegion:
		setting = fmt.Sprintf("the FIPS region %s (AWS_REGION or the profile's region)", redact.Quote(redact.Region, o.Region))
	case o.UseFIPS:
		setting = "use_fips_endpoint (AWS_USE_FIPS_ENDPOINT)"
	case o.UseDualStack:
		setting = "use_dualstack_endpoint (AWS_USE_DUALSTACK_ENDPOINT)"
	default:
		return nil
	}
	return fmt.Errorf("%s cannot be combined with a configured %s endpoint (%s); remove one of them",
		setting, service, configuredEndpointSettings(service))
}

// regionOf applies the SDK's checks and conventions to o.Region: it must be
// a valid host name, and a FIPS pseudo region ("fips-us-east-1",
// "us-east-1-fips") turns FIPS on for the region it names. It returns the
// region endpoints are chosen for, and o with UseFIPS updated.
func regionOf(o Options) (string, Options, bool, error) {
	if !validRegionName(o.Region) {
		return "", o, false, fmt.Errorf("the region %s is not a valid AWS region name (letters, digits and hyphens, e.g. us-east-1); fix AWS_REGION or the profile's region", redact.Quote(redact.Region, o.Region))
	}
	name := withoutFIPSMarker(o.Region)
	fipsRegion := name != o.Region
	if fipsRegion {
		o.UseFIPS = true
	}
	return name, o, fipsRegion, nil
}

// resolveSTSEndpoint picks STS's endpoint as the SDK's STS client does with
// its default rules (UseGlobalEndpoint false): a configured endpoint as it
// is; region "aws-global" the global https://sts.amazonaws.com signed in
// us-east-1; any other region its partition's regional endpoint, in the
// FIPS and dual-stack variants asked for. Requests are signed in the region
// as given, FIPS marker included, as the SDK signs them.
func resolveSTSEndpoint(o Options) (endpoint, error) {
	name, o, fipsRegion, err := regionOf(o)
	if err != nil {
		return endpoint{}, err
	}
	if o.Endpoint != "" {
		if err := refuseVariantsWithConfiguredEndpoint("STS", o, fipsRegion); err != nil {
			return endpoint{}, err
		}
		return endpoint{url: o.Endpoint, signingRegion: o.Region}, nil
	}

	p := partitionOf(name)
	var url string
	switch {
	case o.UseFIPS && o.UseDualStack:
		url = "https://sts-fips." + name + "." + p.dualStackDNSSuffix
	case o.UseFIPS && p.name == "aws-us-gov":
		// GovCloud's regional STS endpoints are FIPS endpoints already.
		url = "https://sts." + name + ".amazonaws.com"
	case o.UseFIPS:
		url = "https://sts-fips." + name + "." + p.dnsSuffix
	case o.UseDualStack:
		url = "https://sts." + name + "." + p.dualStackDNSSuffix
	case name == "aws-global":
		return endpoint{url: "https://sts.amazonaws.com", signingRegion: "us-east-1"}, nil
	default:
		url = "https://sts." + name + "." + p.dnsSuffix
	}
	return endpoint{url: url, signingRegion: o.Region}, nil
}

// resolveIAMEndpoint picks IAM's endpoint as the SDK's IAM client does: a
// configured endpoint as it is, signed in the region; otherwise the region's
// partition selects IAM's global endpoint, in the FIPS and dual-stack
// variants asked for, signed in the region IAM signs in there.
func resolveIAMEndpoint(o Options) (endpoint, error) {
	name, o, fipsRegion, err := regionOf(o)
	if err != nil {
		return endpoint{}, err
	}
	if o.Endpoint != "" {
		if err := refuseVariantsWithConfiguredEndpoint("IAM", o, fipsRegion); err != nil {
			return endpoint{}, err
		}
		return endpoint{url: o.Endpoint, signingRegion: o.Region}, nil
	}
	iam := partitionOf(name).iam
	host := iam.host
	switch {
	case o.UseFIPS && o.UseDualStack:
		host = iam.fipsDualStackHost
	case o.UseFIPS:
		host = iam.fipsHost
	case o.UseDualStack:
		host = iam.dualStackHost
	}
	return endpoint{url: "https://" + host, signingRegion: iam.signingRegion}, nil
}

// validRegionName is the SDK's check on a region before it resolves an
// endpoint (rulesfn.IsValidHostLabel with sub-domains allowed): dot-separated
// labels of 1 to 63 letters, digits and hyphens, not starting or ending with
// a hyphen.
func validRegionName(region string) bool {
	for _, label := range strings.Split(region, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// withoutFIPSMarker is the SDK's endpoints.MapFIPSRegion: the region a FIPS
// pseudo region such as "fips-us-east-1" or "us-east-1-fips" names.
func withoutFIPSMarker(region string) string {
	if strings.Contains(region, "-fips-") || strings.Contains(region, "fips-") || strings.Contains(region, "-fips") {
		region = strings.ReplaceAll(region, "-fips-", "-")
		region = strings.ReplaceAll(region, "fips-", "")
		region = strings.ReplaceAll(region, "-fips", "")
	}
	return region
}

// partition is what the endpoint rules read of an AWS partition. Every
// partition in the SDK's partitions.json supports both FIPS and dual-stack,
// so the rules' "does not support" errors cannot happen and are left out;
// the parity tests with the SDK would notice a partition that changes that.
type partition struct {
	name               string
	dnsSuffix          string
	dualStackDNSSuffix string
	// regionPrefixes are the alternatives before "-\w+-\d+" in the
	// partition's regionRegex.
	regionPrefixes []string
	// regions are the partition's listed regions that its regex does not
	// match: the pseudo regions of its global endpoints.
	regions []string
	iam     iamHosts
}

// iamHosts are where IAM, a global service, answers in one partition.
type iamHosts struct {
	host, fipsHost, dualStackHost, fipsDualStackHost string
	signingRegion                                    string
}

// partitions mirrors the SDK's internal/endpoints/awsrulesfn/partitions.json
// (and IAM's endpoint rules for each).
var partitions = []partition{
	{"aws", "amazonaws.com", "api.aws", []string{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"}, []string{"aws-global"},
		iamHosts{"iam.amazonaws.com", "iam-fips.amazonaws.com", "iam.global.api.aws", "iam-fips.global.api.aws", "us-east-1"}},
	{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", []string{"cn"}, []string{"aws-cn-global"},
		iamHosts{"iam.cn-north-1.amazonaws.com.cn", "iam-fips.amazonaws.com.cn",
			"iam.global.api.amazonwebservices.com.cn", "iam-fips.api.amazonwebservices.com.cn", "cn-north-1"}},
	{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", []string{"eusc-de"}, nil,
		iamHosts{"iam.eusc-de-east-1.amazonaws.eu", "iam-fips.amazonaws.eu",
			"iam.global.api.amazonwebservices.eu", "iam-fips.api.amazonwebservices.eu", "eusc-de-east-1"}},
	{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov", []string{"us-iso"}, []string{"aws-iso-global"},
		iamHosts{"iam.us-iso-east-1.c2s.ic.gov", "iam-fips.us-iso-east-1.c2s.ic.gov",
			"iam.api.aws.ic.gov", "iam-fips.api.aws.ic.gov", "us-iso-east-1"}},
	{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", []string{"us-isob"}, []string{"aws-iso-b-global"},
		iamHosts{"iam.us-isob-east-1.sc2s.sgov.gov", "iam-fips.us-isob-east-1.sc2s.sgov.gov",
			"iam.api.aws.scloud", "iam-fips.api.aws.scloud", "us-isob-east-1"}},
	{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", []string{"eu-isoe"}, []string{"aws-iso-e-global"},
		iamHosts{"iam.eu-isoe-west-1.cloud.adc-e.uk", "iam-fips.cloud.adc-e.uk",
			"iam.api.cloud-aws.adc-e.uk", "iam-fips.api.cloud-aws.adc-e.uk", "eu-isoe-west-1"}},
	{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", []string{"us-isof"}, []string{"aws-iso-f-global"},
		iamHosts{"iam.us-isof-south-1.csp.hci.ic.gov", "iam-fips.csp.hci.ic.gov",
			"iam.api.aws.hci.ic.gov", "iam-fips.api.aws.hci.ic.gov", "us-isof-south-1"}},
	{"aws-us-gov", "amazonaws.com", "api.aws", []string{"us-gov"}, []string{"aws-us-gov-global"},
		iamHosts{"iam.us-gov.amazonaws.com", "iam.us-gov.amazonaws.com", "iam.us-gov.api.aws", "iam.us-gov.api.aws", "us-gov-west-1"}},
}

// partitionOf finds region's partition as awsrulesfn.GetPartition does: a
// listed region first, then the partitions' region patterns, else "aws".
func partitionOf(region string) partition {
	for _, p := range partitions {
		for _, listed := range p.regions {
			if region == listed {
				return p
			}
		}
	}
	for _, p := range partitions {
		for _, prefix := range p.regionPrefixes {
			if rest, ok := strings.CutPrefix(region, prefix+"-"); ok && isWordDashDigits(rest) {
				return p
			}
		}
	}
	return partitions[0]
}

// isWordDashDigits matches the regular expression ^\w+-\d+$ without
// compiling one at start-up.
func isWordDashDigits(s string) bool {
	word, digits, ok := strings.Cut(s, "-")
	if !ok || word == "" || digits == "" {
		return false
	}
	for _, c := range []byte(word) {
		if !isAlnum(c) && c != '_' {
			return false
		}
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
