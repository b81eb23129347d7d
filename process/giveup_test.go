package process

import (
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// A hostile or damaged config's mfa_serial must not reach the terminal as
// is: escape sequences could rewrite what the user sees, and a secret
// pasted there would be printed.
func TestTheGiveUpMessageShowsTheSerialOnlyAsRedactAllows(t *testing.T) {
	for serial, want := range map[string]string{
		"arn:aws:iam::123456789012:mfa/alice":                 "arn:aws:iam::123456789012:mfa/alice",
		"arn:aws:iam::123456789012:mfa/\x1b]0;owned\x07alice": redact.NotShown,
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY":            redact.NotShown,
	} {
		msg := (&errGaveUpRecently{serial: serial, ago: 2 * time.Second}).Error()
		if !strings.Contains(msg, "the MFA prompt for "+want+" ended") {
			t.Errorf("serial %q: message %q does not show it as %q", serial, msg, want)
		}
		if strings.ContainsAny(msg, "\x1b\x07") || strings.Contains(msg, "wJalr") {
			t.Errorf("serial %q: message %q repeats it raw", serial, msg)
		}
	}
}
