package process

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// GiveUpMemory is how long awsmfa remembers that the user dismissed the
// prompt (or entered wrong codes until it gave up). Some SDKs run
// credential_process again at once after it fails: the JavaScript SDK's
// default chain tries fromIni and then fromProcess, so a cancelled dialog
// would pop up a second time and three wrong codes would become six. Within
// this time a new run fails at once instead of asking again.
const GiveUpMemory = 5 * time.Second

// errGaveUpRecently is what a run inside GiveUpMemory fails with.
type errGaveUpRecently struct {
	serial string
	ago    time.Duration
}

func (e *errGaveUpRecently) Error() string {
	return fmt.Sprintf("the MFA prompt for %s ended without a session %v ago (cancelled, timed out, wrong codes or an STS error, shown by that run), and awsmfa does not ask again within %v because some AWS SDKs rerun credential_process at once; run the command again",
		e.serial, e.ago.Round(time.Second), GiveUpMemory)
}

// checkGaveUp fails when the user gave up on serial's prompt moments ago.
func (o *Options) checkGaveUp(serial string) error {
	path, err := o.codeStatePath(serial)
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(path + ".gave-up")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		o.Debugf("reading %s.gave-up: %v", path, err)
		return nil
	}
	nanos, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		o.Debugf("ignoring %s.gave-up: %v", path, err)
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
		err = writeFileAtomic(path+".gave-up", []byte(strconv.FormatInt(o.Now().UnixNano(), 10)+"\n"))
	}
	if err != nil {
		o.Debugf("recording the abandoned prompt: %v", err)
	}
}
