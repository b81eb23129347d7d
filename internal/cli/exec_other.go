//go:build !unix

package cli

import (
	"os"
	"os/signal"
)

// catchSignals keeps Ctrl-C from ending awsmfa before the command: on
// Windows, Ctrl-C and Ctrl-Break reach every process on the console, the
// command included, so there is nothing to pass on.
func catchSignals() chan os.Signal {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt)
	return signals
}

func forwardSignals(<-chan os.Signal, *os.Process, <-chan struct{}) {}

func exitStatus(state *os.ProcessState) int { return state.ExitCode() }
