package cli

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/process"
)

// exportFormats are the --format values, the first being the default.
var exportFormats = []string{"env", "json", "ini", "powershell"}

type exportOptions struct {
	sessionOptions
	Format string
}

func newExportCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export --profile NAME [--format env|json|ini|powershell]",
		Short: "Print a profile's session for shells, files or scripts",
		Long: `export prints the profile's MFA (or role) session, from the cache or after
asking for a code, on stdout, for tools that cannot run credential_process:

  env         export AWS_ACCESS_KEY_ID=... lines for sh, bash and zsh, with
              AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and, when the
              profile sets one, AWS_REGION and AWS_DEFAULT_REGION
  json        the credential_process JSON (Version 1, Expiration)
  ini         a [NAME] section for a shared credentials file
  powershell  $Env:AWS_ACCESS_KEY_ID = '...' lines

The output holds the secret key and token: that is what you asked for. Keep
it out of shell history and logs; prefer credential_process or awsmfa exec.`,
		Example: `  eval "$(awsmfa export --profile work)"
  awsmfa export --profile work --format powershell | Invoke-Expression
  awsmfa export --profile admin-role --format ini >> session-credentials`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), g, o, cmd.Flags(), streams, deps)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.Format, "format", "f", exportFormats[0], "output format: "+strings.Join(exportFormats, ", ")+" (env AWSMFA_EXPORT_FORMAT)")
	setEnv(cmd.Flags(), "format", "AWSMFA_EXPORT_FORMAT")
	return cmd
}

func runExport(ctx context.Context, g *globalOptions, o *exportOptions, flags *pflag.FlagSet, streams IOStreams, deps Deps) error {
	format := strings.ToLower(o.Format)
	if !slices.Contains(exportFormats, format) {
		return fmt.Errorf("unknown --format %q; use one of: %s", o.Format, strings.Join(exportFormats, ", "))
	}
	asked := o.Profile // the section name and the region are this profile's
	if err := o.useServedProfile(ctx, flags); err != nil {
		return err
	}
	sess, err := o.credentials(ctx, g, streams, deps)
	if err != nil {
		return err
	}
	if err := privateStdout(streams, "the session's keys"); err != nil {
		return err
	}
	if format == "json" {
		return process.WriteJSON(streams.Out, sess)
	}
	region, regionSet, err := process.Region(ctx, asked)
	if err != nil {
		return err
	}
	if !regionSet {
		region = ""
	}
	var b bytes.Buffer
	switch format {
	case "ini":
		writeINI(&b, asked, sess)
	default:
		for _, kv := range sessionEnv(sess, region) {
			if format == "powershell" {
				fmt.Fprintf(&b, "$Env:%s = %s\n", kv[0], powershellQuote(kv[1]))
			} else {
				fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
			}
		}
	}
	// One write, so a reader never sees half of the credentials.
	_, err = streams.Out.Write(b.Bytes())
	return err
}

// sessionEnv is the variables every AWS SDK reads for a session, in the
// order they are printed. AWS_CREDENTIAL_EXPIRATION tells SDKs and tools
// when to stop using them.
func sessionEnv(sess cache.Session, region string) [][2]string {
	env := [][2]string{
		{"AWS_ACCESS_KEY_ID", sess.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", sess.SecretAccessKey},
		{"AWS_SESSION_TOKEN", sess.SessionToken},
		{"AWS_CREDENTIAL_EXPIRATION", sess.Expiration.UTC().Format(time.RFC3339)},
	}
	if region != "" {
		env = append(env, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region})
	}
	return env
}

func writeINI(b *bytes.Buffer, profileName string, sess cache.Session) {
	fmt.Fprintf(b, "[%s]\n", profileName)
	fmt.Fprintf(b, "# expires %s; awsmfa export --profile %s --format ini prints a new one\n", sess.Expiration.UTC().Format(time.RFC3339), profileName)
	fmt.Fprintf(b, "aws_access_key_id = %s\n", sess.AccessKeyID)
	fmt.Fprintf(b, "aws_secret_access_key = %s\n", sess.SecretAccessKey)
	fmt.Fprintf(b, "aws_session_token = %s\n", sess.SessionToken)
}

// shellQuote quotes s for POSIX shells: single quotes, each ' as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// powershellQuote quotes s as a PowerShell verbatim string: ' doubled.
func powershellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
