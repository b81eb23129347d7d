package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/process"
)

func newProcessCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	// Only a credential_process run is killed by its caller (the Go SDKs,
	// at 60s): STS must answer before that.
	o := &sessionOptions{runLimit: process.CredentialProcessRunLimit}
	cmd := &cobra.Command{
		Use:   "process --profile NAME",
		Short: "Print MFA session credentials for a profile as credential_process JSON",
		Long: `process is what AWS clients run through credential_process. It prints the
cached session for the profile as JSON on stdout and nothing else. When the
cache is empty or the session has less than --refresh-window left, it asks
for the MFA code, calls sts:GetSessionToken with the stored long-term keys,
caches the new session in the keyring and prints it. Many processes started
at once share one dialog and one STS call.

A profile with role_arn and source_profile is served by getting (or reusing)
the source profile's MFA session and calling sts:AssumeRole with it, so one
code serves every role. Role sessions are cached too; made with an MFA
session they last at most 1h (role chaining), which is also the default.
Clients must not see role_arn themselves: see the example.`,
		Example: `  # ~/.aws/config
  [profile work]
  mfa_serial = arn:aws:iam::123456789012:mfa/alice
  credential_process = awsmfa process --profile work

  # a role: awsmfa reads admin-role, clients use admin
  [profile admin-role]
  role_arn = arn:aws:iam::123456789012:role/Admin
  source_profile = work
  [profile admin]
  credential_process = awsmfa process --profile admin-role`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProcess(cmd.Context(), g, o, streams, deps)
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func runProcess(ctx context.Context, g *globalOptions, o *sessionOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME in the credential_process line")
	}
	sess, err := o.credentials(ctx, g, streams, deps)
	if err != nil {
		return err
	}
	return process.WriteJSON(streams.Out, sess)
}
