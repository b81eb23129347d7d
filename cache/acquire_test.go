package cache

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

type acquired struct {
	unlock func() error
	done   bool
	err    error
}

// waitersWaiting makes Acquire report each waiter that starts waiting.
func waitersWaiting(t *testing.T) <-chan struct{} {
	ch := make(chan struct{}, 16)
	waitingHook = func() { ch <- struct{}{} }
	t.Cleanup(func() { waitingHook = func() {} })
	return ch
}

func acquireAsync(dir string, key SessionKey, ready func() bool) <-chan acquired {
	ch := make(chan acquired, 1)
	go func() {
		unlock, done, err := Acquire(context.Background(), dir, key, time.Minute, ready)
		ch <- acquired{unlock, done, err}
	}()
	return ch
}

func TestAcquireWaitersSeeTheRefreshWithoutTakingTheLock(t *testing.T) {
	dir := t.TempDir()
	key := NewSessionKey("work", "a")
	unlock, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	waiting := waitersWaiting(t)
	var refreshed atomic.Bool
	ready := func() bool { return refreshed.Load() }
	waiters := []<-chan acquired{acquireAsync(dir, key, ready), acquireAsync(dir, key, ready), acquireAsync(dir, key, ready)}
	for range waiters {
		<-waiting
	}

	refreshed.Store(true)            // the holder cached a new session...
	if err := unlock(); err != nil { // ...and lets go
		t.Fatal(err)
	}
	for i, w := range waiters {
		got := <-w
		if got.err != nil || !got.done || got.unlock != nil {
			t.Fatalf("waiter %d: done=%v err=%v; want done without the lock", i, got.done, got.err)
		}
	}
}

func TestAcquireTakesTheLockWhenTheHolderFailed(t *testing.T) {
	dir := t.TempDir()
	key := NewSessionKey("work", "a")
	unlock, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	waiting := waitersWaiting(t)
	waiter := acquireAsync(dir, key, func() bool { return false })
	<-waiting
	if err := unlock(); err != nil { // the holder gives up without a session
		t.Fatal(err)
	}
	got := <-waiter
	if got.err != nil || got.done || got.unlock == nil {
		t.Fatalf("done=%v err=%v; want the lock", got.done, got.err)
	}
	// It really holds it: a third process cannot take it now.
	if _, err := Lock(context.Background(), dir, key, 50*time.Millisecond); err == nil {
		t.Fatal("a second process took a lock the waiter holds")
	}
	if err := got.unlock(); err != nil {
		t.Fatal(err)
	}
}
