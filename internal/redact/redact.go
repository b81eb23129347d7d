// Package redact decides whether a value taken from the user's AWS config
// and credentials files, or from an AWS_* environment variable, may be
// repeated in an error or diagnostic message.
//
// Those files hold secret keys and session tokens, and a malformed file (a
// secret pasted on an indented line under a setting, which continues that
// setting's value, or under the wrong key) can make a secret the value of
// any setting. So a message shows such a value only when it looks like a
// legitimate value of its setting, and otherwise says NotShown: the
// message still names the setting and where it is, which is enough to find
// it.
//
// The package is on the credential_process hot path: it has no
// package-level state to initialise and imports only strconv and unicode.
package redact

import (
	"strconv"
	"unicode"
)

// NotShown stands in a message for a value it does not repeat.
const NotShown = "(value not shown)"

// Shape is what a legitimate value of a kind of setting looks like: how
// long it may be and which characters it may hold.
type Shape uint8

// The shapes of the settings whose values messages repeat. The zero Shape
// fits nothing.
const (
	// Token is a number or a true/false setting, and the short words users
	// write instead: "3", "0x10", "1_000", "yes", "enabled".
	Token Shape = iota + 1
	// Name is a profile, sso-session or credential_source name, e.g.
	// "work", "AdministratorAccess-123456789012", "alice@corp",
	// "Ec2InstanceMetadata".
	Name
	// Path is a file path.
	Path
	// ARN is an ARN (role_arn, mfa_serial), or the serial number of a
	// hardware MFA token, in the characters IAM allows in them.
	ARN
	// URL is an endpoint URL, as configured (it may not parse).
	URL
	// Region is an AWS region name, e.g. "eu-west-1", or a near miss such
	// as "eu_west_1".
	Region
	// Command is a command line, such as credential_process's.
	Command
)

// Fits reports whether v may appear in a message as a value of shape sh:
// it is short enough, made of characters the shape allows, and holds
// nothing that looks like key material.
func Fits(sh Shape, v string) bool {
	if len(v) > sh.maxLen() {
		return false
	}
	for _, r := range v {
		if !sh.allows(r) {
			return false
		}
	}
	return !mayBeKeyMaterial(v)
}

// Quote is v in Go quotes when it fits sh, else NotShown.
func Quote(sh Shape, v string) string {
	if !Fits(sh, v) {
		return NotShown
	}
	return strconv.Quote(v)
}

// Show is v as it is when it fits sh, else NotShown: for messages that
// print a value bare, such as "STS at https://sts.eu-west-1.amazonaws.com".
// Every shape excludes control characters, so v stays on one line.
func Show(sh Shape, v string) string {
	if !Fits(sh, v) {
		return NotShown
	}
	return v
}

// maxLen is the longest value of the shape, in bytes; -1 for the zero Shape.
func (sh Shape) maxLen() int {
	switch sh {
	case Token:
		return 10
	case Name:
		return 64
	case Path:
		return 255
	case ARN:
		return 2048 // AssumeRole's limit on RoleArn; IAM's on SerialNumber is 256
	case URL, Command:
		return 1024
	case Region:
		return 32
	}
	return -1
}

// allows reports whether r may appear in a value of the shape.
func (sh Shape) allows(r rune) bool {
	switch sh {
	case Token:
		return isASCIIAlnum(r) || r == '_' || r == '-' || r == '+' || r == '.'
	case Name:
		return isASCIIAlnum(r) || r == '_' || r == '-' || r == '.' || r == '@' || r == ':'
	case ARN:
		// IAM's pattern for ARNs and serial numbers: [\w+=/:,.@-].
		return isASCIIAlnum(r) || r == '_' || r == '+' || r == '=' || r == '/' || r == ':' || r == ',' || r == '.' || r == '@' || r == '-'
	case Region:
		// No upper case: with it, an access key ID would fit.
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.'
	case Path, URL, Command:
		return unicode.IsPrint(r) && r != unicode.ReplacementChar
	}
	return false
}

// minKeyRun is the shortest run of base64 characters taken for key
// material: an access key ID's length, half a secret key's.
const minKeyRun = 20

// mayBeKeyMaterial reports whether s holds a run of at least minKeyRun
// base64 characters (letters, digits, '+', '/', '=') with upper-case
// letters, lower-case letters and digits all among them. A secret key (40
// such characters, at random) or a session token nearly always does;
// names, paths and URLs seldom do, and when one does it is only not shown.
func mayBeKeyMaterial(s string) bool {
	run := 0
	var upper, lower, digit bool
	for _, r := range s {
		if !isASCIIAlnum(r) && r != '+' && r != '/' && r != '=' {
			run, upper, lower, digit = 0, false, false, false
			continue
		}
		run++
		upper = upper || 'A' <= r && r <= 'Z'
		lower = lower || 'a' <= r && r <= 'z'
		digit = digit || '0' <= r && r <= '9'
		if run >= minKeyRun && upper && lower && digit {
			return true
		}
	}
	return false
}

func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
