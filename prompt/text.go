package prompt

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// maxShownRunes bounds each value shown in a prompt, so a long STS message
// cannot push the entry field off the screen.
const maxShownRunes = 200

func mfaTitle(req Request) string {
	return "awsmfa: MFA code for " + printable(req.Profile)
}

// mfaQuestion is the text above the entry field, shared by all drivers.
func mfaQuestion(req Request) string {
	var b strings.Builder
	switch {
	case req.Invalid != "":
		fmt.Fprintf(&b, "Not a code: %s.\n\n", printable(strings.TrimSuffix(req.Invalid, "; enter the code your authenticator shows")))
	case req.Retry != "":
		fmt.Fprintf(&b, "STS rejected the last code: %s\nIf the app still shows that code, wait for the next one.\n\n", printable(req.Retry))
	}
	fmt.Fprintf(&b, "Enter the 6-digit MFA code for AWS profile %q.\nMFA device: %s", printable(req.Profile), printable(redact.Show(redact.ARN, req.MFASerial)))
	return b.String()
}

// printable drops control characters and bounds the length. Profile names,
// serials and STS messages come from files and the network; on a terminal,
// an escape sequence in them could rewrite what the user sees.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxShownRunes {
		s = string(r[:maxShownRunes]) + "…"
	}
	return s
}
