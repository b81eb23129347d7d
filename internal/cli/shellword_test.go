package cli

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestShellWordReadsBackAsOneWord: every word shellWord accepts is, after
// sh and after awsmfa's own splitter (botocore's rules), exactly itself.
func TestShellWordReadsBackAsOneWord(t *testing.T) {
	words := []string{
		"work", "AdministratorAccess-123456789012", "alice@corp", "a=b,c:d/e+f",
		"ops&dev(it's)", "a;b|c<d>e", "*?[x]", "~home", "#hash", "{a,b}", "^caret",
		"C:\\Program Files\\awsmfa\\awsmfa.exe", "/home/john smith/go/bin/awsmfa", "ünïcode",
	}
	for _, w := range words {
		q, err := shellWord(w)
		if err != nil {
			t.Errorf("shellWord(%q): %v", w, err)
			continue
		}
		if got := splitCommandLine("awsmfa " + q); len(got) != 2 || got[1] != w {
			t.Errorf("shellWord(%q) = %s, which splits as %q", w, q, got)
		}
		if runtime.GOOS == "windows" {
			continue
		}
		out, err := exec.Command("/bin/sh", "-c", "printf '%s\\n' "+q).Output()
		if err != nil || strings.TrimSuffix(string(out), "\n") != w {
			t.Errorf("sh -c \"printf '%%s\\n' %s\" printed %q (%v), want %q", q, out, err, w)
		}
	}
}

func TestShellWordRefusesWhatNoQuotingKeepsPlain(t *testing.T) {
	for _, w := range []string{
		"x$(touch${IFS}pwned)", "a`id`", `a"b`, "%COMSPEC%", "a!b", "tab\there", "nl\nx", "a\\\\b", `trailing\`, "",
	} {
		if q, err := shellWord(w); err == nil {
			t.Errorf("shellWord(%q) = %s; want it refused", w, q)
		}
	}
}

func TestCredentialProcessLineQuotesTheCommandPath(t *testing.T) {
	got, err := credentialProcessLine("/home/john smith/go/bin/awsmfa", "ops&dev", "--duration", "8h")
	if want := `"/home/john smith/go/bin/awsmfa" process --profile "ops&dev" --duration 8h`; err != nil || got != want {
		t.Errorf("got %s (%v), want %s", got, err, want)
	}
	if _, err := credentialProcessLine("/opt/$HOME/awsmfa", "work"); err == nil || !strings.Contains(err.Error(), "install awsmfa in a directory") {
		t.Errorf("a path sh would expand: %v; want it refused with what to do", err)
	}
}
