package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/process"
)

// awsProfile resolves the profile as the AWS SDKs do (so region,
// endpoint_url and AWS_ENDPOINT_URL_IAM/_STS mean what they mean to every
// SDK). A profile not yet in the files (setup writes it later) gets the
// environment's settings only.
func awsProfile(ctx context.Context, profile string) (*awsclient.Profile, error) {
	p, err := awsclient.Load(ctx, profile)
	var missing *awsclient.ProfileNotFoundError
	if errors.As(err, &missing) {
		p, err = awsclient.LoadEnv(ctx, profile)
	}
	if err != nil {
		return nil, process.ConfigError(profile, err)
	}
	return p, nil
}

// loadConfigFile reads ~/.aws/config (or where AWS_CONFIG_FILE points) as
// a file to edit.
func loadConfigFile() (cfgPath string, cfg *awsconfig.File, err error) {
	if cfgPath, err = awsconfig.ConfigPath(); err != nil {
		return
	}
	cfg, err = awsconfig.Load(cfgPath)
	return
}

// loadSharedFiles reads ~/.aws/config and ~/.aws/credentials (or where the
// environment points), as files to edit.
func loadSharedFiles() (cfgPath string, cfg *awsconfig.File, credPath string, creds *awsconfig.File, err error) {
	if cfgPath, cfg, err = loadConfigFile(); err != nil {
		return
	}
	if credPath, err = awsconfig.CredentialsPath(); err != nil {
		return
	}
	creds, err = awsconfig.LoadCredentials(credPath)
	return
}

// awsmfaProfile returns the profile a credential_process line serves when
// it runs awsmfa process, e.g. "awsmfa process --profile work" or
// "/usr/local/bin/awsmfa process -p=work --duration 8h".
func awsmfaProfile(credentialProcess string) (string, bool) {
	fields := splitCommandLine(credentialProcess)
	if len(fields) < 2 {
		return "", false
	}
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(strings.ReplaceAll(fields[0], `\`, "/"))), ".exe")
	if name != "awsmfa" || fields[1] != "process" {
		return "", false
	}
	for i := 2; i < len(fields); i++ {
		f := fields[i]
		for _, flag := range []string{"--profile", "-p"} {
			if v, ok := strings.CutPrefix(f, flag+"="); ok {
				return v, true
			}
			if f == flag && i+1 < len(fields) {
				return fields[i+1], true
			}
		}
	}
	return "", true // awsmfa, but no profile: it fails at run time
}

// splitCommandLine splits like a POSIX shell would for simple lines: on
// blanks, honouring single and double quotes (botocore splits the same way).
func splitCommandLine(s string) []string {
	var out []string
	var cur strings.Builder
	inField := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inField = r, true
		case r == ' ' || r == '\t':
			if inField {
				out = append(out, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		out = append(out, cur.String())
	}
	return out
}

// credentialProcessLine is the line setup writes for profile.
func credentialProcessLine(profile string, extra ...string) string {
	return strings.Join(append([]string{"awsmfa", "process", "--profile", profile}, extra...), " ")
}
