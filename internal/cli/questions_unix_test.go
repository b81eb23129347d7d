//go:build linux || darwin

package cli

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// echoOn reports whether the terminal echoes what is typed.
func echoOn(t *testing.T, fd int) bool {
	t.Helper()
	termios, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	return termios.Lflag&unix.ECHO != 0
}

func TestSecretQuestionEndsOnCtrlCWithEchoBack(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	fd := int(tty.Fd())
	q := newQuestions(IOStreams{In: tty, Out: io.Discard, ErrOut: io.Discard})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := q.secret(ctx, "AWS secret access key: ")
		done <- err
	}()
	// Wait (bounded) until the question has turned echo off, as it does
	// while the user types, then press Ctrl-C (main cancels ctx on SIGINT).
	for deadline := time.Now().Add(10 * time.Second); echoOn(t, fd); {
		if time.Now().After(deadline) {
			t.Fatal("the secret question never turned echo off")
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not end the secret question")
	}
	if !echoOn(t, fd) {
		t.Error("the terminal was left without echo")
	}
}
