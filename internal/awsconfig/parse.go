// Package awsconfig edits the AWS shared config and credentials files as
// text: it changes only the lines it is asked to and keeps every other byte
// (comments, blank lines, order, other profiles and sections, keys it does
// not know, nested sub-sections such as "s3 =" with indented settings).
package awsconfig

import (
	"bytes"
	"fmt"
	"strings"
)

// lineKind classifies one physical line of the file.
type lineKind int

const (
	lineBlank        lineKind = iota // empty or only white space
	lineComment                      // starts with '#' or ';'
	lineSection                      // [name]
	lineKey                          // key = value
	lineContinuation                 // indented line under a key: a nested setting
)

// line is one physical line as read, terminator included, so that Bytes
// reproduces the file exactly.
type line struct {
	raw  string
	kind lineKind
	// For lineSection: the text between the brackets, trimmed.
	section string
	// For lineKey: the key as written and the value, both trimmed.
	key, value string
}

// ParseError reports a line that is none of blank, comment, section header,
// key = value, or a nested setting under a key.
type ParseError struct {
	Path string
	Line int
	Text string
}

func (e *ParseError) Error() string {
	where := e.Path
	if where == "" {
		where = "AWS config"
	}
	// Only a section header is quoted: any other line may be a pasted
	// secret key, which an error message must never repeat.
	if strings.HasPrefix(e.Text, "[") {
		return fmt.Sprintf("%s line %d: cannot parse %q (expected [section], key = value, or a comment); fix that line", where, e.Line, truncate(e.Text, 40))
	}
	return fmt.Sprintf("%s line %d: cannot parse it (not shown, it may hold a secret; expected [section], key = value, or a comment); fix that line", where, e.Line)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// splitLines cuts data after every '\n', keeping the terminators; a last
// line without one is kept as is.
func splitLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, string(data))
			break
		}
		out = append(out, string(data[:i+1]))
		data = data[i+1:]
	}
	return out
}

// parseLines classifies every line. It never panics on any input: the
// worst a malformed file gets is a ParseError naming the line.
func parseLines(data []byte) ([]line, error) {
	raws := splitLines(data)
	lines := make([]line, 0, len(raws))
	afterKey := false // an indented line continues the key above it
	for i, raw := range raws {
		text := strings.TrimRight(raw, "\r\n")
		trimmed := strings.TrimSpace(text)
		l := line{raw: raw}
		indented := trimmed != "" && (text[0] == ' ' || text[0] == '\t')
		switch {
		case trimmed == "":
			l.kind = lineBlank
		case trimmed[0] == '#' || trimmed[0] == ';':
			l.kind = lineComment
		case indented && afterKey:
			l.kind = lineContinuation
		case trimmed[0] == '[':
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				return nil, &ParseError{Line: i + 1, Text: trimmed}
			}
			rest := strings.TrimSpace(trimmed[end+1:])
			if rest != "" && rest[0] != '#' && rest[0] != ';' {
				return nil, &ParseError{Line: i + 1, Text: trimmed}
			}
			l.kind = lineSection
			l.section = strings.TrimSpace(trimmed[1:end])
		default:
			key, value, ok := strings.Cut(trimmed, "=")
			key = strings.TrimSpace(key)
			if !ok || key == "" {
				return nil, &ParseError{Line: i + 1, Text: trimmed}
			}
			l.kind = lineKey
			l.key, l.value = key, strings.TrimSpace(value)
		}
		switch l.kind {
		case lineKey:
			afterKey = true
		case lineSection:
			afterKey = false
		}
		lines = append(lines, l)
	}
	return lines, nil
}
