package testenv

import (
	"testing"
)

// recorder captures what Need does without ending the real test.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skip(...any)           { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestNeedSkipsByDefault(t *testing.T) {
	t.Setenv(RequireAllEnv, "")
	r := &recorder{TB: t}
	Need(r, "xyz missing")
	if !r.skipped || r.failed {
		t.Errorf("skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
}

func TestNeedFailsWhenRequired(t *testing.T) {
	t.Setenv(RequireAllEnv, "1")
	r := &recorder{TB: t}
	Need(r, "xyz missing")
	if !r.failed || r.skipped {
		t.Errorf("skipped=%v failed=%v, want a failure", r.skipped, r.failed)
	}
}

func TestNeedCommandsPassesForPresentProgram(t *testing.T) {
	t.Setenv(RequireAllEnv, "1")
	r := &recorder{TB: t}
	NeedCommands(r, "go")
	if r.failed || r.skipped {
		t.Errorf("skipped=%v failed=%v for go, which runs this test", r.skipped, r.failed)
	}
}

func TestNeedCommandsStopsForMissingProgram(t *testing.T) {
	t.Setenv(RequireAllEnv, "")
	r := &recorder{TB: t}
	NeedCommands(r, "awsmfa-no-such-program")
	if !r.skipped {
		t.Error("no skip for a missing program")
	}
}
