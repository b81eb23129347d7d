package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
)

// InterruptContext returns a context that Ctrl-C (SIGINT) cancels, like
// signal.NotifyContext, except that the handler is installed only when
// something first waits on the context (calls Done, as every wait and every
// derived context does). Installing it costs a cache hit of `awsmfa process`
// about 0.2 ms and wakes the runtime's signal thread, and a hit never waits.
// Until then Ctrl-C ends awsmfa at once, which is right for a process that
// has nothing to undo yet.
func InterruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	c := &interruptContext{Context: parent}
	return c, c.stop
}

type interruptContext struct {
	context.Context // the parent

	mu sync.Mutex
	// installed is the signal.NotifyContext once something waited; after
	// stop, a cancelled context.
	installed context.Context
	stopFn    context.CancelFunc
}

// Done installs the handler: whoever asks for the channel is about to wait.
func (c *interruptContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.installed == nil {
		c.installed, c.stopFn = signal.NotifyContext(c.Context, os.Interrupt)
	}
	return c.installed.Done()
}

// Err and Value answer for the installed context once there is one, so that
// context.Cause and derived contexts see its cancellation; before, only the
// parent can have ended the context.
func (c *interruptContext) Err() error { return c.current().Err() }

func (c *interruptContext) Value(key any) any { return c.current().Value(key) }

func (c *interruptContext) current() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.installed != nil {
		return c.installed
	}
	return c.Context
}

// stop removes the handler, if installed, and cancels the context.
func (c *interruptContext) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.installed == nil {
		c.installed, c.stopFn = context.WithCancel(c.Context)
	}
	c.stopFn()
}
