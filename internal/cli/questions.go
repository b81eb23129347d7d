package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// errAborted is the user ending the input (EOF, Ctrl-D) instead of answering.
var errAborted = errors.New("no answer (input ended)")

// questions asks on stderr and reads answers from stdin, one line each, for
// the interactive commands (setup, mfa enroll, remove). One bufio.Reader
// serves every question, so answers piped in ahead are not lost.
type questions struct {
	in    *bufio.Reader
	file  *os.File // stdin when it is a terminal, for hidden input
	out   io.Writer
	lines chan lineResult
}

type lineResult struct {
	line string
	err  error
}

func newQuestions(streams IOStreams) *questions {
	q := &questions{in: bufio.NewReader(streams.In), out: streams.ErrOut}
	if f, ok := streams.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		q.file = f
	}
	return q
}

// ask prints question and returns the trimmed answer. It returns the
// context's error when ctx ends first (Ctrl-C), and errAborted on EOF.
func (q *questions) ask(ctx context.Context, question string) (string, error) {
	fmt.Fprint(q.out, question)
	if q.lines == nil {
		// One reader goroutine at a time: a read abandoned by a cancelled
		// context delivers its line to the next ask, not to nobody.
		q.lines = make(chan lineResult, 1)
		go q.readLine(q.lines)
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(q.out)
		return "", ctx.Err()
	case r := <-q.lines:
		q.lines = nil
		if r.err != nil {
			fmt.Fprintln(q.out)
		}
		return strings.TrimSpace(r.line), r.err
	}
}

func (q *questions) readLine(ch chan<- lineResult) {
	line, err := q.in.ReadString('\n')
	switch {
	case err == io.EOF && strings.TrimSpace(line) != "":
		err = nil // a last answer without a newline
	case err == io.EOF:
		err = errAborted
	}
	ch <- lineResult{line, err}
}

// secret asks for a value without echo when stdin is a terminal.
func (q *questions) secret(ctx context.Context, question string) (string, error) {
	if q.file == nil {
		return q.ask(ctx, question)
	}
	fd := int(q.file.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	fmt.Fprint(q.out, question)
	// ReadPassword cannot be interrupted; Ctrl-C (which cancels ctx) must
	// still end the question, with the terminal's echo back on.
	answer := make(chan lineResult, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		answer <- lineResult{string(b), err}
	}()
	select {
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(q.out)
		return "", ctx.Err()
	case r := <-answer:
		fmt.Fprintln(q.out)
		if r.err != nil {
			return "", fmt.Errorf("reading the answer: %w", r.err)
		}
		return strings.TrimSpace(r.line), nil
	}
}

// confirm asks a yes/no question whose default is no.
func (q *questions) confirm(ctx context.Context, question string) (bool, error) {
	answer, err := q.ask(ctx, question+" [y/N] ")
	if errors.Is(err, errAborted) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(answer) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
