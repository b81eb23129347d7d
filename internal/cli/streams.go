package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/awsmfa/awsmfa/internal/privdir"
)

// IOStreams are the command's standard streams, injected so every command is
// testable and so `process` can be held to its rule: stdout carries the
// credential JSON and nothing else.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// SystemStreams are the process's own standard streams.
func SystemStreams() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// privateStdout closes stdout to group and others when it is a file (a
// redirect such as `awsmfa serve > awsmfa.env`, world-readable under the
// usual umask), before what it names, a secret, is written to it.
func privateStdout(streams IOStreams, what string) error {
	f, ok := streams.Out.(*os.File)
	if !ok {
		return nil
	}
	changed, err := privdir.RestrictFile(f)
	if err != nil {
		return fmt.Errorf("making stdout's file readable only by you before writing %s to it: %w", what, err)
	}
	if changed {
		fmt.Fprintf(streams.ErrOut, "awsmfa: stdout's file is now readable only by you: it holds %s\n", what)
	}
	return nil
}
