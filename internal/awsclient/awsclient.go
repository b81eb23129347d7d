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
	// Region is AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
	// region, else DefaultRegion; RegionSet is false in the last case, so
	// that export and exec do not hand out a region the user never chose.
	Region    string
	RegionSet bool

	env     config.EnvConfig
	envOnly bool     // LoadEnv: the files have no such profile yet
	parent  *Profile // for a source profile: whose Config it derives from
	cfg     *aws.Config
}

// ProfileNotFoundError is a profile in neither shared file.
type ProfileNotFoundError struct{ Profile string }

func (e *ProfileNotFoundError) Error() string {
	return fmt.Sprintf("profile %q is not in the AWS config files", e.Profile)
}

// Load resolves the named profile, and its source_profile chain, from one
// read of the shared files (those awsconfig.ConfigPath and CredentialsPath
// name) and the environment, with the SDK's LoadSharedConfigProfile and
// NewEnvConfig: enough for a cache hit, which needs the profile's settings
// and nothing of the SDK's clients (Config builds those when a call is to
// be made). A profile in neither file is a *ProfileNotFoundError; a
// missing or unusable source_profile is the SDK's
// config.SharedConfigAssumeRoleError.
func Load(ctx context.Context, name string) (*Profile, error) {
	env, err := loadEnv()
	if err != nil {
		return nil, err
	}
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = sharedFiles()
	})
	var missing config.SharedConfigProfileNotExistError
	var badSource config.SharedConfigAssumeRoleError
	if errors.As(err, &missing) && missing.Profile == name && !errors.As(err, &badSource) {
		return nil, &ProfileNotFoundError{Profile: name}
	}
	if err != nil {
		return nil, err
	}
	return newProfile(name, env, sc, nil), nil
}

// LoadEnv resolves the environment's settings alone, for a profile that is
// not in the files yet (setup writes it later).
func LoadEnv(ctx context.Context, name string) (*Profile, error) {
	env, err := loadEnv()
	if err != nil {
		return nil, err
	}
	p := newProfile(name, env, config.SharedConfig{}, nil)
	p.envOnly = true
	return p, nil
}

func loadEnv() (config.EnvConfig, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		if problem := envProblem(); problem != nil {
			return config.EnvConfig{}, problem
		}
		return config.EnvConfig{}, err
	}
	return env, nil
}

// sharedFiles are the files to read, as awsconfig finds them; a file whose
// place cannot be worked out (no home directory) is left out.
func sharedFiles() (configFiles, credentialsFiles []string) {
	configFiles, credentialsFiles = []string{}, []string{}
	if path, err := awsconfig.ConfigPath(); err == nil {
		configFiles = append(configFiles, path)
	}
	if path, err := awsconfig.CredentialsPath(); err == nil {
		credentialsFiles = append(credentialsFiles, path)
	}
	return configFiles, credentialsFiles
}

func newProfile(name string, env config.EnvConfig, sc config.SharedConfig, parent *Profile) *Profile {
	p := &Profile{Name: name, Shared: sc, env: env, parent: parent}
	p.Region = firstNonEmpty(env.Region, sc.Region)
	p.RegionSet = p.Region != ""
	if !p.RegionSet {
		p.Region = DefaultRegion
	}
	return p
}

// Source is the profile's source_profile, from the same read of the files,
// with the source's own region and endpoint settings (the environment's
// still come first); nil when there is none. Retry settings, ca_bundle and
// proxies stay those of the profile asked for, as when the SDK itself
// follows a role chain.
func (p *Profile) Source() *Profile {
	if p.Shared.Source == nil {
		return nil
	}
	return newProfile(p.Shared.Source.Profile, p.env, *p.Shared.Source, p)
}

// baseEndpoint is the endpoint URL for every service, as LoadDefaultConfig
// resolves it: AWS_ENDPOINT_URL, else endpoint_url, unless configured
// endpoints are to be ignored.
func (p *Profile) baseEndpoint() *string {
	if firstSet(p.env.IgnoreConfiguredEndpoints, p.Shared.IgnoreConfiguredEndpoints) {
		return nil
	}
	if url := firstNonEmpty(p.env.BaseEndpoint, p.Shared.BaseEndpoint); url != "" {
		return aws.String(url)
	}
	return nil
}

// Config is the SDK's configuration for calls made for the profile:
// LoadDefaultConfig's, with the profile's settings. It is built on first
// use, so that a cache hit never pays for what only calls need (parsing
// AWS_CA_BUNDLE or ca_bundle costs milliseconds).
func (p *Profile) Config(ctx context.Context) (aws.Config, error) {
	if p.cfg != nil {
		return *p.cfg, nil
	}
	var cfg aws.Config
	if p.parent != nil {
		base, err := p.parent.Config(ctx)
		if err != nil {
			return aws.Config{}, err
		}
		cfg = base.Copy()
		cfg.BaseEndpoint = p.baseEndpoint()
		// Service clients read [services], FIPS and dual-stack from the
		// sources: give them the source's section.
		cfg.ConfigSources = make([]any, len(base.ConfigSources))
		for i, s := range base.ConfigSources {
			if _, ok := s.(config.SharedConfig); ok {
				s = p.Shared
			}
			cfg.ConfigSources[i] = s
		}
	} else {
		opts := []func(*config.LoadOptions) error{config.WithCredentialsProvider(aws.AnonymousCredentials{})}
		configFiles, credentialsFiles := sharedFiles()
		if p.envOnly {
			configFiles, credentialsFiles = []string{}, []string{}
		} else {
			opts = append(opts, config.WithSharedConfigProfile(p.Name))
		}
		opts = append(opts, config.WithSharedConfigFiles(configFiles), config.WithSharedCredentialsFiles(credentialsFiles))
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			if problem := envProblem(); problem != nil {
				return aws.Config{}, problem
			}
			return aws.Config{}, err
		}
	}
	cfg.Region = p.Region
	p.cfg = &cfg
	return cfg, nil
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
func (p *Profile) STS(ctx context.Context, creds aws.CredentialsProvider) (*sts.Client, error) {
	cfg, err := p.Config(ctx)
	if err != nil {
		return nil, err
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = creds }), nil
}

// IAM is an IAM client for the profile that signs with creds.
func (p *Profile) IAM(ctx context.Context, creds aws.CredentialsProvider) (*iam.Client, error) {
	cfg, err := p.Config(ctx)
	if err != nil {
		return nil, err
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.Credentials = creds }), nil
}

// ConfiguredSTSEndpoint is the STS endpoint the settings configure
// (AWS_ENDPOINT_URL_STS, the [services] section, endpoint_url...), "" for
// AWS's own, as the STS client resolves it. It is part of every cache key,
// so that sessions from a test endpoint are never served for AWS's.
func (p *Profile) ConfiguredSTSEndpoint() string {
	endpoints := aws.Config{Region: p.Region, BaseEndpoint: p.baseEndpoint(), ConfigSources: []any{p.env, p.Shared}}
	if e := sts.NewFromConfig(endpoints).Options().BaseEndpoint; e != nil {
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

// STSEndpoint is where the client's calls go, by the SDK's endpoint
// rules, for messages (redacted where a URL may not be shown).
func STSEndpoint(ctx context.Context, c *sts.Client) string {
	o := c.Options()
	e, err := o.EndpointResolverV2.ResolveEndpoint(ctx, sts.EndpointParameters{
		Region:       aws.String(o.Region),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		Endpoint:     o.BaseEndpoint,
	})
	if err != nil {
		return "STS"
	}
	return redact.Show(redact.URL, strings.TrimSuffix(e.URI.String(), "/"))
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
// and the request's URL, for a message that already names the call. Its
// text is Shown: the SDK quotes the values it refuses.
func RootCause(err error) error {
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		for next := errors.Unwrap(err); next != nil; next = errors.Unwrap(err) {
			err = next
		}
		return errors.New(Shown(err.Error()))
	}
	return errors.New(Shown(opErr.Error()))
}

// Shown is a message from the SDK on one line, with every word that may be
// key material (the SDK quotes the values it refuses, and a secret pasted
// into the wrong setting is one) replaced by redact.NotShown.
func Shown(msg string) string {
	words := strings.Fields(msg)
	for i, w := range words {
		if !redact.Fits(redact.Command, w) {
			words[i] = redact.NotShown
		}
	}
	return strings.Join(words, " ")
}
