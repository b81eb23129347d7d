// Command awsmfa serves MFA-protected AWS credentials to every AWS SDK
// through credential_process, asking for the MFA code in a native dialog.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/awsmfa/awsmfa/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.SystemStreams(), cli.Deps{})
	stop()
	os.Exit(code)
}
