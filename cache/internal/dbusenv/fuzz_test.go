package dbusenv

import (
	"strings"
	"testing"
)

// FuzzFlagValue: --keyring-backend is read from the raw arguments before
// the command line is parsed. Whatever they are, flagValue returns the last
// value given before "--", and never reads past the end.
func FuzzFlagValue(f *testing.F) {
	f.Add("process\x00--keyring-backend\x00file")
	f.Add("--keyring-backend=keyctl\x00--\x00--keyring-backend=file")
	f.Add("--keyring-backend")
	f.Add("")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		got := flagValue(args)
		want := ""
		for i := 0; i < len(args); i++ {
			if args[i] == "--" {
				break
			}
			if args[i] == BackendFlag && i+1 < len(args) {
				want = args[i+1]
				i++
			} else if v, ok := strings.CutPrefix(args[i], BackendFlag+"="); ok {
				want = v
			}
		}
		if got != want {
			t.Fatalf("flagValue(%q) = %q, want %q", args, got, want)
		}
	})
}
