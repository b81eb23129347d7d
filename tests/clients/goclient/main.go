// Command goclient is the AWS SDK for Go v2 as an awsmfa test client: it
// loads a profile the way applications do (the default credential chain,
// which runs the profile's credential_process) and calls
// sts:GetCallerIdentity N times in one process, printing the caller's ARN
// once per call. PROFILE "-" loads no profile: the default chain finds the
// credentials (awsmfa's server, through AWS_CONTAINER_CREDENTIALS_FULL_URI).
// With CALLS_UNTIL=FILE it keeps calling until FILE exists; with
// KEY_LOG=FILE it appends, after each call, the access key ID its
// credentials cache then holds.
//
//	goclient PROFILE [N]
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: goclient PROFILE [N]")
	}
	calls := 1
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return fmt.Errorf("the number of calls must be positive, not %q", args[1])
		}
		calls = n
	}
	var opts []func(*config.LoadOptions) error
	if args[0] != "-" {
		opts = append(opts, config.WithSharedConfigProfile(args[0]))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("loading profile %s: %w", args[0], err)
	}
	client := sts.NewFromConfig(cfg)
	until, keyLog := os.Getenv("CALLS_UNTIL"), os.Getenv("KEY_LOG")
	for i := 0; ; i++ {
		if until == "" && i == calls {
			return nil
		}
		if until != "" {
			if _, err := os.Stat(until); err == nil {
				return nil
			}
		}
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return err
		}
		fmt.Println(aws.ToString(out.Arn))
		if keyLog != "" {
			if err := logKey(ctx, cfg.Credentials, keyLog); err != nil {
				return err
			}
		}
	}
}

// logKey appends the access key ID the credentials cache holds to path.
func logKey(ctx context.Context, creds aws.CredentialsProvider, path string) error {
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, c.AccessKeyID)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
