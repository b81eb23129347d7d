package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/version"
)

func newVersionCmd(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print awsmfa's version, commit, build date and Go version",
		Long: `version prints what a bug report needs: awsmfa's version, the commit and
date it was built from, and the Go toolchain and platform (awsmfa --version
prints the same).`,
		Example: `  awsmfa version
  awsmfa --version`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(streams.Out, version.Current())
			return err
		},
	}
}

// addVersionFlag gives the root command --version, printed on stdout like
// the version command (cobra's own flag would print on the root's output,
// which is stderr so that help never mixes with credential JSON).
func addVersionFlag(root *cobra.Command, streams IOStreams) {
	show := root.Flags().Bool("version", false, "print the version and exit (same as awsmfa version)")
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		if !*show {
			return cmd.Help()
		}
		_, err := fmt.Fprint(streams.Out, version.Current())
		return err
	}
}
