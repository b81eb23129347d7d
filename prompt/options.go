package prompt

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// DefaultTimeout bounds every prompt. The Go SDK kills a credential_process
// after 60 s; giving up at 50 s leaves time to report why, instead of the
// user seeing only the SDK's "signal: killed" and a dialog that vanished.
const DefaultTimeout = 50 * time.Second

// Options configures a Prompter. Zero values mean the defaults.
type Options struct {
	// Timeout bounds each prompt; zero means DefaultTimeout.
	Timeout time.Duration
	// TTYPath is the terminal to talk to; empty means the controlling
	// terminal: /dev/tty on Unix, the console (CONIN$, CONOUT$) on Windows.
	TTYPath string
	// Getenv and LookPath replace os.Getenv and exec.LookPath when auto
	// decides whether a dialog can be shown; tests inject them.
	Getenv   func(string) string
	LookPath func(string) (string, error)
	// YkmanAccount is the OATH account the ykman driver reads; empty means
	// the MFA device's ARN.
	YkmanAccount string
}

// Names lists the prompt names New accepts; the first is the default.
func Names() []string { return []string{"auto", "gui", "terminal", "ykman"} }

// New returns the named Prompter: "auto" (also for ""), "gui", "terminal"
// or "ykman" (a YubiKey's OATH code through YubiKey Manager).
// It touches neither the display nor the terminal; drivers look for them
// only when asked for a code, so a valid cached session never needs either.
func New(name string, opts Options) (Prompter, error) {
	cfg := opts.withDefaults()
	gui := &gui{timeout: cfg.Timeout, env: cfg.environment()}
	term := &terminal{path: cfg.TTYPath, timeout: cfg.Timeout}
	switch name {
	case "", "auto":
		return &auto{gui: gui, terminal: term}, nil
	case "gui":
		return gui, nil
	case "terminal":
		return term, nil
	case "ykman":
		return newYkman(cfg, &auto{gui: gui, terminal: term}), nil
	}
	return nil, fmt.Errorf("unknown prompt %q; use one of: %s", name, strings.Join(Names(), ", "))
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.TTYPath == "" {
		o.TTYPath = defaultTTYPath
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	return o
}

func (o Options) environment() environment {
	return environment{goos: runtime.GOOS, getenv: o.Getenv, lookPath: o.LookPath}
}
