package cache

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// stuckRing is a keyring whose calls answer at once, or, when stuck, only
// when the test ends: go-libsecret waiting for a prompt that never
// completes.
type stuckRing struct {
	stuck   bool
	release chan struct{}
}

func (r stuckRing) wait() {
	if r.stuck {
		<-r.release
	}
}

func (r stuckRing) Get(key string) (keyring.Item, error) {
	r.wait()
	return keyring.Item{Key: key, Data: []byte("data")}, nil
}

func (r stuckRing) GetMetadata(string) (keyring.Metadata, error) {
	r.wait()
	return keyring.Metadata{}, nil
}
func (r stuckRing) Set(keyring.Item) error  { r.wait(); return nil }
func (r stuckRing) Remove(string) error     { r.wait(); return nil }
func (r stuckRing) Keys() ([]string, error) { r.wait(); return []string{"a"}, nil }
func newStuckRing(t *testing.T, stuck bool) stuckRing {
	r := stuckRing{stuck: stuck, release: make(chan struct{})}
	t.Cleanup(func() { close(r.release) })
	return r
}

// watchedContext records whether anyone asked for its Done channel, which
// for awsmfa's own context installs the Ctrl-C handler.
type watchedContext struct {
	context.Context
	watched atomic.Bool
}

func (c *watchedContext) Done() <-chan struct{} {
	c.watched.Store(true)
	return c.Context.Done()
}

func TestBoundedRingPassesAnswersThrough(t *testing.T) {
	ctx := &watchedContext{Context: context.Background()}
	r := boundedRing{Keyring: newStuckRing(t, false), ctx: ctx, limit: time.Minute, patience: time.Minute}
	item, err := r.Get("k")
	if err != nil || item.Key != "k" || string(item.Data) != "data" {
		t.Fatalf("Get = %+v, %v; want the item", item, err)
	}
	if keys, err := r.Keys(); err != nil || len(keys) != 1 {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
	if err := r.Set(keyring.Item{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if ctx.watched.Load() {
		t.Error("a call answered at once watched the context: a cache hit would install the Ctrl-C handler")
	}
}

func TestBoundedRingGivesUpOnAStuckCall(t *testing.T) {
	r := boundedRing{Keyring: newStuckRing(t, true), ctx: context.Background(), limit: 50 * time.Millisecond, patience: time.Millisecond}
	for name, call := range map[string]func() error{
		"Get":    func() error { _, err := r.Get("k"); return err },
		"Set":    func() error { return r.Set(keyring.Item{Key: "k"}) },
		"Remove": func() error { return r.Remove("k") },
		"Keys":   func() error { _, err := r.Keys(); return err },
	} {
		err := call()
		if !errors.Is(err, errStuck) || !strings.Contains(err.Error(), "did not answer within 50ms") ||
			!strings.HasSuffix(err.Error(), "or choose --keyring-backend file") {
			t.Errorf("%s on a stuck Secret Service = %v; want a bounded wait that says what to do", name, err)
		}
	}
}

func TestBoundedRingStopsOnCtrlC(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := boundedRing{Keyring: newStuckRing(t, true), ctx: ctx, limit: time.Hour, patience: time.Millisecond}
	done := make(chan error, 1)
	go func() { _, err := r.Get("k"); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Get after Ctrl-C = %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Get still waits a minute after Ctrl-C")
	}
}
