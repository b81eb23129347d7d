package prompt

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// ErrInvalidCode reports input that is not a six-digit code. Errors from
// ParseCode match it with errors.Is, so callers can decide to ask again.
var ErrInvalidCode = errors.New("invalid MFA code")

// maxEchoedRunes bounds how much of a rejected answer an error repeats: the
// user may have typed a password into the wrong prompt.
const maxEchoedRunes = 4

// ParseCode returns the six ASCII digits in s. It drops all white space,
// including inner spaces such as "123 456", the way authenticator apps show
// codes; anything else is an error matching ErrInvalidCode.
func ParseCode(s string) (string, error) {
	code := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		return code, nil
	}
	return "", &invalidCodeError{got: code}
}

type invalidCodeError struct{ got string }

func (e *invalidCodeError) Error() string {
	got := []rune(e.got)
	shown := strconv.Quote(string(got[:min(len(got), maxEchoedRunes)]))
	if len(got) > maxEchoedRunes {
		shown += "…"
	}
	return "MFA code must be 6 digits, got " + shown + "; enter the code your authenticator shows"
}

func (e *invalidCodeError) Is(target error) bool { return target == ErrInvalidCode }
