package dbusenv

import (
	"slices"
	"strings"
	"testing"
)

// FuzzFlagValue: --keyring-backend is read from the raw arguments before
// the command line is parsed. Whatever they are, flagValue returns the last
// value given before "--" and before the command `awsmfa exec` runs, and
// never reads past the end.
func FuzzFlagValue(f *testing.F) {
	f.Add("process\x00--keyring-backend\x00file")
	f.Add("--keyring-backend=keyctl\x00--\x00--keyring-backend=file")
	f.Add("--keyring-backend")
	f.Add("exec\x00-p\x00work\x00echo\x00--keyring-backend\x00wincred")
	f.Add("--debug\x00exec\x00--keyring-backend=file\x00--profile=w\x00env\x00--keyring-backend=x")
	f.Add("")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		got := flagValue(args)
		// The reference: classify every argument as the parser would
		// (flag, flag value, operand), cut where it stops, then take the
		// last value given before the cut.
		end := len(args)
		var operands []int
		type given struct {
			at    int
			value string
		}
		var values []given
		for i := 0; i < len(args); i++ {
			a := args[i]
			if a == "--" {
				end = i
				break
			}
			if len(a) < 2 || a[0] != '-' {
				operands = append(operands, i)
				continue
			}
			if v, ok := strings.CutPrefix(a, BackendFlag+"="); ok {
				values = append(values, given{i, v})
			}
			if !strings.Contains(a, "=") && !slices.Contains(BoolFlags, a) && (strings.HasPrefix(a, "--") || len(a) == 2) {
				if a == BackendFlag && i+1 < len(args) {
					values = append(values, given{i, args[i+1]})
				}
				i++
			}
		}
		if len(operands) >= 2 && args[operands[0]] == ExecCommand {
			end = min(end, operands[1])
		}
		want := ""
		for _, v := range values {
			if v.at < end {
				want = v.value
			}
		}
		if got != want {
			t.Fatalf("flagValue(%q) = %q, want %q", args, got, want)
		}
	})
}
