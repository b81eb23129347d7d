package prompt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/awsmfa/awsmfa/internal/secretenv"
)

// maxCommandOutput bounds what is kept of a code command's stdout: its end.
const maxCommandOutput = 4096

// NewCommand returns a Prompter whose MFACode runs command (a profile's
// mfa_process, e.g. `ykman oath accounts code --single work` or
// `pass otp aws/work`) through the shell, as SDKs run credential_process,
// and takes the six-digit code from its stdout. The command talks to the
// user on the terminal; it never sees awsmfa's stdout. It gets
// AWSMFA_PROFILE and AWSMFA_MFA_SERIAL in its environment.
func NewCommand(command string, opts Options) Prompter {
	cfg := opts.withDefaults()
	return &codeCommand{
		name:    "mfa_process",
		shown:   command,
		ttyPath: cfg.TTYPath,
		timeout: cfg.Timeout,
		build: func(ctx context.Context, _ Request) (*exec.Cmd, error) {
			if runtime.GOOS == "windows" {
				return secretenv.Command(ctx, "cmd.exe", "/C", command), nil
			}
			return secretenv.Command(ctx, "/bin/sh", "-c", command), nil
		},
	}
}

// codeCommand runs a program that prints an MFA code.
type codeCommand struct {
	name    string // what the user calls it, for messages
	shown   string // the command as the user wrote it; "" shows its argv
	ttyPath string
	timeout time.Duration
	build   func(ctx context.Context, req Request) (*exec.Cmd, error)
	// passphrase answers Passphrase; nil means the command cannot.
	passphrase Prompter
}

func (c *codeCommand) MFACode(ctx context.Context, req Request) (string, error) {
	return bounded(ctx, mfaPrompt, c.timeout, func(ctx context.Context) (string, error) {
		cmd, err := c.build(ctx, req)
		if err != nil {
			return "", err
		}
		return c.run(cmd, req)
	})
}

func (c *codeCommand) Passphrase(ctx context.Context, message string) (string, error) {
	if c.passphrase != nil {
		return c.passphrase.Passphrase(ctx, message)
	}
	return "", fmt.Errorf("%s only reads MFA codes; set AWSMFA_FILE_PASSPHRASE or use another --prompt for the keyring passphrase", c.name)
}

func (c *codeCommand) run(cmd *exec.Cmd, req Request) (string, error) {
	// The code helper needs no keyring passphrase: it does not inherit one.
	cmd.Env = append(secretenv.Clean(cmd.Environ()), "AWSMFA_PROFILE="+req.Profile, "AWSMFA_MFA_SERIAL="+req.MFASerial)
	// The command may need the user (a PIN, "touch your key"): give it the
	// terminal when there is one. Under credential_process awsmfa's stderr
	// is often a pipe the user never sees.
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	if con, err := openConsole(c.ttyPath); err == nil {
		defer con.close()
		cmd.Stdin, cmd.Stderr = con.in, con.out
	}
	var out tailBuffer
	cmd.Stdout = &out
	// A grandchild that keeps stdout open must not hold awsmfa up forever.
	cmd.WaitDelay = time.Second

	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && interrupted(exitErr):
		// Ctrl-C reached the command too, and it may end before awsmfa
		// learns of the signal: the user stopped the prompt.
		return "", fmt.Errorf("%s %s was interrupted: %w", c.name, c.describe(cmd), ErrCanceled)
	case errors.As(err, &exitErr):
		return "", fmt.Errorf("%s %s failed (%v); run it in a terminal to see why", c.name, c.describe(cmd), exitErr.ProcessState)
	case errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("cannot run %s %s: %v; install it or fix the command", c.name, c.describe(cmd), err)
	case err != nil:
		return "", fmt.Errorf("running %s %s: %w", c.name, c.describe(cmd), err)
	}
	code, ok := codeFromOutput(out.String())
	if !ok {
		return "", fmt.Errorf("%s %s printed no six-digit code on its last line; make it print only the code", c.name, c.describe(cmd))
	}
	return code, nil
}

func (c *codeCommand) describe(cmd *exec.Cmd) string {
	if c.shown != "" {
		return fmt.Sprintf("%q", printable(c.shown))
	}
	return fmt.Sprintf("%q", printable(strings.Join(cmd.Args, " ")))
}

var sixDigits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)`) })

// codeFromOutput takes the code from the last non-empty line: the whole
// line when it is a code ("123456", "123 456"), else the one run of
// exactly six digits in it ("Amazon Web Services:alice  123456").
func codeFromOutput(out string) (string, bool) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if code, err := ParseCode(last); err == nil {
		return code, true
	}
	found := sixDigits().FindAllStringSubmatch(last, -1)
	if len(found) != 1 {
		return "", false
	}
	return found[0][1], true
}

// tailBuffer keeps the last maxCommandOutput bytes and drops what came
// before: the code is on the last line, and a runaway command cannot fill
// memory.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - maxCommandOutput; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// interrupted tells whether SIGINT ended the command, directly or as a
// shell reports it (exit status 128+2).
func interrupted(e *exec.ExitError) bool {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGINT {
		return true
	}
	return e.ExitCode() == 128+int(syscall.SIGINT)
}
