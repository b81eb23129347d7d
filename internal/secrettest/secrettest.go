// Package secrettest holds, for tests, values shaped like the secrets the
// AWS files and STS hand out, and a check that a text repeats none of them.
// A malformed config file (a secret pasted under the wrong key, or on an
// indented line that continues a setting) can make any of them the value of
// a setting, and no message of awsmfa may repeat it.
package secrettest

import "strings"

// Shapes maps a description to a secret of that shape.
var Shapes = map[string]string{
	// The AWS documentation's example secret key.
	"secret key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	// One with no '/' or '+', which only its shape gives away.
	"secret key of letters and digits": "Zq3JtGbCl8BFwZp9Utk2h3yCo8nvbEXAMPLEKEYa",
	"session token":                    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6Ex4mpLe+EXAMPLETOKENx2d9GdGZ5pVQkAiEA1b2",
}

// pieceLen is how long a piece of a secret must be to count as repeated:
// short enough to catch a secret cut or wrapped, long enough that ordinary
// words do not match.
const pieceLen = 16

// Repeated returns the first piece of secret, pieceLen characters long,
// that text repeats, or "" when it repeats none.
func Repeated(text, secret string) string {
	for i := 0; i+pieceLen <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+pieceLen]) {
			return secret[i : i+pieceLen]
		}
	}
	return ""
}
