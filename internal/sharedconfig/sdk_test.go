package sharedconfig

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// This file holds what the tests need to ask the SDK's own loader: the
// settings it resolves, in the shape of Settings, and the kind of error.

// view is every setting Load resolves, as either side sees it.
type view struct {
	Region, MFASerial, RoleARN, SourceProfile, CredentialSource, ExternalID, RoleSessionName string

	RoleDuration         time.Duration
	UseFIPSEndpoint      bool
	UseDualStackEndpoint bool
	MaxAttempts          int
	CABundle             string
	STS, IAM, S3         string // Endpoint for each
}

// outcome is how a load ended: "ok", or the kind of error and the profile
// it names.
type outcome struct {
	kind    string // ok, missing, source-missing, source-no-credentials, other, panic
	profile string
}

func viewOf(s Settings) view {
	return view{
		Region: s.Region, MFASerial: s.MFASerial, RoleARN: s.RoleARN, SourceProfile: s.SourceProfile,
		CredentialSource: s.CredentialSource, ExternalID: s.ExternalID, RoleSessionName: s.RoleSessionName,
		RoleDuration: s.RoleDuration, UseFIPSEndpoint: s.UseFIPSEndpoint, UseDualStackEndpoint: s.UseDualStackEndpoint,
		MaxAttempts: s.MaxAttempts, CABundle: s.CABundle,
		STS: s.Endpoint("STS", "sts"), IAM: s.Endpoint("IAM", "iam"), S3: s.Endpoint("S3", "s3"),
	}
}

// ours runs Load and classifies its result.
func ours(profile string) (view, outcome, error) {
	s, err := Load(profile)
	var missing *ProfileNotExistError
	var source *SourceProfileError
	switch {
	case err == nil:
		return viewOf(s), outcome{kind: "ok"}, nil
	case errors.As(err, &missing) && missing.referrer != "":
		return view{}, outcome{"source-missing", missing.Profile}, err
	case errors.As(err, &missing):
		return view{}, outcome{"missing", missing.Profile}, err
	case errors.As(err, &source):
		return view{}, outcome{"source-no-credentials", source.SourceProfile}, err
	}
	return view{}, outcome{kind: "other"}, err
}

// sdk runs the SDK's loader as awsmfa used to, and reads the same settings
// from what it resolved.
func sdk(profile string) (v view, o outcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, o, err = view{}, outcome{kind: "panic"}, fmt.Errorf("SDK panicked: %v", r)
		}
	}()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile(profile),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	)
	var assume config.SharedConfigAssumeRoleError
	var missing config.SharedConfigProfileNotExistError
	switch {
	case err == nil:
	case errors.As(err, &assume) && errors.As(assume.Err, &missing):
		return view{}, outcome{"source-missing", missing.Profile}, err
	case errors.As(err, &assume):
		return view{}, outcome{"source-no-credentials", assume.Profile}, err
	case errors.As(err, &missing):
		return view{}, outcome{"missing", missing.Profile}, err
	default:
		return view{}, outcome{kind: "other"}, err
	}
	v = view{Region: cfg.Region, MaxAttempts: cfg.RetryMaxAttempts}
	for _, src := range cfg.ConfigSources {
		switch c := src.(type) {
		case config.SharedConfig:
			v.MFASerial, v.RoleARN, v.SourceProfile = c.MFASerial, c.RoleARN, c.SourceProfileName
			v.CredentialSource, v.ExternalID, v.RoleSessionName = c.CredentialSource, c.ExternalID, c.RoleSessionName
			if c.RoleDurationSeconds != nil {
				v.RoleDuration = *c.RoleDurationSeconds
			}
			if v.CABundle == "" {
				v.CABundle = c.CustomCABundle
			}
		case config.EnvConfig:
			v.CABundle = c.CustomCABundle
		}
	}
	v.UseFIPSEndpoint, v.UseDualStackEndpoint = sdkEndpointFlags(ctx, cfg)
	v.STS = aws.ToString(sts.NewFromConfig(cfg).Options().BaseEndpoint)
	v.IAM = sdkConfiguredEndpoint(ctx, cfg, "IAM")
	v.S3 = sdkConfiguredEndpoint(ctx, cfg, "S3")
	return v, outcome{kind: "ok"}, nil
}

// sdkEndpointFlags resolves use_fips_endpoint and use_dualstack_endpoint
// as the SDK's clients do: the first config source that has a value.
func sdkEndpointFlags(ctx context.Context, cfg aws.Config) (fips, dualStack bool) {
	type fipsProvider interface {
		GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
	}
	type dualStackProvider interface {
		GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(fipsProvider); ok {
			if v, found, err := p.GetUseFIPSEndpoint(ctx); err == nil && found {
				fips = v == aws.FIPSEndpointStateEnabled
				break
			}
		}
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(dualStackProvider); ok {
			if v, found, err := p.GetUseDualStackEndpoint(ctx); err == nil && found {
				dualStack = v == aws.DualStackEndpointStateEnabled
				break
			}
		}
	}
	return fips, dualStack
}

// sdkConfiguredEndpoint is internal/iamquery's configuredEndpoint (the
// logic of every generated SDK client's resolveBaseEndpoint) for any
// service id, for services whose client the test does not link.
func sdkConfiguredEndpoint(ctx context.Context, cfg aws.Config, sdkID string) string {
	type ignoreProvider interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	type serviceProvider interface {
		GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
	}
	base := aws.ToString(cfg.BaseEndpoint)
	_, global := os.LookupEnv("AWS_ENDPOINT_URL")
	_, own := os.LookupEnv("AWS_ENDPOINT_URL_" + sdkID)
	if global && !own {
		return base
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(ignoreProvider); ok {
			if ignore, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				if ignore {
					return base
				}
				break
			}
		}
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(serviceProvider); ok {
			if v, found, err := p.GetServiceBaseEndpoint(ctx, sdkID); err == nil && found {
				return v
			}
		}
	}
	return base
}

// clearAWSEnv unsets every AWS_ variable for the test, restoring them after.
func clearAWSEnv(tb interface{ Setenv(k, v string) }) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") {
			tb.Setenv(name, "") // registers the restore
			os.Unsetenv(name)
		}
	}
}

var testCert = sync.OnceValue(func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sharedconfig test CA"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IsCA:         true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
})

// writeCABundles puts a good CA bundle, an empty file and a file without
// certificates in dir.
func writeCABundles(t *testing.T, dir string) {
	t.Helper()
	for name, data := range map[string][]byte{
		"ca.pem":     testCert(),
		"empty.pem":  nil,
		"notpem.pem": []byte("not a certificate\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
