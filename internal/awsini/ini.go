package awsini

import (
	"fmt"
	"strings"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

// The grammar, line for line that of the SDK's config/internal/ini package
// (parity_test.go and FuzzParity compare the two on the same files):
//
//   - keys are lower-cased; "key: value" works like "key = value" when the
//     colon comes first;
//   - " #", " ;", "\t#" and "\t;" start an inline comment in a value, but
//     not in a nested setting's value; a value in matching quotes loses them;
//   - any line, indented or not, that is "[...]" once everything from its
//     first '#' or ';' is cut off is a section header; "[profile   a]"
//     names the section "profile a";
//   - an indented "key = value" under a key with an empty value is a nested
//     setting, under any other key an ordinary setting; an indented line
//     without '=' or ':' continues the value above it;
//   - a line it cannot classify is skipped, so the settings after a broken
//     section header land in the section before it (Files.Problem names
//     the first such line);
//   - a section repeated in one file is one section; a repeated key's last
//     value wins.

// iniValue is one setting: a plain value, or nested settings ("sts =" with
// indented "endpoint_url = ..." lines under it).
type iniValue struct {
	str    string
	nested map[string]string
	// where is the line that set the value, for error messages.
	where origin
}

// origin is a line of a file: the file and the offset the line starts at.
type origin struct {
	file *iniFile
	at   int
}

// String is "PATH line N", for the start of an error message. The line
// number is counted only now: only a message needs it.
func (o origin) String() string {
	if o.file == nil {
		return "AWS config" // not from a file: cannot happen for a value that was read
	}
	return fmt.Sprintf("%s line %d", o.file.path, 1+strings.Count(o.file.data[:o.at], "\n"))
}

// iniSection is one section with its settings by lower-case key.
type iniSection struct {
	values map[string]iniValue
}

func (s *iniSection) has(key string) bool {
	_, ok := s.values[key]
	return ok
}

// str is key's plain value, "" when it is not set or holds nested settings.
func (s *iniSection) str(key string) string { return s.values[key].str }

// iniFile is one file, indexed by section on a first pass that looks only
// at the lines holding a '['. A section's settings are read when it is
// asked for: Load needs a few sections of files that may hold hundreds.
type iniFile struct {
	path, data string
	// headers are the section headers in file order, by the name the SDK
	// gives the section ("profile work", "default", "services local").
	headers []header
	// byName lists, for each section name, its headers' indexes in headers.
	byName map[string][]int
	// oddNames is set when a section name starts "profile profile ": only
	// then does the SDK's renaming of config sections depend on its order.
	oddNames bool
}

type header struct {
	name string
	// start is where the lines after the header begin.
	start int
}

// indexINI indexes data as the SDK's ini.Parse would read it; path is
// remembered for error messages. It never fails.
func indexINI(data, path string) *iniFile {
	f := &iniFile{path: path, data: data, byName: map[string][]int{}}
	for at := 0; at < len(data); {
		i := strings.IndexByte(data[at:], '[')
		if i < 0 {
			break
		}
		line, next := nextLine(data, strings.LastIndexByte(data[:at+i], '\n')+1)
		if !isBlankOrComment(line) {
			if name, ok := asSectionHeader(line); ok {
				f.byName[name] = append(f.byName[name], len(f.headers))
				f.headers = append(f.headers, header{name, next})
				f.oddNames = f.oddNames || strings.HasPrefix(name, profilePrefix+profilePrefix)
			}
		}
		at = next
	}
	return f
}

// nextLine returns the line at offset at, without its '\n', and the offset
// of the next line.
func nextLine(data string, at int) (string, int) {
	if i := strings.IndexByte(data[at:], '\n'); i >= 0 {
		return data[at : at+i], at + i + 1
	}
	return data[at:], len(data)
}

// has reports whether the file has a section of that name.
func (f *iniFile) has(name string) bool { return len(f.byName[name]) > 0 }

// section reads the named section's settings, nil when the file has no
// such section. The SDK reads a repeated section as one.
func (f *iniFile) section(name string) *iniSection {
	var p *iniParser
	for _, i := range f.byName[name] {
		h := f.headers[i]
		if p == nil {
			p = &iniParser{section: &iniSection{values: map[string]iniValue{}}, dropAll: name == "", file: f}
		}
		p.key = "" // as after any header
		for at := h.start; at < len(f.data); {
			var line string
			p.at = at
			line, at = nextLine(f.data, at)
			if !p.line(line) {
				break // the next section's header
			}
		}
	}
	if p == nil {
		return nil
	}
	return p.section
}

// skippedLine is the first line the SDK's parser skips as unclassifiable
// (not blank, a comment, a section header, a setting, or an indented
// line), as an *awsconfig.ParseError; nil when there is none.
func (f *iniFile) skippedLine() error {
	for at, n := 0, 1; at < len(f.data); n++ {
		var line string
		line, at = nextLine(f.data, at)
		if isBlankOrComment(line) || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if _, ok := asSectionHeader(line); ok {
			continue
		}
		if _, _, ok := splitProperty(strings.TrimRight(trimValueComment(line), " \t")); ok {
			continue
		}
		return &awsconfig.ParseError{Path: f.path, Line: n, Text: strings.TrimSpace(line)}
	}
	return nil
}

// iniParser reads the lines of one section as the SDK's parser does.
type iniParser struct {
	section *iniSection
	// dropAll is set for the section "[]" names, whose settings the SDK
	// drops like those before the first header.
	dropAll bool
	// key is the setting indented lines continue, "" at the section's start.
	key string
	// file and at are the file and the offset of the line being read.
	file *iniFile
	at   int
}

// line reads one line, and reports false, reading nothing, for a section
// header.
func (p *iniParser) line(line string) bool {
	if isBlankOrComment(line) {
		return true
	}
	if _, ok := asSectionHeader(line); ok {
		return false
	}
	indented := line[0] == ' ' || line[0] == '\t'
	if !indented {
		if k, v, ok := splitProperty(strings.TrimRight(trimValueComment(line), " \t")); ok {
			p.set(strings.ToLower(k), unquote(v))
		}
		return true // else an unclassifiable line: skipped
	}
	text := strings.TrimLeft(line, " \t")
	if k, v, ok := splitProperty(text); ok {
		p.setNested(strings.ToLower(k), unquote(v))
		return true
	}
	p.continueValue(text)
	return true
}

func (p *iniParser) set(key, value string) {
	if p.dropAll {
		return
	}
	p.key = key
	p.section.values[key] = iniValue{str: value, where: origin{p.file, p.at}}
}

// setNested handles an indented "key = value": a nested setting under a key
// with an empty value, else (an "orphan") an ordinary setting, its inline
// comment cut off only now, after the quotes were.
func (p *iniParser) setNested(key, value string) {
	if p.dropAll {
		return
	}
	values := p.section.values
	parent := values[p.key]
	if p.key == "" || parent.str != "" {
		p.set(key, strings.TrimSpace(trimValueComment(value)))
		return
	}
	if parent.nested == nil {
		parent = iniValue{nested: map[string]string{}, where: parent.where}
		values[p.key] = parent
	}
	parent.nested[key] = value
}

// continueValue appends an indented line to a plain, non-empty value.
func (p *iniParser) continueValue(text string) {
	if p.key == "" {
		return
	}
	values := p.section.values
	if v := values[p.key]; v.str != "" && v.nested == nil {
		values[p.key] = iniValue{str: v.str + "\n" + text, where: v.where}
	}
}

func isBlankOrComment(line string) bool {
	return strings.TrimSpace(line) == "" || isLineComment(line)
}

func isLineComment(line string) bool {
	trimmed := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";")
}

// asSectionHeader returns the section a "[type name]" line names: "type
// name" with the white space between them made one space, or just "name".
func asSectionHeader(line string) (string, bool) {
	before, _, _ := strings.Cut(line, "#")
	before, _, _ = strings.Cut(before, ";")
	trimmed := strings.TrimSpace(before)
	if len(trimmed) < 2 || trimmed[0] != '[' || trimmed[len(trimmed)-1] != ']' {
		return "", false
	}
	inner := strings.TrimSpace(trimmed[1 : len(trimmed)-1])
	typ, name := splitSectionName(inner)
	switch {
	case typ == "":
		return name, true
	case len(inner) == len(typ)+1+len(name) && inner[len(typ)] == ' ':
		return inner, true // already "type name": no need to build it
	}
	return typ + " " + name, true
}

// splitSectionName splits "type name" at its first run of blanks. Like the
// SDK it returns "", s for a name without blanks.
func splitSectionName(s string) (typ, name string) {
	first := 0
	for i, r := range s {
		if r == ' ' || r == '\t' {
			if first == 0 {
				first = i
			}
		} else if first != 0 {
			return s[:first], s[i:]
		}
	}
	if first == 0 {
		return "", s
	}
	return "", ""
}

// trimValueComment cuts an inline comment: a '#' or ';' after a blank.
// (The SDK cuts at each of " #", " ;", "\t#" and "\t;" in turn, which
// comes to the same: everything from the first of them.)
func trimValueComment(s string) string {
	for i := 1; i < len(s); i++ {
		if (s[i] == '#' || s[i] == ';') && (s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i-1]
		}
	}
	return s
}

// splitProperty splits "key = value" or, when a colon comes before any
// '=', "key: value".
func splitProperty(s string) (key, value string, ok bool) {
	sep := "="
	equals, colon := strings.IndexByte(s, '='), strings.IndexByte(s, ':')
	if equals < 0 || colon >= 0 && colon < equals {
		sep = ":"
	}
	key, value, ok = strings.Cut(s, sep)
	return strings.TrimSpace(key), strings.TrimSpace(value), ok
}

// unquote removes one pair of matching single or double quotes. (The SDK
// panics on a value that is a lone quote; here it stays a quote.)
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}
