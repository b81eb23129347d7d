package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/internal/signin"
)

// loginIssuer names awsmfa to the federation endpoint, which shows it
// when the console session ends.
const loginIssuer = "awsmfa"

// federationPolicy is passed to GetFederationToken: without a policy the
// federated session has no permissions at all. Its permissions are the
// intersection of this and the IAM user's own policies, so it grants
// nothing the user does not have.
const federationPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

type loginOptions struct {
	sessionOptions
	Print       bool
	Destination string
	Federated   bool
}

func newLoginCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login --profile NAME [--print] [--destination URL] [--federated]",
		Short: "Open the AWS console signed in with a profile's session",
		Long: `login opens the AWS console in your default browser (xdg-open, open or
start), signed in as the profile, with no new MFA code when awsmfa holds a
session already.

A role profile (role_arn + source_profile): the role session awsmfa caches
(made from the MFA session) is exchanged at the AWS federation endpoint for a
sign-in URL, which goes to --destination (default: the console home). The
sign-in host follows the role's partition (aws, aws-cn, aws-us-gov).

An IAM-user profile: the federation endpoint takes no GetSessionToken session,
so login opens the account's own sign-in page (the account taken from
mfa_serial, no AWS call), where you sign in with password and MFA code.
--federated instead signs in with a sts:GetFederationToken session made with
the stored long-term key; that session carries no MFA, so policies that
require MFA deny it: use it only where the account does not require MFA.

--print prints the URL on stdout instead of opening it. A sign-in URL holds a
sign-in token for 15 minutes: do not share it. AWSMFA_FEDERATION_URL sets the
federation endpoint (the full .../federation URL) for tests and partitions
awsmfa does not know.`,
		Example: `  awsmfa login --profile admin-role
  awsmfa login --profile admin-role --destination https://console.aws.amazon.com/s3/
  awsmfa login --profile admin-role --print
  awsmfa login --profile work              # the account's sign-in page
  awsmfa login --profile work --federated  # no MFA in the console session`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogin(cmd.Context(), g, o, cmd.Flags(), streams, deps)
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().Lookup("profile").Usage = "profile to sign in as: a role profile, or an IAM-user profile (required)"
	f := cmd.Flags()
	f.BoolVar(&o.Print, "print", false, "print the sign-in URL on stdout instead of opening a browser")
	f.StringVar(&o.Destination, "destination", "", "console page to land on (default: the console home of the partition)")
	f.BoolVar(&o.Federated, "federated", false, "IAM-user profile: sign in with a GetFederationToken session, which carries no MFA")
	return cmd
}

func runLogin(ctx context.Context, g *globalOptions, o *loginOptions, flags *pflag.FlagSet, streams IOStreams, deps Deps) error {
	clients, err := o.servedProfile(ctx, flags)
	if err != nil {
		return err
	}
	var loginURL, who string
	switch p := clients.profile; {
	case p.RoleARN != "" && o.Federated:
		return fmt.Errorf("--federated is for IAM-user profiles; profile %q is a role profile, which signs in with its role session: drop --federated", o.Profile)
	case p.RoleARN != "":
		loginURL, who, err = o.roleLogin(ctx, g, clients, streams, deps)
	case o.Federated:
		loginURL, who, err = o.federatedLogin(ctx, g, clients, streams, deps)
	default:
		loginURL, who, err = o.accountSigninPage(clients, streams)
	}
	if err != nil {
		return err
	}
	if o.Print {
		if strings.Contains(loginURL, "SigninToken=") {
			if err := privateStdout(streams, "the sign-in token"); err != nil {
				return err
			}
		}
		_, err := fmt.Fprintln(streams.Out, loginURL)
		return err
	}
	if err := openBrowser(ctx, loginURL, streams); err != nil {
		return err
	}
	fmt.Fprintf(streams.ErrOut, "Opened %s in your browser.\n", who)
	return nil
}

// roleLogin exchanges the role profile's session for a sign-in URL.
func (o *loginOptions) roleLogin(ctx context.Context, g *globalOptions, clients *awsClients, streams IOStreams, deps Deps) (string, string, error) {
	role, err := arn.Parse(clients.profile.RoleARN)
	if err != nil {
		return "", "", fmt.Errorf("profile %q: role_arn is not an ARN (%v); fix role_arn", o.Profile, err)
	}
	partition, err := signin.ForPartition(role.Partition)
	if err != nil && os.Getenv(signin.FederationURLEnv) == "" {
		return "", "", err
	}
	sess, err := o.credentials(ctx, g, streams, deps)
	if err != nil {
		return "", "", err
	}
	creds := aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken}
	u, err := o.federationLogin(ctx, clients, partition, creds)
	return u, "the AWS console as role " + clients.profile.RoleARN + " (profile " + o.Profile + ")", err
}

// federatedLogin makes a GetFederationToken session with the stored
// long-term key and exchanges it for a sign-in URL.
func (o *loginOptions) federatedLogin(ctx context.Context, g *globalOptions, clients *awsClients, streams IOStreams, deps Deps) (string, string, error) {
	keys, err := storedKeys(ctx, g, o.Profile, deps)
	if err != nil {
		return "", "", err
	}
	signer := clients.signingWith(aws.Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey})
	out, err := signer.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:   aws.String(federatedUserName(o.Profile)),
		Policy: aws.String(federationPolicy),
	})
	if err != nil {
		return "", "", explainAWSError("STS GetFederationToken", err, o.Profile, keys)
	}
	user := aws.ToString(out.FederatedUser.Arn)
	fmt.Fprintf(streams.ErrOut, "awsmfa: note: this console session is a GetFederationToken session made with the long-term key %s, and carries no MFA: policies that require MFA deny it.\n", keys.MaskedID())
	partitionID := "aws"
	if a, err := arn.Parse(user); err == nil {
		partitionID = a.Partition
	}
	partition, err := signin.ForPartition(partitionID)
	if err != nil && os.Getenv(signin.FederationURLEnv) == "" {
		return "", "", err
	}
	c := out.Credentials
	creds := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	u, err := o.federationLogin(ctx, clients, partition, creds)
	return u, "the AWS console as federated user " + user, err
}

// federationLogin gets a sign-in token for creds and builds the login URL.
func (o *loginOptions) federationLogin(ctx context.Context, clients *awsClients, partition signin.Partition, creds aws.Credentials) (string, error) {
	destination := o.Destination
	if destination == "" {
		destination = partition.ConsoleHome()
	}
	if destination == "" {
		return "", errors.New("awsmfa does not know this partition's console; pass --destination with the console URL to land on")
	}
	endpoint := partition.FederationURL(os.Getenv)
	token, err := signin.Token(ctx, clients.cfg.HTTPClient, endpoint, creds)
	var refused *signin.RefusedError
	if errors.As(err, &refused) {
		return "", fmt.Errorf("console sign-in for profile %q failed: %w", o.Profile, err)
	}
	if err != nil {
		return "", err
	}
	return signin.LoginURL(endpoint, loginIssuer, destination, token), nil
}

// accountSigninPage is the IAM user's account's sign-in page, from the
// profile's mfa_serial: no AWS call, and the user signs in with password
// and MFA code, which is what policies that require MFA ask for.
func (o *loginOptions) accountSigninPage(clients *awsClients, streams IOStreams) (string, string, error) {
	if o.Destination != "" {
		return "", "", fmt.Errorf("--destination needs a federated sign-in; profile %q is an IAM user, whose console sign-in is the account's own page: use a role profile, or --federated (no MFA)", o.Profile)
	}
	serial := clients.profile.MFASerial
	device, err := arn.Parse(serial)
	if err != nil || device.AccountID == "" {
		return "", "", fmt.Errorf("profile %q has no mfa_serial ARN to take the AWS account from; add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE, or use --federated", o.Profile)
	}
	partition, err := signin.ForPartition(device.Partition)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(streams.ErrOut, "awsmfa: the federation endpoint takes no MFA session of an IAM user, so this is account %s's sign-in page: sign in with the IAM user's password and MFA code (a role profile signs in without them).\n", device.AccountID)
	return partition.AccountSigninURL(device.AccountID), "account " + device.AccountID + "'s sign-in page", nil
}

// federatedUserName is GetFederationToken's Name for profile: at most 32
// of the characters the API allows, so CloudTrail shows where it came from.
func federatedUserName(profile string) string {
	name := strings.Map(func(r rune) rune {
		if sessionNameChar(r) {
			return r
		}
		return '-'
	}, "awsmfa-"+profile)
	return name[:min(len(name), 32)]
}

func sessionNameChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}
