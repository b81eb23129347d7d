package prompt

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrInvalidCode reports input that is not a six-digit code. Errors from
// ParseCode match it with errors.Is, so callers can decide to ask again.
var ErrInvalidCode = errors.New("invalid MFA code")

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
	// Never a character of what was typed: it may be a password entered
	// into the wrong prompt. Its shape is enough to see what went wrong.
	n, digits := 0, true
	for _, r := range e.got {
		n++
		digits = digits && '0' <= r && r <= '9'
	}
	what := "nothing"
	switch {
	case n > 0 && digits:
		what = fmt.Sprintf("%d digits", n)
	case n > 0:
		what = fmt.Sprintf("%d characters, not all digits", n)
	}
	return "MFA code must be 6 digits, got " + what + "; enter the code your authenticator shows"
}

func (e *invalidCodeError) Is(target error) bool { return target == ErrInvalidCode }
