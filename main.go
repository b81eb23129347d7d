// Command awsmfa serves MFA-protected AWS credentials to every AWS SDK
// through credential_process, asking for the MFA code in a native dialog.
package main

import (
	"context"
	"os"

	"github.com/awsmfa/awsmfa/internal/cli"
)

func main() {
	ctx, stop := cli.InterruptContext(context.Background())
	code := cli.Main(ctx, os.Args[1:], cli.SystemStreams(), cli.Deps{})
	stop()
	os.Exit(code)
}
