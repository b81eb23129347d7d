// Command goclient is the AWS SDK for Go v2 as an awsmfa test client: it
// loads a profile the way applications do (the default credential chain,
// which runs the profile's credential_process) and calls
// sts:GetCallerIdentity N times in one process, printing the caller's ARN
// once per call.
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
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(args[0]))
	if err != nil {
		return fmt.Errorf("loading profile %s: %w", args[0], err)
	}
	client := sts.NewFromConfig(cfg)
	for range calls {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return err
		}
		fmt.Println(aws.ToString(out.Arn))
	}
	return nil
}
