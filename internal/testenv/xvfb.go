package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// StartXvfb starts a virtual X server on a free display and returns its
// name (":N") and a function that stops it. It returns once the server
// accepts clients, or fails after patience.
func StartXvfb(patience time.Duration) (display string, stop func(), err error) {
	ready, announce, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer ready.Close()
	// -displayfd picks a free display and writes its number to fd 3 once
	// the server accepts clients: no polling, no fixed number to clash.
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1024x768x24")
	xvfb.ExtraFiles = []*os.File{announce}
	var stderr bytes.Buffer
	xvfb.Stderr = &stderr
	err = xvfb.Start()
	announce.Close()
	if err != nil {
		return "", nil, fmt.Errorf("starting Xvfb: %w", err)
	}
	stop = func() {
		_ = xvfb.Process.Kill()
		_ = xvfb.Wait()
	}
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(ready).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			stop()
			return "", nil, fmt.Errorf("the X server (Xvfb) exited without a display: %s", stderr.String())
		}
		return ":" + n, stop, nil
	case <-time.After(patience):
		stop()
		return "", nil, fmt.Errorf("the X server (Xvfb) did not start within %v: %s", patience, stderr.String())
	}
}
