//go:build unix

package process

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// callerID names the command that ran awsmfa: its session and process
// group, which awsmfa inherits. A shell with job control gives every
// command line its own process group, so a command typed again gets a new
// one, while an SDK that reruns credential_process at once, and the
// parallel callers of one command (Terraform's providers), keep theirs.
func callerID() string {
	sid, err := unix.Getsid(0)
	if err != nil {
		sid = -1
	}
	return strconv.Itoa(sid) + "/" + strconv.Itoa(unix.Getpgrp())
}
