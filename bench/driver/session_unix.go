//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// inNewSession starts cmd in a session of its own: no controlling
// terminal, as for a client started by an IDE, cron or a systemd unit.
func inNewSession(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
