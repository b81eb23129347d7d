// Command benchawsmfa is awsmfa with one extra prompt driver, "bench", that
// answers like a user who reads the code off the STS stand-in's device at
// once. The benchmark uses it only where a prompt is needed (priming the
// cache, the cold-cache storm); cache hits are timed with the real binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/awsmfa/awsmfa/internal/cli"
	"github.com/awsmfa/awsmfa/internal/stsstub"
	"github.com/awsmfa/awsmfa/prompt"
)

// Environment read by the bench prompt driver.
const (
	stubURLEnv    = "BENCH_STUB_URL"   // the stand-in that knows the codes
	promptLogEnv  = "BENCH_PROMPT_LOG" // one line per prompt: its duration in µs
	passphraseEnv = "BENCH_PASSPHRASE" // what the bench prompt types for a passphrase
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.SystemStreams(), cli.Deps{NewPrompter: newPrompter})
	stop()
	os.Exit(code)
}

func newPrompter(name string, opts prompt.Options) (prompt.Prompter, error) {
	if name == "bench" {
		return benchPrompter{}, nil
	}
	return prompt.New(name, opts)
}

type benchPrompter struct{}

func (benchPrompter) MFACode(ctx context.Context, req prompt.Request) (string, error) {
	start := time.Now()
	code, err := stsstub.AdminCode(ctx, os.Getenv(stubURLEnv), req.MFASerial)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(os.Getenv(promptLogEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, time.Since(start).Microseconds()); err != nil {
		return "", err
	}
	return code, nil
}

// Passphrase types BENCH_PASSPHRASE, for `unlock` of the file keyring.
func (benchPrompter) Passphrase(context.Context, string) (string, error) {
	if v := os.Getenv(passphraseEnv); v != "" {
		return v, nil
	}
	return "", errors.New("the bench prompt knows no passphrase; set AWSMFA_FILE_PASSPHRASE or " + passphraseEnv)
}
