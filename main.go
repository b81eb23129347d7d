// Command awsmfa serves MFA-protected AWS credentials to every AWS SDK
// through credential_process, asking for the MFA code in a native dialog.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/awsmfa/awsmfa/internal/cli"
	"github.com/awsmfa/awsmfa/internal/nodump"
	"github.com/awsmfa/awsmfa/internal/secretenv"
)

func main() {
	// Before anything can start a child: none of them gets the keyring
	// passphrase.
	secretenv.Take()
	// No core dump holds the secrets; where the OS refuses, carry on.
	_ = nodump.Disable()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.SystemStreams(), cli.Deps{})
	stop()
	os.Exit(code)
}
