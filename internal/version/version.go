// Package version reports which awsmfa this is, for bug reports: the
// release a build came from, its commit and date, and the Go toolchain.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by release builds through the linker (see .goreleaser.yaml):
//
//	-X github.com/awsmfa/awsmfa/internal/version.version=1.2.3
//	-X github.com/awsmfa/awsmfa/internal/version.commit=<full hash>
//	-X github.com/awsmfa/awsmfa/internal/version.date=<RFC 3339>
var version, commit, date string

// Info describes this build. Fields not known are "".
type Info struct {
	Version  string // "1.2.3" from a release, "v1.2.3" from go install, else "(devel)"
	Commit   string // full commit hash
	Modified bool   // built from a work tree with uncommitted changes
	Date     string // RFC 3339
	// DateKind says what Date is: "built" (a release build's date) or
	// "committed" (the commit's time, which is all a go build records).
	DateKind  string
	GoVersion string // "go1.26.8"
	Platform  string // "linux/amd64"
	CGO       string // "1" or "0"; "" when the build did not record it
}

// Current returns this binary's Info: from the linker flags of a release
// build, else from the build information the Go toolchain embeds (which is
// how `go install github.com/awsmfa/awsmfa@v1.2.3` reports v1.2.3).
func Current() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuild(version, commit, date, bi)
}

// fromBuild is Current with its inputs given, for tests. bi may be nil.
func fromBuild(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) Info {
	info := Info{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var vcsTime string
	if bi != nil {
		if v := bi.Main.Version; v != "" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			case "CGO_ENABLED":
				info.CGO = s.Value
			}
		}
	}
	if vcsTime != "" {
		info.Date, info.DateKind = vcsTime, "committed"
	}
	if ldVersion != "" {
		info.Version = ldVersion
		if ldCommit != "" {
			info.Commit, info.Modified = ldCommit, false
		}
		if ldDate != "" {
			info.Date, info.DateKind = ldDate, "built"
		}
	}
	return info
}

// Short is the one line doctor prints: version, commit, date, Go, platform.
func (i Info) Short() string {
	return fmt.Sprintf("awsmfa %s (commit %s, %s %s, %s %s)",
		i.Version, i.commit(), i.dateKind(), or(i.Date, "unknown"), i.GoVersion, i.Platform)
}

// String is what `awsmfa version` prints: one field a line.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "awsmfa %s\n", i.Version)
	fmt.Fprintf(&b, "commit:   %s\n", i.commit())
	fmt.Fprintf(&b, "%-9s %s\n", i.dateKind()+":", or(i.Date, "unknown"))
	fmt.Fprintf(&b, "go:       %s %s", i.GoVersion, i.Platform)
	if i.CGO != "" {
		fmt.Fprintf(&b, " CGO_ENABLED=%s", i.CGO)
	}
	b.WriteString("\n")
	return b.String()
}

func (i Info) commit() string {
	switch {
	case i.Commit == "":
		return "unknown"
	case i.Modified:
		return i.Commit + " (with uncommitted changes)"
	}
	return i.Commit
}

func (i Info) dateKind() string { return or(i.DateKind, "built") }

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
