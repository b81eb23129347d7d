package dbusenv_test

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/cache/internal/dbusenv"
	"github.com/awsmfa/awsmfa/internal/cli"
)

// flagLine is one flag in cobra's help: "  -p, --profile string   ..." or
// "      --debug   ...": a type word after the name means it takes a value.
var flagLine = regexp.MustCompile(`^\s+(?:(-\w), )?(--[\w-]+)( \w+)?\s{2,}`)

// TestBoolFlagsMatchTheCommandLine: dbusenv tells a flag's value from the
// command's name in `awsmfa exec FLAGS COMMAND` by knowing which flags take
// no value. A bool flag added to exec or the root without adding it to
// BoolFlags would make it skip the command's name and read the command's
// own --keyring-backend.
func TestBoolFlagsMatchTheCommandLine(t *testing.T) {
	var help bytes.Buffer
	streams := cli.IOStreams{In: strings.NewReader(""), Out: &help, ErrOut: &help}
	if code := cli.Main(context.Background(), []string{dbusenv.ExecCommand, "--help"}, streams, cli.Deps{}); code != 0 {
		t.Fatalf("exec --help exited %d: %s", code, help.String())
	}
	seen := 0
	for _, line := range strings.Split(help.String(), "\n") {
		m := flagLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		isBool := m[3] == ""
		for _, name := range []string{m[1], m[2]} {
			if name != "" && slices.Contains(dbusenv.BoolFlags, name) != isBool {
				t.Errorf("flag %s (takes a value: %v) is wrongly in or out of dbusenv.BoolFlags %q", name, !isBool, dbusenv.BoolFlags)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("found %d flags in exec's help; has its format changed?\n%s", seen, help.String())
	}
}
