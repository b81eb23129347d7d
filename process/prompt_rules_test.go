package process

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/stsstub"
	"github.com/awsmfa/awsmfa/prompt"
)

// wrongCodes returns n six-digit codes the stand-in rejects now.
func wrongCodes(t *testing.T, f *fixture, n int) []string {
	t.Helper()
	valid, err := f.srv.Code(stsstub.DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != valid && len(out) < n {
			out = append(out, c)
		}
	}
	return out
}

// An answer that is not six digits is refused at once: it never reaches
// STS, is not called an STS rejection, and costs none of the 3 tries.
func TestATypoCostsNoTry(t *testing.T) {
	f := newFixture(t)
	wrong := wrongCodes(t, f, 2)
	f.prompt.answers = []string{"12345", wrong[0], "12 34", wrong[1]} // then the valid code
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatalf("two typos and two rejected codes, then the right one: %v", err)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 3 {
		t.Errorf("STS called %d times; want 3 (typos never reach it)", n)
	}
	asked := f.prompt.asked
	if len(asked) != 5 {
		t.Fatalf("asked %d times, want 5", len(asked))
	}
	if a := asked[1]; a.Retry != "" || !strings.Contains(a.Invalid, "must be 6 digits, got 5 digits") {
		t.Errorf("after a typo the prompt says Retry=%q Invalid=%q; want only why the typo was refused", a.Retry, a.Invalid)
	}
	if a := asked[2]; a.Invalid != "" || !strings.Contains(a.Retry, "invalid MFA one time pass code") {
		t.Errorf("after an STS rejection the prompt says Retry=%q Invalid=%q", a.Retry, a.Invalid)
	}
	if len(f.slept) != 0 {
		t.Errorf("waited %v; a typo is asked again at once", f.slept)
	}
}

// The memory of a cancel refuses a rerun by the same command, not a new one.
func TestANewCommandRightAfterACancelIsAskedAgain(t *testing.T) {
	f := newFixture(t)
	f.opts.Caller = "session 1/group 10"
	f.prompt.answers = []string{"cancel"}
	if _, err := Credentials(context.Background(), f.opts); !errors.Is(err, prompt.ErrCanceled) {
		t.Fatalf("got %v, want ErrCanceled", err)
	}
	f.clock.Advance(time.Second)
	f.opts.Caller = "session 1/group 11" // the user typed the command again
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatalf("a new command after a cancel: %v; want it asked again", err)
	}
	if n := len(f.prompt.asked); n != 2 {
		t.Errorf("asked %d times, want 2", n)
	}
}

// failingPrompter is an mfa_process that fails, counting its runs.
type failingPrompter struct{ runs int }

func (p *failingPrompter) MFACode(context.Context, prompt.Request) (string, error) {
	p.runs++
	return "", errors.New(`mfa_process "ykman oath accounts code" failed (exit status 1); run it in a terminal to see why`)
}

func (p *failingPrompter) Passphrase(context.Context, string) (string, error) {
	return "", errors.New("no")
}

// A failing mfa_process is not run again at once by the same caller: the
// JavaScript SDK's default chain would ask for a second PIN or touch.
func TestAFailingMFAProcessIsNotRerunAtOnce(t *testing.T) {
	f := newFixture(t)
	f.addConfig(t, "[profile work]\nmfa_process = ykman oath accounts code\n")
	helper := &failingPrompter{}
	f.opts.MFAProcess = func(string) prompt.Prompter { return helper }
	if _, err := Credentials(context.Background(), f.opts); err == nil || !strings.Contains(err.Error(), "mfa_process") {
		t.Fatalf("got %v, want the mfa_process failure", err)
	}
	_, err := Credentials(context.Background(), f.opts)
	if err == nil || !strings.Contains(err.Error(), "does not ask the same command again") {
		t.Fatalf("rerun: %v; want the remembered failure", err)
	}
	if helper.runs != 1 {
		t.Errorf("mfa_process ran %d times, want 1", helper.runs)
	}
}

// The prompt's time counts from the start of the run: after waiting 25 s
// for the next code window, it has 25 s of the 50 left, not 50 more.
func TestPromptDeadlineCountsFromTheStartOfTheRun(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(f.clock.Now().Truncate(codePeriod).Add(codePeriod + 5*time.Second))
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	var left time.Duration
	f.prompt.onAsk = func(ctx context.Context) {
		d, ok := ctx.Deadline()
		if !ok {
			left = -1
			return
		}
		left = time.Until(d)
	}
	f.opts.Duration = time.Hour // another session: the same device's next code
	f.opts.PromptTimeout = 50 * time.Second
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if len(f.slept) != 1 || f.slept[0] != 25*time.Second {
		t.Fatalf("slept %v, want one 25s wait", f.slept)
	}
	if left < 0 || left > 25*time.Second {
		t.Fatalf("the prompt had %v to be answered; want at most the 25s left of the run's 50s", left)
	}
}

// A run with too little time left for a prompt fails at once, saying so.
func TestNoPromptWhenTheRunHasNoTimeLeft(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(f.clock.Now().Truncate(codePeriod).Add(codePeriod + time.Second))
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	f.opts.Duration = time.Hour
	f.opts.PromptTimeout = 30 * time.Second // the 29s wait leaves 1s
	_, err := Credentials(context.Background(), f.opts)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within 30s of the start of awsmfa") {
		t.Fatalf("got %v", err)
	}
	if n := len(f.prompt.asked); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
	if len(f.slept) != 0 {
		t.Errorf("waited %v for a code window it could not use", f.slept)
	}
}

// Only a credential_process run is cut off when the code reaches STS
// late: serve, exec, login and rotate are killed by no one, and cutting
// their call short would waste a code the user typed.
func TestRunLimitOnlyWhereTheCallerKillsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		runLimit time.Duration
		wantErr  bool
	}{
		{"credential_process", CredentialProcessRunLimit, true},
		{"no run limit", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.opts.RunLimit = tc.runLimit
			f.opts.PromptTimeout = 2 * time.Minute
			// The user answers 70 s into the run (fake clock).
			f.prompt.onAsk = func(context.Context) { f.clock.Advance(70 * time.Second) }
			_, err := Credentials(context.Background(), f.opts)
			if tc.wantErr != (err != nil) {
				t.Fatalf("code entered 70s into the run with RunLimit %v: err = %v, want error: %v", tc.runLimit, err, tc.wantErr)
			}
			if tc.wantErr && !strings.Contains(err.Error(), "did not answer in time") {
				t.Errorf("got %v; want STS cut off by the run's deadline", err)
			}
		})
	}
}
