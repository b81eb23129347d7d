package process

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/privdir"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// GiveUpMemory is how long awsmfa remembers that the user dismissed the
// prompt (or entered wrong codes until it gave up, or mfa_process failed).
// Some SDKs run credential_process again at once after it fails: the
// JavaScript SDK's default chain tries fromIni and then fromProcess, so a
// cancelled dialog would pop up a second time, three wrong codes would
// become six, and a failing mfa_process would ask for a second PIN. Within
// this time a run by the same caller (see callerID) fails at once instead
// of asking again; a new command is asked as usual.
const GiveUpMemory = 5 * time.Second

// errGaveUpRecently is what a run inside GiveUpMemory fails with. The
// serial is the config file's: shown only as redact allows.
type errGaveUpRecently struct {
	serial string
	ago    time.Duration
}

func (e *errGaveUpRecently) Error() string {
	return fmt.Sprintf("the MFA prompt for %s ended without a session %v ago (cancelled, timed out, wrong codes, a failed mfa_process or an STS error, shown by that run), and awsmfa does not ask the same command again within %v because some AWS SDKs rerun credential_process at once; run the command again",
		redact.Show(redact.ARN, e.serial), e.ago.Round(time.Second), GiveUpMemory)
}

// checkGaveUp fails when the user gave up on serial's prompt moments ago,
// or when the code-state directory is not private (another user could
// write the marker there and have every call refused).
func (o *Options) checkGaveUp(serial string) error {
	path, err := o.codeStatePath(serial)
	if err != nil {
		return err
	}
	data, err := privdir.ReadFile(path + ".gave-up")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		o.Debugf("reading %s.gave-up: %v", path, err)
		return nil
	}
	// "<unix nanos> <caller>"; a marker without a caller is anyone's.
	when, caller, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	nanos, err := strconv.ParseInt(when, 10, 64)
	if err != nil {
		o.Debugf("ignoring %s.gave-up: %v", path, err)
		return nil
	}
	if caller != "" && caller != o.caller() {
		o.Debugf("the prompt was given up on by another command (%s, this is %s): asking", caller, o.caller())
		return nil
	}
	// A time in the future means the clock was set back: ignore it.
	if ago := o.Now().Sub(time.Unix(0, nanos)); ago >= 0 && ago < GiveUpMemory {
		return &errGaveUpRecently{serial: serial, ago: ago}
	}
	return nil
}

// rememberGaveUp records that the prompt for serial ended without a code
// STS accepted. Failing to record it only costs a second prompt.
func (o *Options) rememberGaveUp(serial string) {
	path, err := o.codeStatePath(serial)
	if err == nil {
		err = writeFileAtomic(path+".gave-up", []byte(strconv.FormatInt(o.Now().UnixNano(), 10)+" "+o.caller()+"\n"))
	}
	if err != nil {
		o.Debugf("recording the abandoned prompt: %v", err)
	}
}

// caller is o.Caller, or this process's own (callerID) when none was given.
func (o *Options) caller() string {
	if o.Caller == "" {
		o.Caller = callerID()
	}
	return o.Caller
}
