package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

// newCompletionCmd replaces cobra's default completion command, which would
// print to the root's output (stderr here, where stdout belongs to
// credential_process): the script must go to stdout to be sourced or saved.
func newCompletionCmd(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `completion prints the script that makes your shell complete awsmfa's
commands, flags and profile names (read from the AWS config file).

  bash:        needs the bash-completion package; load it now with
               source <(awsmfa completion bash), or save it to
               /etc/bash_completion.d/awsmfa (or ~/.local/share/bash-completion/completions/awsmfa)
  zsh:         awsmfa completion zsh > "${fpath[1]}/_awsmfa" (with compinit enabled)
  fish:        awsmfa completion fish > ~/.config/fish/completions/awsmfa.fish
  powershell:  awsmfa completion powershell | Out-String | Invoke-Expression
               (add that line to your $PROFILE to keep it)`,
		Example: `  source <(awsmfa completion bash)
  awsmfa completion zsh > "${fpath[1]}/_awsmfa"
  awsmfa completion fish > ~/.config/fish/completions/awsmfa.fish
  awsmfa completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             []string{"bash", "zsh", "fish", "powershell"},
		Args:                  cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), streams.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return fmt.Errorf("unknown shell %q; choose bash, zsh, fish or powershell", args[0])
		},
	}
}

// completeProfiles offers the profile names of the AWS config file for
// every command's --profile flag.
func completeProfiles(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("profile") != nil {
			_ = c.RegisterFlagCompletionFunc("profile", profileNames)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func profileNames(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	path, err := awsconfig.ConfigPath()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	f, err := awsconfig.Load(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return f.Profiles(), cobra.ShellCompDirectiveNoFileComp
}

// useStdoutForCompletion sends the answers of cobra's hidden completion
// request command to stdout, where the shell script reads them; everything
// else the root prints (help, usage) goes to stderr.
func useStdoutForCompletion(root *cobra.Command, args []string, streams IOStreams) {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		root.SetOut(streams.Out)
	}
}
