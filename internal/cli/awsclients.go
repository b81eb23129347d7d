package cli

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/process"
)

// awsClients are the SDK clients of one profile's settings (region,
// endpoint_url / AWS_ENDPOINT_URL_*, ca_bundle, retries), all signing with
// the same credentials, and the profile's shared-config settings.
type awsClients struct {
	cfg     aws.Config
	profile config.SharedConfig
	STS     *sts.Client
	IAM     *iam.Client
}

// newAWSClients builds the clients for profile that sign with creds, from
// the profile as awsclient resolves it for every command.
func newAWSClients(ctx context.Context, profile string, creds aws.Credentials) (*awsClients, error) {
	p, err := awsclient.Load(ctx, profile)
	if err != nil {
		return nil, process.ConfigError(profile, err)
	}
	cfg, err := p.Config(ctx)
	if err != nil {
		return nil, process.ConfigError(profile, err)
	}
	if cfg.HTTPClient == nil {
		// What the SDK's clients use when none is set; the federation
		// endpoint (login) needs one too. ca_bundle sets its own.
		cfg.HTTPClient = awshttp.NewBuildableClient()
	}
	c := &awsClients{cfg: cfg, profile: p.Shared}
	return c.signingWith(creds), nil
}

// signingWith is c with clients that sign with creds instead.
func (c *awsClients) signingWith(creds aws.Credentials) *awsClients {
	static := awsclient.Static(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	return &awsClients{
		cfg:     c.cfg,
		profile: c.profile,
		STS:     sts.NewFromConfig(c.cfg, func(o *sts.Options) { o.Credentials = static }),
		IAM:     iam.NewFromConfig(c.cfg, func(o *iam.Options) { o.Credentials = static }),
	}
}

// servedProfileName is the profile awsmfa serves for name: a client
// profile that holds only credential_process = awsmfa process --profile
// OTHER (the layout README recommends for roles) stands for OTHER. It also
// returns the --duration of the awsmfa line that serves it (0 when none
// says), so that commands other than process find the MFA session that
// line caches (the duration is part of its cache key).
func servedProfileName(ctx context.Context, name string) (string, time.Duration, error) {
	p, err := awsclient.Load(ctx, name)
	if err != nil {
		return "", 0, process.ConfigError(name, err)
	}
	sc := p.Shared
	duration := time.Duration(0)
	if served, ok := awsmfaProfile(sc.CredentialProcess); ok && served != "" && served != name && sc.RoleARN == "" && sc.MFASerial == "" {
		duration = lineDuration(sc.CredentialProcess)
		if p, err = awsclient.Load(ctx, served); err != nil {
			return "", 0, process.ConfigError(served, err)
		}
		name, sc = served, p.Shared
	}
	// A role's own profile has no line: its MFA session is its source's.
	root := &sc
	for root.Source != nil {
		root = root.Source
	}
	if duration == 0 {
		duration = lineDuration(root.CredentialProcess)
	}
	return name, duration, nil
}

// lineDuration is the --duration of an awsmfa process line, or 0.
func lineDuration(line string) time.Duration {
	if _, ok := awsmfaProfile(line); !ok {
		return 0
	}
	fields := splitCommandLine(line)
	for i, f := range fields {
		v, ok := strings.CutPrefix(f, "--duration=")
		if !ok && f == "--duration" && i+1 < len(fields) {
			v, ok = fields[i+1], true
		}
		if d, err := time.ParseDuration(v); ok && err == nil {
			return d
		}
	}
	return 0
}
