package version

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReleaseBuildReportsItsLinkerFlags(t *testing.T) {
	// A release build also carries the toolchain's own VCS stamp; the
	// linker flags win, and the release's date is its build date.
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/awsmfa/awsmfa", Version: "v1.2.4-0.20261201000000-aaaaaaaaaaaa+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "aaaa"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "CGO_ENABLED", Value: "0"}}}
	got := fromBuild("1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-01T12:00:00Z", bi)
	want := "awsmfa 1.2.3\n" +
		"commit:   0123456789abcdef0123456789abcdef01234567\n" +
		"built:    2026-12-01T12:00:00Z\n" +
		"go:       " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + " CGO_ENABLED=0\n"
	if got.String() != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestGoInstallAtAVersionReportsThatVersion(t *testing.T) {
	// What `go install github.com/awsmfa/awsmfa@v1.2.3` embeds: the module
	// version and no VCS stamp (the module zip has no repository).
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/awsmfa/awsmfa", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "1"}}}
	got := fromBuild("", "", "", bi)
	if got.Version != "v1.2.3" || got.Commit != "" || got.Date != "" || got.CGO != "1" {
		t.Errorf("got %+v, want version v1.2.3, no commit or date, cgo on", got)
	}
	if s := got.String(); !strings.Contains(s, "awsmfa v1.2.3\ncommit:   unknown\nbuilt:    unknown\n") {
		t.Errorf("String() = %q; want unknown commit and date spelled out", s)
	}
}

func TestBuildFromACheckoutReportsTheCommit(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/awsmfa/awsmfa", Version: "v0.0.0-20261130100000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := fromBuild("", "", "", bi).String()
	for _, want := range []string{
		"awsmfa v0.0.0-20261130100000-0123456789ab+dirty\n",
		"commit:   0123456789abcdef (with uncommitted changes)\n",
		"committed: 2026-11-30T10:00:00Z\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("String() = %q; want it to contain %q", got, want)
		}
	}
}

func TestNoBuildInformation(t *testing.T) {
	got := fromBuild("", "", "", nil)
	if got.Version != "(devel)" || got.GoVersion != runtime.Version() {
		t.Errorf("got %+v, want (devel) and this toolchain", got)
	}
	want := "awsmfa (devel) (commit unknown, built unknown, " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got.Short() != want {
		t.Errorf("Short() = %q, want %q", got.Short(), want)
	}
}
