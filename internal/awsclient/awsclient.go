// Package awsclient builds the AWS SDK for Go clients awsmfa calls STS and
// IAM with, for a profile resolved by the SDK's own config loader: region,
// endpoint_url, AWS_ENDPOINT_URL(_STS/_IAM), the [services] section, FIPS,
// dual-stack, max_attempts, retry_mode, ca_bundle and proxies mean what
// they mean to every other Go program.
//
// The profile's own credential chain is never resolved (its
// credential_process is awsmfa itself): each client signs with the
// credentials it is given.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// DefaultRegion is where calls go when nothing names a region: IAM is
// global and every STS region serves awsmfa's calls.
const DefaultRegion = "us-east-1"

// Profile is one profile as the SDK resolved it.
type Profile struct {
	Name string
	// Shared is the profile's section as the SDK read it; for a role with
	// source_profile, Shared.Source is the source's (see Source).
	Shared config.SharedConfig
	// Config holds every setting the SDK resolved for the profile
	// (AWS_REGION before region, and so on), without credentials.
	Config aws.Config
	// RegionSet is false when Config.Region is only DefaultRegion, so that
	// export and exec do not hand out a region the user never chose.
	RegionSet bool

	env config.EnvConfig
}

// ProfileNotFoundError is a profile in neither shared file.
type ProfileNotFoundError struct{ Profile string }

func (e *ProfileNotFoundError) Error() string {
	return fmt.Sprintf("profile %q is not in the AWS config files", e.Profile)
}

// Load resolves the named profile, and its source_profile chain, from one
// read of the shared files (those awsconfig.ConfigPath and CredentialsPath
// name) and the environment. A profile in neither file is a
// *ProfileNotFoundError; a missing or unusable source_profile is the SDK's
// config.SharedConfigAssumeRoleError.
func Load(ctx context.Context, name string) (*Profile, error) {
	p, err := load(ctx, config.WithSharedConfigProfile(name))
	var missing config.SharedConfigProfileNotExistError
	var badSource config.SharedConfigAssumeRoleError
	if errors.As(err, &missing) && missing.Profile == name && !errors.As(err, &badSource) {
		return nil, &ProfileNotFoundError{Profile: name}
	}
	if err != nil {
		return nil, err
	}
	if p.Shared.Profile != name {
		// The SDK's loader ignores a missing profile when its chain of
		// credentials is not resolved; awsmfa cannot.
		return nil, &ProfileNotFoundError{Profile: name}
	}
	p.Name = name
	return p, nil
}

// LoadEnv resolves the environment's settings alone, for a profile that is
// not in the files yet (setup writes it later).
func LoadEnv(ctx context.Context, name string) (*Profile, error) {
	p, err := load(ctx, config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		return nil, err
	}
	p.Name = name
	return p, nil
}

func load(ctx context.Context, opts ...func(*config.LoadOptions) error) (*Profile, error) {
	all := []func(*config.LoadOptions) error{config.WithCredentialsProvider(aws.AnonymousCredentials{})}
	if path, err := awsconfig.ConfigPath(); err == nil {
		all = append(all, config.WithSharedConfigFiles([]string{path}))
	}
	if path, err := awsconfig.CredentialsPath(); err == nil {
		all = append(all, config.WithSharedCredentialsFiles([]string{path}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(all, opts...)...)
	if err != nil {
		if problem := envProblem(); problem != nil {
			return nil, problem
		}
		return nil, err
	}
	p := &Profile{Config: cfg}
	for _, src := range cfg.ConfigSources {
		switch s := src.(type) {
		case config.SharedConfig:
			p.Shared = s
		case config.EnvConfig:
			p.env = s
		}
	}
	p.RegionSet = cfg.Region != ""
	if !p.RegionSet {
		p.Config.Region = DefaultRegion
	}
	return p, nil
}

// Source is the profile's source_profile, resolved from the same read of
// the files with the source's own region and endpoint settings (the
// environment's still come first); nil when there is none. Retry settings,
// ca_bundle and proxies stay those of the profile asked for, as when the
// SDK itself follows a role chain.
func (p *Profile) Source() *Profile {
	if p.Shared.Source == nil {
		return nil
	}
	sc := *p.Shared.Source
	src := &Profile{Name: sc.Profile, Shared: sc, Config: p.Config.Copy(), env: p.env}
	src.Config.Region = p.env.Region
	if src.Config.Region == "" {
		src.Config.Region = sc.Region
	}
	src.RegionSet = src.Config.Region != ""
	if !src.RegionSet {
		src.Config.Region = DefaultRegion
	}
	src.Config.BaseEndpoint = nil
	if !firstSet(p.env.IgnoreConfiguredEndpoints, sc.IgnoreConfiguredEndpoints) {
		if url := firstNonEmpty(p.env.BaseEndpoint, sc.BaseEndpoint); url != "" {
			src.Config.BaseEndpoint = aws.String(url)
		}
	}
	// Service clients read [services], FIPS and dual-stack from the
	// sources: give them the source's section.
	src.Config.ConfigSources = make([]any, len(p.Config.ConfigSources))
	for i, s := range p.Config.ConfigSources {
		if _, ok := s.(config.SharedConfig); ok {
			s = sc
		}
		src.Config.ConfigSources[i] = s
	}
	return src
}

func firstSet(flags ...*bool) bool {
	for _, f := range flags {
		if f != nil {
			return *f
		}
	}
	return false
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// Static is a credentials provider for fixed keys (a session when
// sessionToken is set).
func Static(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken)
}

// STS is an STS client for the profile that signs with creds.
func (p *Profile) STS(creds aws.CredentialsProvider) *sts.Client {
	return sts.NewFromConfig(p.Config, func(o *sts.Options) { o.Credentials = creds })
}

// IAM is an IAM client for the profile that signs with creds.
func (p *Profile) IAM(creds aws.CredentialsProvider) *iam.Client {
	return iam.NewFromConfig(p.Config, func(o *iam.Options) { o.Credentials = creds })
}

// ConfiguredSTSEndpoint is the STS endpoint the settings configure
// (AWS_ENDPOINT_URL_STS, the [services] section, endpoint_url...), "" for
// AWS's own. It is part of every cache key, so that sessions from a test
// endpoint are never served for AWS's.
func (p *Profile) ConfiguredSTSEndpoint() string {
	if e := sts.NewFromConfig(p.Config).Options().BaseEndpoint; e != nil {
		return *e
	}
	return ""
}

// CheckSTSEndpoint refuses a configured STS endpoint that is not an
// http(s) URL, before any call: the SDK would only fail when sending.
func (p *Profile) CheckSTSEndpoint() error {
	e := p.ConfiguredSTSEndpoint()
	if e == "" {
		return nil
	}
	if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the STS endpoint %s is not an http(s) URL; fix AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or endpoint_url", redact.Show(redact.URL, e))
	}
	return nil
}

// STSEndpoint is where the client's calls go, for messages (redacted
// where a URL may not be shown).
func STSEndpoint(ctx context.Context, c *sts.Client) string {
	u := STSEndpointURL(ctx, c)
	if u == "" {
		return "STS"
	}
	return redact.Show(redact.URL, strings.TrimSuffix(u, "/"))
}

// STSEndpointURL is the URL the client's calls go to, by the SDK's
// endpoint rules; "" when they cannot resolve one.
func STSEndpointURL(ctx context.Context, c *sts.Client) string {
	o := c.Options()
	e, err := o.EndpointResolverV2.ResolveEndpoint(ctx, sts.EndpointParameters{
		Region:       aws.String(o.Region),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		Endpoint:     o.BaseEndpoint,
	})
	if err != nil {
		return ""
	}
	return e.URI.String()
}

// OneTimeCode wraps the retryer of a call that carries an MFA code: such a
// call is retried only when the failure proves the code was not looked at
// (throttling, a signature refused because of this computer's clock, a
// connection that was never made). After a 5xx or a broken connection STS
// may have taken the code; sending it again would be refused as spent, so
// the caller asks for the next code instead (see MayHaveRun).
func OneTimeCode(r aws.Retryer) aws.Retryer { return codeRetryer{r} }

type codeRetryer struct{ aws.Retryer }

func (r codeRetryer) IsErrorRetryable(err error) bool {
	return r.Retryer.IsErrorRetryable(err) && !MayHaveRun(err)
}

// MayHaveRun reports whether a failed call may still have been
// carried out: a server error, or a connection broken after the request
// went out. Throttling, refused signatures and connections never made
// prove it was not.
func MayHaveRun(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if _, ok := retry.DefaultThrottleErrorCodes[apiErr.ErrorCode()]; ok {
			return false
		}
		var respErr *awshttp.ResponseError
		return errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if errors.As(err, &dnsErr) || errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	return true
}

// RootCause is the network error (or, failing that, the innermost error)
// inside an SDK error, without the layers that repeat the operation's name
// and the request's URL: for a message that already names the call.
func RootCause(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr
	}
	for next := errors.Unwrap(err); next != nil; next = errors.Unwrap(err) {
		err = next
	}
	return err
}
