package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/redact"
	"github.com/awsmfa/awsmfa/internal/version"
)

// Clock skew limits: SigV4 requests are refused beyond 5 minutes, and TOTP
// codes are accepted only one 30-second window either side.
const (
	skewWarn = 30 * time.Second
	skewFail = 5 * time.Minute
)

type doctorOptions struct {
	Profile string
	Timeout time.Duration
}

func newDoctorCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [--profile NAME]",
		Short: "Check the setup and explain how to fix what is wrong",
		Long: `doctor checks everything awsmfa depends on and prints one line per check,
OK, WARN or FAIL, with the fix: the AWS config files parse and the profile
resolves; nothing makes clients bypass awsmfa or awsmfa call itself (static
keys, role_arn next to credential_process, a credential_process for another
profile); the keyring opens and holds the profile's keys; a dialog or a
terminal is there to ask for the code; this computer's clock agrees with STS
(SigV4 fails beyond 5 minutes of skew, MFA codes beyond about 30 seconds);
STS is reachable and accepts the stored key; and the cached session's time
left. Without --profile it checks every profile whose credential_process
runs awsmfa. It exits 1 when any check FAILs, and never prints a secret.`,
		Example: `  awsmfa doctor
  awsmfa doctor --profile work`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), g, o, streams, deps)
		},
	}
	cmd.Flags().StringVarP(&o.Profile, "profile", "p", "", "profile to check (default: every profile that runs awsmfa)")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 10*time.Second, "how long to wait for STS in the network checks")
	return cmd
}

// report prints check results and counts failures.
type report struct {
	w     io.Writer
	fails int
}

func (r *report) line(status, check, format string, args ...any) {
	if status == "FAIL" {
		r.fails++
	}
	fmt.Fprintf(r.w, "%-4s  %-12s %s\n", status, check, fmt.Sprintf(format, args...))
}

func (r *report) ok(check, format string, args ...any)   { r.line("OK", check, format, args...) }
func (r *report) warn(check, format string, args ...any) { r.line("WARN", check, format, args...) }
func (r *report) fail(check, format string, args ...any) { r.line("FAIL", check, format, args...) }

func runDoctor(ctx context.Context, g *globalOptions, o *doctorOptions, streams IOStreams, deps Deps) error {
	r := &report{w: streams.Out}
	r.ok("version", "%s", version.Current().Short()) // first, for bug reports
	cfg, creds := checkConfigFiles(r)
	profiles := []string{o.Profile}
	if o.Profile == "" {
		profiles = awsmfaProfiles(cfg)
		if len(profiles) == 0 && cfg != nil {
			r.warn("profiles", "no profile's credential_process runs awsmfa; set one up with: awsmfa setup --profile NAME")
		}
	}
	store := checkKeyring(ctx, r, g, deps)
	checkPrompt(r)
	for _, p := range profiles {
		d := &profileDoctor{r: r, name: p, cfg: cfg, creds: creds, store: store, timeout: o.Timeout}
		d.run(ctx)
	}
	if r.fails > 0 {
		return fmt.Errorf("doctor found %d problem(s); fix the FAIL lines above", r.fails)
	}
	return nil
}

// checkConfigFiles parses both shared files; a file that does not parse is
// reported and treated as absent by the later checks.
func checkConfigFiles(r *report) (cfg, creds *awsconfig.File) {
	for _, kind := range []struct {
		name string
		path func() (string, error)
		load func(string) (*awsconfig.File, error)
		out  **awsconfig.File
	}{
		{"config", awsconfig.ConfigPath, awsconfig.Load, &cfg},
		{"credentials", awsconfig.CredentialsPath, awsconfig.LoadCredentials, &creds},
	} {
		path, err := kind.path()
		if err != nil {
			r.fail(kind.name, "%v", err)
			continue
		}
		f, err := kind.load(path)
		if err != nil {
			r.fail(kind.name, "%v", err)
			continue
		}
		*kind.out = f
		shown := redact.Show(redact.Path, path) // AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if kind.name == "config" {
				r.warn(kind.name, "%s does not exist; create a profile with: awsmfa setup --profile NAME", shown)
			} else {
				r.ok(kind.name, "%s does not exist (good: awsmfa keeps keys in the keyring)", shown)
			}
			continue
		}
		r.ok(kind.name, "%s parses (%d profile(s))", shown, len(f.Profiles()))
	}
	return cfg, creds
}

func awsmfaProfiles(cfg *awsconfig.File) []string {
	if cfg == nil {
		return nil
	}
	var out []string
	for _, p := range cfg.Profiles() {
		line, _ := cfg.Get(p, "credential_process")
		if _, ok := awsmfaProfile(line); ok {
			out = append(out, p)
		}
	}
	return out
}

func checkKeyring(ctx context.Context, r *report, g *globalOptions, deps Deps) *cache.Store {
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		r.fail("keyring", "%v", err)
		return nil
	}
	r.ok("keyring", "backend %s opens", store.Backend())
	if store.Backend() == "file" {
		state, err := cache.FileUnlock(cache.Config{})
		switch {
		case err != nil:
			r.fail("file-unlock", "%v", err)
		case state.FromEnv || state.Remembered:
			r.ok("file-unlock", "%s", describeFileUnlock(state))
		default:
			r.warn("file-unlock", "%s", describeFileUnlock(state))
		}
	}
	return store
}

// checkPrompt looks for a way to ask for the code: a dialog, a terminal.
func checkPrompt(r *report) {
	choice := os.Getenv("AWSMFA_PROMPT")
	dialogErr := dialogProblem()
	ttyErr := probeTerminal()
	neither := dialogErr != nil && ttyErr != nil
	if dialogErr != nil {
		status := "WARN"
		if choice == "gui" || (neither && (choice == "" || choice == "auto")) {
			status = "FAIL"
		}
		r.line(status, "dialog", "%v; awsmfa asks on the terminal instead; for a dialog run in a desktop session and install zenity (or qarma, matedialog)", dialogErr)
	} else {
		r.ok("dialog", "a dialog can be shown")
	}
	if ttyErr != nil {
		status := "WARN"
		if choice == "terminal" || (neither && (choice == "" || choice == "auto")) {
			status = "FAIL"
		}
		r.line(status, "terminal", "%s cannot be opened (%v); the terminal prompt works only from a terminal", terminalDevice, ttyErr)
	} else {
		r.ok("terminal", "%s opens", terminalDevice)
	}
	if choice != "" && choice != "auto" {
		r.ok("prompt", "AWSMFA_PROMPT=%s chooses how the code is asked for", choice)
	}
}

// dialogProblem mirrors the prompt package's choice: on Linux and the BSDs
// a dialog needs a display and one of the programs zenity drives.
func dialogProblem() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display (DISPLAY and WAYLAND_DISPLAY are unset)")
	}
	for _, name := range []string{"qarma", "zenity", "matedialog"} {
		if _, err := exec.LookPath(name); err == nil {
			return nil
		}
	}
	return errors.New("no dialog program (qarma, zenity or matedialog) on PATH")
}

func probeTerminal() error {
	f, err := os.OpenFile(terminalDevice, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// mfaSerialPattern is an MFA device ARN; hardware tokens have plain serials.
var mfaSerialPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws[\w-]*:iam::\d{12}:(mfa|u2f)/.+$`) })

// callsAwsmfa reports whether a command line starts awsmfa.
func callsAwsmfa(line string) bool {
	fields := splitCommandLine(line)
	if len(fields) == 0 {
		return false
	}
	base := strings.ToLower(fields[0])
	base = base[strings.LastIndexAny(base, `/\`)+1:]
	return strings.TrimSuffix(base, ".exe") == "awsmfa"
}
