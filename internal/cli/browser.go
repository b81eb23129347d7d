package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/secretenv"
)

// browserWait is how long an opener (xdg-open, open, start) gets to report
// failure; one still running by then has handed the URL to a browser.
const browserWait = 10 * time.Second

// browserCommand is the program that opens url in the default browser.
func browserCommand(goos, url string) []string {
	switch goos {
	case "darwin":
		return []string{"open", url}
	case "windows":
		// start is cmd's; "" is the window title. cmd splits the line at
		// &, | and the like, which URLs are full of: ^ makes them literal.
		return []string{"cmd", "/c", "start", "", cmdEscape(url)}
	}
	return []string{"xdg-open", url}
}

func cmdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("^&|<>()", r) {
			b.WriteByte('^')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// openBrowser opens url in the default browser. The opener gets awsmfa's
// environment without any variable that may carry a secret, awsmfa's own
// (secretenv) and any other (browserEnv): a browser lives long and passes
// its environment on to everything it starts.
func openBrowser(ctx context.Context, url string, _ IOStreams) error {
	argv := browserCommand(runtime.GOOS, url)
	// Not ctx: the opener may be the browser itself, which Ctrl-C or the end
	// of awsmfa must not kill.
	cmd := secretenv.Command(context.WithoutCancel(ctx), argv[0], argv[1:]...)
	cmd.Env = browserEnv(cmd.Env)
	// The opener gets no stderr (cmd.Stderr stays nil): xdg-open's failure
	// message repeats the URL, sign-in token included, and a browser may log
	// it too. (Nor a pipe: a browser that inherits one would keep awsmfa
	// waiting for it to close.)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot open a browser (%v); print the URL with --print and open it yourself", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(browserWait)
	defer timer.Stop()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s could not open a browser (exit status %d); print the URL with --print and open it yourself", argv[0], exit.ExitCode())
		}
		return err
	case <-timer.C:
		return nil // the opener runs on as (or with) the browser
	case <-ctx.Done():
		return nil // the URL is handed over; Ctrl-C ends only the wait
	}
}

// browserEnv is env without the variables that may hold a secret: AWS keys
// and tokens, keyring passphrases, and anything named like a secret.
func browserEnv(env []string) []string {
	return secretenv.Without(env, secretBearing)
}

func secretBearing(name string) bool {
	upper := strings.ToUpper(name)
	if upper == "AWS_ACCESS_KEY_ID" {
		return true
	}
	for _, word := range []string{"SECRET", "TOKEN", "PASSPHRASE", "PASSWORD", "CREDENTIAL", "SESSION_KEY"} {
		if strings.Contains(upper, word) {
			return true
		}
	}
	return false
}
