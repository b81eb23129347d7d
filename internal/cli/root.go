// Package cli holds awsmfa's commands: one file a command, each with an
// options struct and a run function that gets its I/O streams injected.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/prompt"
)

// Deps are the seams tests replace: how a prompt driver is made, and the
// clock the credential flow reads and waits on (nil: the real one).
type Deps struct {
	NewPrompter func(name string, opts prompt.Options) (prompt.Prompter, error)
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	KeyringBackend string
	Debug          bool
}

// Main runs awsmfa with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, streams IOStreams, deps Deps) int {
	if deps.NewPrompter == nil {
		deps.NewPrompter = prompt.New
	}
	root := newRootCmd(streams, deps, args...)
	root.SetArgs(args)
	useStdoutForCompletion(root, args, streams)
	if err := root.ExecuteContext(ctx); err != nil {
		var exit *exitCodeError
		if errors.As(err, &exit) {
			return exit.code // exec: the command's own exit code, already explained
		}
		// One line on stderr: clients such as botocore show it to the user.
		fmt.Fprintf(streams.ErrOut, "awsmfa: %s\n", oneSentence(err.Error()))
		return 1
	}
	return 0
}

// newRootCmd builds the command tree. Given the command line, it builds
// only the command the line names when it names one: every AWS call runs
// `awsmfa process`, and a cache hit should not pay for making the other
// commands. Help, completion and unknown commands get the whole tree.
func newRootCmd(streams IOStreams, deps Deps, args ...string) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "awsmfa",
		Short: "MFA-protected AWS credentials for every SDK, through credential_process",
		Long: `awsmfa keeps your IAM user's long-term keys in the OS keyring and serves
MFA session credentials to every AWS client through credential_process.
When the cached session nears its end it asks for the MFA code in a native
dialog (or on the terminal), calls STS once, and caches the new session.`,
		Example: `  awsmfa add --profile work
  # ~/.aws/config:
  #   [profile work]
  #   mfa_serial = arn:aws:iam::123456789012:mfa/alice
  #   credential_process = awsmfa process --profile work
  aws sts get-caller-identity --profile work`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnvDefaults(cmd.Flags())
		},
	}
	// awsmfa has its own completion command; cobra's would be built on every
	// run that builds one command alone.
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetOut(streams.ErrOut)
	root.SetErr(streams.ErrOut)
	root.PersistentFlags().StringVar(&g.KeyringBackend, "keyring-backend", "", "keyring backend: "+strings.Join(cache.Backends(), ", ")+" (env AWSMFA_KEYRING_BACKEND; default per OS)")
	root.PersistentFlags().BoolVar(&g.Debug, "debug", false, "print diagnostics to stderr (env AWSMFA_DEBUG)")
	setEnv(root.PersistentFlags(), "keyring-backend", "AWSMFA_KEYRING_BACKEND")
	setEnv(root.PersistentFlags(), "debug", "AWSMFA_DEBUG")
	addVersionFlag(root, streams)

	for _, c := range subcommands {
		if len(args) == 0 || !isSubcommand(args[0]) || args[0] == c.name {
			root.AddCommand(c.make(g, streams, deps))
		}
	}
	completeProfiles(root)
	root.SetFlagErrorFunc(flagError)
	explainArgs(root)
	return root
}

// flagError makes a flag error say what to do: a bad duration shows how
// durations are written, and any other error points at the command's help.
func flagError(cmd *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) && invalid.GetFlag() != nil && invalid.GetFlag().Value.Type() == "duration" {
		return fmt.Errorf("--%s %q is not a duration; write it as 12h, 90m or 1h30m", invalid.GetFlag().Name, invalid.GetValue())
	}
	if words := cmd.Flags().Args(); cmd.HasSubCommands() && len(words) > 0 {
		return unknownSubcommand(cmd, words[0]) // `awsmfa mfa enrol --profile work`
	}
	return fmt.Errorf("%w; see: %s --help", err, cmd.CommandPath())
}

// unknownSubcommand is the error for a word that names none of a command
// group's commands, with cobra's suggestion when it has one.
func unknownSubcommand(cmd *cobra.Command, word string) error {
	path := cmd.CommandPath()
	name := strings.TrimPrefix(path, cmd.Root().Name()+" ")
	if names := cmd.SuggestionsFor(word); len(names) > 0 {
		return fmt.Errorf("%s has no command %q; did you mean %q? See: %s --help", name, word, names[0], path)
	}
	return fmt.Errorf("%s has no command %q; see: %s --help", name, word, path)
}

// explainArgs replaces cobra's "unknown command" for a word after a command
// that takes none (`awsmfa login work`) with what to type instead.
func explainArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		explainArgs(sub)
	}
	check := c.Args
	if check == nil || !c.HasParent() {
		return
	}
	if c.HasSubCommands() && !c.Runnable() {
		// cobra shows a group's help for any word (`awsmfa mfa enrol`) and
		// exits 0; runnable, its arguments are checked like any command's.
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		c.DisableFlagsInUseLine = true
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		if err == nil {
			return nil
		}
		path := cmd.CommandPath()
		name := strings.TrimPrefix(path, cmd.Root().Name()+" ")
		if len(cmd.ValidArgs) > 0 {
			got := "none"
			if len(args) > 0 {
				got = strconv.Quote(strings.Join(args, " "))
			}
			return fmt.Errorf("%s takes one of %s, got %s; see: %s --help", name, strings.Join(cmd.ValidArgs, ", "), got, path)
		}
		if len(args) == 0 || !strings.HasPrefix(err.Error(), "unknown command") {
			return err
		}
		if cmd.HasSubCommands() {
			return unknownSubcommand(cmd, args[0])
		}
		if cmd.Flags().Lookup("profile") != nil {
			return fmt.Errorf("%s takes no arguments, got %q; a profile is given as: %s --profile %s", name, args[0], path, args[0])
		}
		return fmt.Errorf("%s takes no arguments, got %q; see: %s --help", name, args[0], path)
	}
}

// subcommands are awsmfa's commands, in the order help lists them.
var subcommands = []struct {
	name string
	make func(*globalOptions, IOStreams, Deps) *cobra.Command
}{
	{"process", newProcessCmd},
	{"add", newAddCmd},
	{"clear", newClearCmd},
	{"demo", func(_ *globalOptions, streams IOStreams, _ Deps) *cobra.Command { return newDemoCmd(streams) }},
	{"setup", newSetupCmd},
	{"mfa", newMFACmd},
	{"list", newListCmd},
	{"lock", newLockCmd},
	{"unlock", newUnlockCmd},
	{"remove", newRemoveCmd},
	{"doctor", newDoctorCmd},
	{"completion", func(_ *globalOptions, streams IOStreams, _ Deps) *cobra.Command { return newCompletionCmd(streams) }},
	{"version", func(_ *globalOptions, streams IOStreams, _ Deps) *cobra.Command { return newVersionCmd(streams) }},
	{"export", newExportCmd},
	{"exec", newExecCmd},
	{"serve", newServeCmd},
	{"login", newLoginCmd},
	{"rotate", newRotateCmd},
}

func isSubcommand(name string) bool {
	for _, c := range subcommands {
		if c.name == name {
			return true
		}
	}
	return false
}

// envAnnotation names the environment variable that sets a flag's default.
const envAnnotation = "awsmfa_env"

func setEnv(fs *pflag.FlagSet, flag, env string) {
	if err := fs.SetAnnotation(flag, envAnnotation, []string{env}); err != nil {
		panic(err) // a typo in a flag name: a programming error
	}
}

// applyEnvDefaults lets AWSMFA_* variables set any flag not given on the
// command line, so a credential_process line can stay short.
func applyEnvDefaults(fs *pflag.FlagSet) error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		envs := f.Annotations[envAnnotation]
		if len(envs) == 0 || f.Changed {
			return
		}
		if v, ok := os.LookupEnv(envs[0]); ok && v != "" {
			if err := f.Value.Set(v); err != nil {
				switch f.Value.Type() {
				case "duration":
					errs = append(errs, fmt.Errorf("%s=%q is not a duration; write it as 12h, 90m or 1h30m, or unset it", envs[0], v))
					return
				case "bool":
					errs = append(errs, fmt.Errorf("%s=%q is not a yes or no; set it to 1 or 0 (true or false), or unset it", envs[0], v))
					return
				}
				errs = append(errs, fmt.Errorf("%s=%q: %w; fix or unset it", envs[0], v, err))
			}
		}
	})
	return errors.Join(errs...)
}

// oneSentence puts an error on one line, turning cobra's multi-line
// "Did you mean this?" list into words.
func oneSentence(s string) string {
	head, suggestions, ok := strings.Cut(s, "\n\nDid you mean this?\n")
	if !ok {
		if head, ok := strings.CutSuffix(s, ` for "awsmfa"`); ok && strings.HasPrefix(head, "unknown command ") {
			return oneLine(head) + "; run awsmfa --help for the list."
		}
		return oneLine(s)
	}
	var names []string
	for _, f := range strings.Fields(suggestions) {
		names = append(names, strconv.Quote(f))
	}
	head = strings.TrimSuffix(oneLine(head), ` for "awsmfa"`)
	return head + "; did you mean " + strings.Join(names, " or ") + "? Run awsmfa --help for the list."
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// debugf returns a logger for diagnostics on stderr, or a no-op.
func (g *globalOptions) debugf(streams IOStreams) func(string, ...any) {
	if !g.Debug {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) {
		fmt.Fprintf(streams.ErrOut, "awsmfa: debug: "+format+"\n", args...)
	}
}
