package tests

import (
	"context"
	"os"
	"os/signal"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/internal/cli"
	"github.com/awsmfa/awsmfa/internal/nodump"
	"github.com/awsmfa/awsmfa/internal/secretenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// The real CLI with one extra prompt driver, "script", that answers
		// from AWSMFA_TEST_ANSWERS: every client that runs `awsmfa` from PATH
		// in a script runs this.
		"awsmfa": func() {
			secretenv.Take()
			_ = nodump.Disable()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			now, sleep := scriptClock()
			code := cli.Main(ctx, os.Args[1:], cli.SystemStreams(), cli.Deps{NewPrompter: newTestPrompter, Now: now, Sleep: sleep})
			stop()
			os.Exit(code)
		},
		"credget": credgetMain,
	})
}
