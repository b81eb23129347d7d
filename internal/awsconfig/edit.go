package awsconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Set makes key = value in profile: it rewrites the line that sets key
// (the last one, which is the one the SDKs use), or adds the line after the
// profile's last setting, or adds a new section at the end of the file.
// Every other line stays as it was.
func (f *File) Set(profile, key, value string) error {
	if err := checkNames(profile, key, value); err != nil {
		return err
	}
	eol := f.eol()
	if i := f.keyLine(profile, key); i >= 0 {
		old := f.lines[i]
		text := strings.TrimRight(old.raw, "\r\n")
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
		f.lines[i] = line{raw: indent + old.key + " = " + value + lineEnd(old.raw, eol), kind: lineKey, key: old.key, value: value}
		// A nested block under the old key would now hang off a plain value.
		f.removeContinuations(i)
		return nil
	}
	newLine := line{raw: key + " = " + value + eol, kind: lineKey, key: key, value: value}
	if spans := f.sections(profile); len(spans) > 0 {
		s := spans[len(spans)-1]
		at := s.start + 1
		for i := s.start + 1; i < s.end; i++ {
			if k := f.lines[i].kind; k == lineKey || k == lineContinuation {
				at = i + 1
			}
		}
		f.insert(at, newLine)
		return nil
	}
	if n := len(f.lines); n > 0 {
		f.terminate(n - 1)
		if f.lines[n-1].kind != lineBlank {
			f.lines = append(f.lines, line{raw: eol, kind: lineBlank})
		}
	}
	header := f.header(profile)
	f.lines = append(f.lines, line{raw: "[" + header + "]" + eol, kind: lineSection, section: header}, newLine)
	return nil
}

// Unset removes every line setting key in profile, with any nested block
// under it, and reports whether there was one.
func (f *File) Unset(profile, key string) bool {
	removed := false
	for i := f.keyLine(profile, key); i >= 0; i = f.keyLine(profile, key) {
		f.removeContinuations(i)
		f.lines = slices.Delete(f.lines, i, i+1)
		removed = true
	}
	return removed
}

func (f *File) removeContinuations(i int) {
	end := i + 1
	for end < len(f.lines) && f.lines[end].kind == lineContinuation {
		end++
	}
	f.lines = slices.Delete(f.lines, i+1, end)
}

// insert puts l before index at, giving the line before it a terminator
// if it was the file's unterminated last line.
func (f *File) insert(at int, l line) {
	if at > 0 {
		f.terminate(at - 1)
	}
	f.lines = slices.Insert(f.lines, at, l)
}

func (f *File) terminate(i int) {
	if !strings.HasSuffix(f.lines[i].raw, "\n") {
		f.lines[i].raw += f.eol()
	}
}

// eol is the file's line ending: CRLF if any line uses it, else LF.
func (f *File) eol() string {
	for _, l := range f.lines {
		if strings.HasSuffix(l.raw, "\r\n") {
			return "\r\n"
		}
	}
	return "\n"
}

func lineEnd(raw, eol string) string {
	switch {
	case strings.HasSuffix(raw, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(raw, "\n"):
		return "\n"
	}
	return "" // the file's last line had no terminator; keep it so
}

func (f *File) header(profile string) string {
	if f.credentials || profile == "default" {
		return profile
	}
	return "profile " + profile
}

// checkNames refuses what would not read back as the same single setting.
func checkNames(profile, key, value string) error {
	switch {
	case profile == "" || strings.ContainsAny(profile, "[]\r\n\t ") || strings.ContainsAny(profile[:1], "#;"):
		return fmt.Errorf("profile name %q cannot be written to an AWS config file; use letters, digits, '-', '_' or '.'", profile)
	case key == "" || strings.ContainsAny(key, "=[]\r\n\t #;"):
		return fmt.Errorf("setting name %q cannot be written to an AWS config file; this is a bug in awsmfa", key)
	case strings.ContainsAny(value, "\r\n"):
		return fmt.Errorf("the value for %s contains a line break; enter it on one line", key)
	}
	return nil
}
