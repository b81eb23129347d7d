package process

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/privdir"
	"github.com/awsmfa/awsmfa/internal/redact"
)

// codePeriod is the TOTP window of AWS MFA devices: a new code every 30 s.
const codePeriod = 30 * time.Second

// STS accepts each MFA code once. Right after it accepted one (say for a
// role's MFA session), asking the user at once for another would get the
// same code from the device, which STS rejects. So awsmfa remembers, per
// device, the 30-second window of the last accepted code, and waits for the
// next window before it asks.

// step numbers the 30-second windows since the Unix epoch.
func step(t time.Time) int64 { return t.Unix() / int64(codePeriod/time.Second) }

// waitForNextCode sleeps until the window after the one in which STS last
// accepted a code for serial, telling the user why; it returns at once when
// no code was accepted in the current window.
// A wait before a try after the first (note false: STS may have taken the
// last code without its answer arriving) is only logged, since the prompt
// that follows says why; when the run's deadline leaves no time for it,
// the prompt is shown at once and asks for the next code.
func (o *Options) waitForNextCode(ctx context.Context, serial string, note bool) error {
	last, ok := o.lastAcceptedStep(serial)
	now := o.Now()
	// Only a code from this very window matters. A recorded window in the
	// future means the clock was set back: waiting for it could take hours.
	if !ok || step(now) != last {
		return nil
	}
	next := time.Unix((last+1)*int64(codePeriod/time.Second), 0)
	wait := next.Sub(now)
	if !o.start.IsZero() && o.start.Add(o.PromptTimeout).Sub(next) < minAnswerTime {
		if !note {
			o.Debugf("no time left to wait %v for the next code window; asking now", wait.Round(time.Second))
			return nil
		}
		// Waiting would leave no time to answer before the run's deadline.
		return &errPromptDeadline{after: o.PromptTimeout}
	}
	say := o.Debugf
	if note {
		say = o.Notef
	}
	say("a code from MFA device %s was accepted moments ago and STS takes each code once; waiting %ds for the next code", redact.Show(redact.ARN, serial), int64((wait+time.Second-1)/time.Second))
	if err := o.Sleep(ctx, wait); err != nil {
		return fmt.Errorf("stopped waiting for the next MFA code window: %w", err)
	}
	return nil
}

// codeAccepted records that STS just accepted a code from serial. Failing
// to record it costs at most one rejected code later, so it is only logged.
func (o *Options) codeAccepted(serial string) {
	path, err := o.codeStatePath(serial)
	if err == nil {
		err = writeFileAtomic(path, []byte(strconv.FormatInt(step(o.Now()), 10)+"\n"))
	}
	if err != nil {
		o.Debugf("recording the accepted code's window: %v", err)
	}
}

func (o *Options) lastAcceptedStep(serial string) (int64, bool) {
	path, err := o.codeStatePath(serial)
	if err != nil {
		o.Debugf("%v", err)
		return 0, false
	}
	data, err := privdir.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false
	}
	if err != nil {
		o.Debugf("reading %s: %v", path, err)
		return 0, false
	}
	last, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		o.Debugf("ignoring %s: %v", path, err)
		return 0, false
	}
	return last, true
}

// codeStatePath is one small file per device, named by a hash of its
// serial so that any serial is a safe file name.
func (o *Options) codeStatePath(serial string) (string, error) {
	dir := o.StateDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("finding the user cache dir: %w; set HOME (or XDG_CACHE_HOME)", err)
		}
		dir = filepath.Join(base, "awsmfa", "codes")
	}
	if err := privdir.Ensure(dir, "the code-state directory"); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(serial))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])), nil
}

// writeFileAtomic replaces path with data (mode 0600) so that a reader
// sees the old or the new content, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
