package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// Right after STS accepted a code, the next MFA call for the same device
// waits for the next 30-second window, says so, and then succeeds without
// sending STS a code it would reject.
func TestNextCallWaitsForTheNextCodeWindow(t *testing.T) {
	f := newFixture(t)
	// Start 10 s into a window, so the wait is 20 s.
	now := f.clock.Now()
	f.clock.Set(now.Truncate(codePeriod).Add(codePeriod + 10*time.Second))
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.slept) != 0 || len(f.notes) != 0 {
		t.Fatalf("waited %v (%q) before the first code", f.slept, f.notes)
	}

	f.opts.Duration = time.Hour // another session for the same device
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.slept) != 1 || f.slept[0] != 20*time.Second {
		t.Errorf("slept %v, want one 20s wait", f.slept)
	}
	if len(f.notes) != 1 || !strings.Contains(f.notes[0], stsstub.DemoMFASerial) || !strings.Contains(f.notes[0], "waiting 20s for the next code") {
		t.Errorf("notes %q, want one saying it waits 20s", f.notes)
	}
	if calls, ok := f.srv.Calls("GetSessionToken"), f.srv.Succeeded("GetSessionToken"); calls != 2 || ok != 2 {
		t.Errorf("GetSessionToken: %d calls, %d succeeded; want 2 and 2", calls, ok)
	}
	if n := len(f.prompt.asked); n != 2 {
		t.Errorf("asked %d times, want 2", n)
	}

	// In a later window there is nothing to wait for.
	f.clock.Advance(codePeriod)
	f.opts.Duration = 2 * time.Hour
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.slept) != 1 {
		t.Errorf("waited again in a fresh window: %v", f.slept)
	}
}

func TestWaitForNextCodeStopsWithContext(t *testing.T) {
	f := newFixture(t)
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.opts.Sleep = func(ctx context.Context, _ time.Duration) error {
		cancel() // the user pressed Ctrl-C while awsmfa waited
		<-ctx.Done()
		return ctx.Err()
	}
	f.opts.Duration = time.Hour
	_, err := Credentials(ctx, f.opts)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting for the next MFA code window") {
		t.Fatalf("got %v, want a cancelled wait", err)
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked %d times, want 1: a cancelled wait must not prompt", n)
	}
}

func TestCodeStateFile(t *testing.T) {
	f := newFixture(t)
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(f.opts.StateDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("state dir holds %v (%v), want one file", entries, err)
	}
	info, err := entries[0].Info()
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("state file mode %o, want 600", mode)
	}
	data, err := os.ReadFile(filepath.Join(f.opts.StateDir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "alice") || strings.Contains(entries[0].Name(), "alice") {
		t.Errorf("state file %s names the device: %q", entries[0].Name(), data)
	}
	// A clock set back (the recorded window is in the future) is no reason
	// to wait for hours.
	future := []byte(strconv.FormatInt(step(f.clock.Now().Add(time.Hour)), 10))
	if err := os.WriteFile(filepath.Join(f.opts.StateDir, entries[0].Name()), future, 0o600); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(codePeriod)
	f.opts.Duration = time.Hour
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.slept) != 0 {
		t.Errorf("waited %v for a window an hour ahead", f.slept)
	}
}
