package secretenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// startsAChild is how Go code starts a process without this package.
var startsAChild = regexp.MustCompile(`\bexec\.Command(Context)?\(|\bos\.StartProcess\(|\bsyscall\.(ForkExec|Exec|StartProcess)\(`)

// TestEveryChildStartGoesThroughCommand keeps the rule in one place: the
// binary's code starts processes only through Command (a browser added
// later included), so none of them inherits a secret-bearing variable by
// way of a Cmd whose Env was left to default. Tests, the benchmarks and
// the test-only internal/testenv are not the binary.
func TestEveryChildStartGoesThroughCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch rel {
			case ".git", "bench", "tests", "internal/testenv", "internal/secretenv":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if startsAChild.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d starts a process without secretenv.Command: %s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
