package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// maxAnswerBytes bounds a typed answer; nothing we ask for is longer.
const maxAnswerBytes = 1024

// terminal asks on the controlling terminal. It never uses stdin or stdout:
// under credential_process the SDK owns both.
type terminal struct {
	path    string
	timeout time.Duration
}

func (t *terminal) MFACode(ctx context.Context, req Request) (string, error) {
	answer, err := bounded(ctx, mfaPrompt, t.timeout, func(ctx context.Context) (string, error) {
		return t.ask(ctx, mfaQuestion(req)+"\nMFA code: ", false)
	})
	if err != nil {
		return "", err
	}
	return ParseCode(answer)
}

func (t *terminal) Passphrase(ctx context.Context, message string) (string, error) {
	return bounded(ctx, passphrasePrompt, t.timeout, func(ctx context.Context) (string, error) {
		return t.ask(ctx, printable(message)+": ", true)
	})
}

// probe reports whether the terminal can be opened, for auto's choice.
func (t *terminal) probe() error {
	con, err := openConsole(t.path)
	if err != nil {
		return err
	}
	return con.close()
}

// ask writes question and reads one line. hidden turns echo off by putting
// the terminal in raw mode, which also lets Ctrl-C cancel just the prompt.
func (t *terminal) ask(ctx context.Context, question string, hidden bool) (string, error) {
	con, err := openConsole(t.path)
	if err != nil {
		return "", fmt.Errorf("open terminal: %w; run from a terminal or use the gui prompt", err)
	}
	defer con.close()

	restore := func() {}
	if hidden {
		// Raw mode before the question: whatever is typed after the user
		// sees it must not be echoed.
		if restore, err = con.makeRaw(); err != nil {
			return "", fmt.Errorf("turn off echo on %s: %w; use the gui prompt instead", t.path, err)
		}
		question = strings.ReplaceAll(question, "\n", "\r\n") // raw mode does not add the \r
	}
	defer restore()

	if _, err := io.WriteString(con.out, question); err != nil {
		return "", fmt.Errorf("write prompt to %s: %w", t.path, err)
	}

	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		read := readLine
		if hidden {
			read = readRawLine
		}
		line, err := read(con.in)
		done <- result{line, err}
	}()

	select {
	case r := <-done:
		if hidden {
			restore()
			io.WriteString(con.out, "\n") // the Enter the user typed was not echoed
		} else if errors.Is(r.err, ErrCanceled) {
			// Ctrl-D echoes nothing: end the prompt's line, so that the
			// error awsmfa prints next starts a line of its own.
			io.WriteString(con.out, "\n")
		}
		return r.line, r.err
	case <-ctx.Done():
		restore()
		io.WriteString(con.out, "\n")
		// Closing unblocks the pending read on Unix, where the terminal is
		// polled; elsewhere the reader ends when the process does.
		con.close()
		return "", ctx.Err()
	}
}

// readLine reads up to a newline in the terminal's own line mode, one byte
// at a time so that nothing typed after the line is consumed.
func readLine(r io.Reader) (string, error) {
	var line []byte
	buf := make([]byte, 1)
	for len(line) < maxAnswerBytes {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			line = append(line, buf[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", ErrCanceled // Ctrl-D on an empty line
			}
			break // Ctrl-D after some input ends the line too
		}
		if err != nil {
			return "", fmt.Errorf("read terminal: %w", err)
		}
	}
	return strings.TrimSuffix(string(line), "\r"), nil
}

// readRawLine reads a line from a terminal in raw mode, doing the little
// line editing the terminal would: erase, kill line, interrupt, end of file.
func readRawLine(r io.Reader) (string, error) {
	var line []byte
	buf := make([]byte, 1)
	for len(line) < maxAnswerBytes {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("read terminal: %w", err)
		}
		switch buf[0] {
		case '\r', '\n':
			return string(line), nil
		case 0x7f, '\b': // erase one character, which may be several bytes
			for len(line) > 0 {
				last := line[len(line)-1]
				line = line[:len(line)-1]
				if last&0xc0 != 0x80 { // not a UTF-8 continuation byte
					break
				}
			}
		case 0x15: // Ctrl-U
			line = line[:0]
		case 0x03: // Ctrl-C
			return "", ErrCanceled
		case 0x04: // Ctrl-D
			if len(line) == 0 {
				return "", ErrCanceled
			}
		default:
			line = append(line, buf[0])
		}
	}
	return string(line), nil
}

// console is an open terminal: one file on Unix, two on Windows.
type console struct {
	in, out *os.File
	once    sync.Once
	err     error
}

// close is safe to call twice: on cancellation the prompt closes the
// console early, and the deferred close runs again.
func (c *console) close() error {
	c.once.Do(func() {
		c.err = c.in.Close()
		if c.out != c.in {
			if err := c.out.Close(); c.err == nil {
				c.err = err
			}
		}
	})
	return c.err
}

// makeRaw puts the input side in raw mode and returns how to undo it.
// It reaches the descriptor through SyscallConn, because File.Fd would make
// the file blocking, and then close could no longer interrupt a read.
func (c *console) makeRaw() (restore func(), err error) {
	raw, err := c.in.SyscallConn()
	if err != nil {
		return nil, err
	}
	var state *term.State
	if cerr := raw.Control(func(fd uintptr) { state, err = term.MakeRaw(int(fd)) }); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() { raw.Control(func(fd uintptr) { term.Restore(int(fd), state) }) })
	}, nil
}
