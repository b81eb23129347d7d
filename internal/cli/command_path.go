package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// systemDirs hold programs that every client finds, whatever PATH it was
// started with: an IDE, a GUI app or a systemd unit often has only these.
var systemDirs = []string{"/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin", "/opt/homebrew/bin"}

// awsmfaCommand is the program to name in a credential_process line: plain
// "awsmfa" when this binary sits in a system directory, else its absolute
// path, so that clients not started from the user's shell (whose PATH may
// lack ~/go/bin) find it. note says why the line is not absolute, or "".
func awsmfaCommand() (command, note string) {
	self, err := os.Executable()
	if err != nil {
		return "awsmfa", fmt.Sprintf("the path of this awsmfa binary is unknown (%v), so the line says plain awsmfa: clients whose PATH lacks its directory will not find it", err)
	}
	if p, err := filepath.EvalSymlinks(self); err == nil {
		self = p
	}
	if isBuildCache(self) {
		return "awsmfa", "this awsmfa runs from go run's build cache, so the line says plain awsmfa; install it (go install) into a directory on every client's PATH"
	}
	// Prefer the name the user ran, when PATH finds this very binary
	// there: a symlink such as /usr/local/bin/awsmfa survives upgrades.
	if onPath, err := exec.LookPath("awsmfa"); err == nil && sameFile(onPath, self) {
		if abs, err := filepath.Abs(onPath); err == nil {
			onPath = abs
		}
		if inSystemDir(onPath) {
			return "awsmfa", ""
		}
		return onPath, ""
	}
	if inSystemDir(self) {
		return "awsmfa", ""
	}
	return self, ""
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

func inSystemDir(path string) bool {
	if runtime.GOOS == "windows" {
		return false // no directory every Windows client has on PATH
	}
	return slices.Contains(systemDirs, filepath.Dir(path))
}

// isBuildCache tells a `go run` binary, which is deleted after the run.
func isBuildCache(path string) bool {
	return strings.Contains(filepath.ToSlash(path), "/go-build")
}

// resolveCommand finds the program a credential_process line starts, as a
// client whose PATH is this process's would: an absolute path must be an
// executable file, a bare name must be on PATH.
func resolveCommand(name string) (string, error) {
	if name == "" {
		return "", errors.New("the line is empty")
	}
	if filepath.IsAbs(name) || strings.ContainsAny(name, `/\`) {
		fi, err := os.Stat(name)
		if err != nil {
			return "", err
		}
		if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
			return "", fmt.Errorf("%s is not an executable file", name)
		}
		return name, nil
	}
	return exec.LookPath(name)
}
