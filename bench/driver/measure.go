package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"time"
)

// command is one program run the same way every time.
type command struct {
	path string
	args []string
	env  []string
	// check judges what a run printed; nil accepts credential_process
	// JSON as awsmfa and the floor print it.
	check func(stdout []byte) error
	// noTerminal runs it in a new session, without a controlling terminal.
	noTerminal bool
}

// result of one run: wall time from start to exit.
type sample struct {
	wall time.Duration
}

func (c command) run() (sample, []byte, error) {
	cmd, out, errOut := c.process()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err := c.judge(err, out, errOut); err != nil {
		return sample{}, nil, err
	}
	return sample{wall: wall}, out.Bytes(), nil
}

// process is one not yet started run of c, with its output captured.
func (c command) process() (cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
	cmd = exec.Command(c.path, c.args...)
	cmd.Env = c.env
	if c.noTerminal {
		inNewSession(cmd)
	}
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd, stdout, stderr
}

// judge turns a finished run's exit error and output into an error unless
// the run exited cleanly and printed what c.check accepts.
func (c command) judge(exitErr error, stdout, stderr *bytes.Buffer) error {
	if exitErr != nil {
		return fmt.Errorf("%s %v: %v: %s", c.path, c.args, exitErr, bytes.TrimSpace(stderr.Bytes()))
	}
	check := c.check
	if check == nil {
		check = compactCredentials
	}
	if err := check(stdout.Bytes()); err != nil {
		return fmt.Errorf("%s %v: %w", c.path, c.args, err)
	}
	return nil
}

// compactCredentials accepts credential_process JSON as awsmfa and the floor
// print it. Like every check, it never quotes the output: that holds a secret.
func compactCredentials(stdout []byte) error {
	if !bytes.HasPrefix(stdout, []byte(`{"Version":1,`)) {
		return errors.New("printed something other than credentials")
	}
	return nil
}

// summary of many runs.
type summary struct {
	median time.Duration
}

// interleave runs a and b alternately, n times each after a short warm-up,
// so that load from other work on the machine hits both alike.
func interleave(a, b command, n int) (summary, summary, error) {
	var as, bs []sample
	for i := -5; i < n; i++ {
		// Which runs first swaps every round: whichever follows the other
		// can find its pages warm or the CPU busy, and neither may always
		// have that luck.
		first, second := &a, &b
		if i%2 != 0 {
			first, second = &b, &a
		}
		x, _, err := first.run()
		if err != nil {
			return summary{}, summary{}, err
		}
		y, _, err := second.run()
		if err != nil {
			return summary{}, summary{}, err
		}
		if first != &a {
			x, y = y, x
		}
		if i >= 0 {
			as, bs = append(as, x), append(bs, y)
		}
	}
	return summarize(as), summarize(bs), nil
}

func summarize(s []sample) summary {
	walls := make([]time.Duration, len(s))
	for i := range s {
		walls[i] = s[i].wall
	}
	slices.Sort(walls)
	return summary{median: walls[len(walls)/2]}
}

// peakRSS is the median peak resident set size of 5 runs, in KiB, as
// /usr/bin/time reports it. Not the driver's own getrusage of the child: a
// child forked from the driver inherits the driver's peak until exec.
func (c command) peakRSS() (string, error) {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		return "n/a (no /usr/bin/time)", nil
	}
	var rss []int
	for range 5 {
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", c.path}, c.args...)...)
		cmd.Env = c.env
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s: %v: %s", c.path, err, errOut.Bytes())
		}
		lines := bytes.Fields(errOut.Bytes())
		n, err := strconv.Atoi(string(lines[len(lines)-1]))
		if err != nil {
			return "", fmt.Errorf("/usr/bin/time printed %q", errOut.Bytes())
		}
		rss = append(rss, n)
	}
	slices.Sort(rss)
	return fmt.Sprintf("%d KiB", rss[len(rss)/2]), nil
}
