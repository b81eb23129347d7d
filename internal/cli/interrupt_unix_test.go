//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestInterruptContextInstallsItsHandlerOnlyWhenWaitedOn(t *testing.T) {
	ctx, stop := InterruptContext(context.Background())
	defer stop()
	c := ctx.(*interruptContext)
	if ctx.Err() != nil || ctx.Value("key") != nil {
		t.Fatal("a fresh context is already done or has values")
	}
	if c.installed != nil {
		t.Fatal("Err or Value installed the signal handler; only a wait should")
	}

	// Deriving a context waits on it, as every timeout and lock wait does.
	child, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if c.installed == nil {
		t.Fatal("deriving a context did not install the handler")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not end a context derived from it")
	}
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("after Ctrl-C: Err() = %v, child %v; want context.Canceled", ctx.Err(), child.Err())
	}
}

func TestInterruptContextStopCancels(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "v")
	ctx, stop := InterruptContext(parent)
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err() after stop = %v, want context.Canceled", ctx.Err())
	}
	select {
	case <-ctx.Done():
	default:
		t.Error("Done() is open after stop")
	}
	if ctx.Value(key{}) != "v" {
		t.Error("the parent's values are lost")
	}
}
