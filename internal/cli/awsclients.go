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

// servedProfileClients is newAWSClients for the profile awsmfa serves for
// name: a client profile that holds only credential_process = awsmfa
// process --profile OTHER (the layout README recommends for roles) stands
// for OTHER. It returns the profile to use, and the --duration of the
// awsmfa line that serves it (0 when none says), so that login and rotate
// find the MFA session that line caches.
func servedProfileClients(ctx context.Context, name string) (*awsClients, string, time.Duration, error) {
	clients, err := newAWSClients(ctx, name, aws.Credentials{})
	if err != nil {
		return nil, "", 0, err
	}
	p := clients.profile
	duration := time.Duration(0)
	if served, ok := awsmfaProfile(p.CredentialProcess); ok && served != "" && served != name && p.RoleARN == "" && p.MFASerial == "" {
		duration = lineDuration(p.CredentialProcess)
		if clients, err = newAWSClients(ctx, served, aws.Credentials{}); err != nil {
			return nil, "", 0, err
		}
		name, p = served, clients.profile
	}
	// A role's own profile has no line: its MFA session is its source's.
	root := &p
	for root.Source != nil {
		root = root.Source
	}
	if duration == 0 {
		duration = lineDuration(root.CredentialProcess)
	}
	return clients, name, duration, nil
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
