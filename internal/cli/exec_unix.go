//go:build unix

package cli

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// catchSignals starts catching the signals awsmfa exec passes on.
func catchSignals() chan os.Signal {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	return signals
}

// forwardSignals passes caught signals on to child until done is closed.
// Ctrl-C and Ctrl-\ on the terminal already reach the child, which is in
// awsmfa's foreground process group: passing those on as well would deliver
// them twice (a second SIGINT makes terraform abort instead of stopping
// cleanly), so SIGINT and SIGQUIT are passed on only when awsmfa does not
// run in the terminal's foreground.
func forwardSignals(signals <-chan os.Signal, child *os.Process, done <-chan struct{}) {
	for {
		select {
		case sig := <-signals:
			if (sig == syscall.SIGINT || sig == syscall.SIGQUIT) && inForeground() {
				continue
			}
			_ = child.Signal(sig) // it may have exited meanwhile
		case <-done:
			return
		}
	}
}

// inForeground reports whether awsmfa's process group is the foreground
// group of its controlling terminal, i.e. keyboard signals reach it.
func inForeground() bool {
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	defer tty.Close()
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// exitStatus is the command's exit code, or 128+N when signal N ended it,
// as shells report it.
func exitStatus(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}
