package awsconfig

import (
	"slices"
	"strings"
)

// File is one parsed AWS config or credentials file.
type File struct {
	lines []line
	// credentials is true for ~/.aws/credentials, whose sections are bare
	// profile names ([work]); in ~/.aws/config they are [profile work].
	credentials bool
	// backup is where the last Save copied the old file.
	backup string
}

// Parse reads a config file's content. Use ParseCredentials for the
// credentials file.
func Parse(data []byte) (*File, error) { return parse(data, false) }

// ParseCredentials reads a shared credentials file's content.
func ParseCredentials(data []byte) (*File, error) { return parse(data, true) }

func parse(data []byte, credentials bool) (*File, error) {
	lines, err := parseLines(data)
	if err != nil {
		return nil, err
	}
	return &File{lines: lines, credentials: credentials}, nil
}

// Bytes returns the file's content: the bytes read, with only the lines
// changed by Set and Unset differing.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l.raw)
	}
	return []byte(b.String())
}

// profileOf returns the profile a section header names, if it names one.
func (f *File) profileOf(section string) (string, bool) {
	if f.credentials {
		return section, section != ""
	}
	if section == "default" {
		return "default", true
	}
	fields := strings.Fields(section)
	if len(fields) == 2 && fields[0] == "profile" {
		return fields[1], true
	}
	return "", false
}

// Profiles lists the profiles the file defines, in order of first appearance.
func (f *File) Profiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range f.lines {
		if l.kind != lineSection {
			continue
		}
		if p, ok := f.profileOf(l.section); ok && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// HasProfile reports whether the file has a section for profile.
func (f *File) HasProfile(profile string) bool {
	for _, l := range f.lines {
		if p, ok := f.profileOf(l.section); l.kind == lineSection && ok && p == profile {
			return true
		}
	}
	return false
}

// span is the line range [start, end) of one section, header included.
type span struct{ start, end int }

// sections returns the spans of every section for profile, in file order.
// A profile may appear more than once; the SDKs merge such sections.
func (f *File) sections(profile string) []span {
	var out []span
	for i := 0; i < len(f.lines); i++ {
		l := f.lines[i]
		if l.kind != lineSection {
			continue
		}
		if p, ok := f.profileOf(l.section); !ok || p != profile {
			continue
		}
		end := i + 1
		for end < len(f.lines) && f.lines[end].kind != lineSection {
			end++
		}
		out = append(out, span{i, end})
	}
	return out
}

// keyLine returns the index of the last line setting key in profile, or -1.
// Keys compare case-insensitively, as the SDKs read them.
func (f *File) keyLine(profile, key string) int {
	found := -1
	for _, s := range f.sections(profile) {
		for i := s.start + 1; i < s.end; i++ {
			if f.lines[i].kind == lineKey && strings.EqualFold(f.lines[i].key, key) {
				found = i
			}
		}
	}
	return found
}

// Get returns key's value in profile. For a key set more than once the last
// one wins, as in the SDKs. A key holding nested settings ("s3 =") has an
// empty value.
func (f *File) Get(profile, key string) (string, bool) {
	i := f.keyLine(profile, key)
	if i < 0 {
		return "", false
	}
	return f.lines[i].value, true
}

// Keys lists the keys set in profile, in file order, each once.
func (f *File) Keys(profile string) []string {
	var out []string
	for _, s := range f.sections(profile) {
		for i := s.start + 1; i < s.end; i++ {
			l := f.lines[i]
			if l.kind == lineKey && !slices.ContainsFunc(out, func(k string) bool { return strings.EqualFold(k, l.key) }) {
				out = append(out, l.key)
			}
		}
	}
	return out
}
