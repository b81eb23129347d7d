package process

import (
	"github.com/awsmfa/awsmfa/internal/awsini"

	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// derivedConfig has role chains on work, a loop, and profiles broken in
// every way the SDK's loader or plan refuses.
const derivedConfig = `[profile work]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
credential_process = awsmfa process --profile work

[profile other]
mfa_serial = arn:aws:iam::123456789012:mfa/bob
credential_process = awsmfa process --profile other

[profile admin-role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = work

[profile reader-role]
role_arn = arn:aws:iam::123456789012:role/Reader
source_profile = work

# role -> role -> work
[profile deep-role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = admin-role

[profile other-role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = other

# What clients use: runs awsmfa for admin-role, caches nothing of its own.
[profile admin]
credential_process = awsmfa process --profile admin-role

# The SDK accepts this loop (each end has keys of its own to stop at); plan
# goes round it until maxSourceDepth.
[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = loop-a
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = not-a-real-secret

[profile no-source]
role_arn = arn:aws:iam::123456789012:role/Admin

[profile self-source]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = self-source

[profile dangling]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = nowhere

[profile half-keys]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE

[profile via-half-keys]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = half-keys
`

// writeSharedFiles points the SDK's variables at a config and a credentials
// file holding the given text.
func writeSharedFiles(t *testing.T, config, credentials string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"config": config, "credentials": credentials} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
}

func TestProfilesDerivedFrom(t *testing.T) {
	writeSharedFiles(t, derivedConfig, "[creds-role]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = work\n")
	for name, want := range map[string][]string{
		// Direct roles, the chain through admin-role, and a role defined in
		// the credentials file; neither the client profile admin nor the
		// broken profiles.
		"work":       {"admin-role", "creds-role", "deep-role", "reader-role"},
		"admin-role": {"deep-role"},
		"other":      {"other-role"},
		// Nothing uses them.
		"deep-role": nil,
		"admin":     nil,
		// The loop ends, each end counting the other.
		"loop-a": {"loop-b"},
		"loop-b": {"loop-a"},
		// Not in the files at all.
		"nowhere": nil,
	} {
		got, err := ProfilesDerivedFrom(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("ProfilesDerivedFrom(%q) = %q, want %q", name, got, want)
		}
	}
}

// Each profile counts as derived exactly when plan, serving it, takes
// credentials from the other on the way: the rules are process's own.
func TestProfilesDerivedFromAgreesWithPlan(t *testing.T) {
	writeSharedFiles(t, derivedConfig+longChain("chain", 7, "work"), "")
	o := &Options{Duration: DefaultDuration, RefreshWindow: DefaultRefreshWindow}
	files, err := awsini.Read()
	if err != nil {
		t.Fatal(err)
	}
	names := files.Profiles()
	servedBy := map[string][]string{} // profile -> the profiles plan passes through
	for _, name := range names {
		p, err := loadProfile(context.Background(), name)
		if err != nil {
			continue
		}
		t0, err := o.plan(context.Background(), p, nil)
		if err != nil {
			continue
		}
		for s := t0.source; s != nil; s = s.source {
			servedBy[name] = append(servedBy[name], s.p.Name)
		}
	}
	if len(servedBy["deep-role"]) != 2 || servedBy["chain1"] != nil {
		t.Fatalf("the fixture no longer has the chains it is about: %q", servedBy)
	}
	for _, source := range names {
		derived, err := ProfilesDerivedFrom(source)
		if err != nil {
			t.Fatal(err)
		}
		for profile, chain := range servedBy {
			if uses, counted := slices.Contains(chain, source), slices.Contains(derived, profile); uses != counted && profile != source {
				t.Errorf("plan serves %s through %q, but ProfilesDerivedFrom(%q) = %q", profile, chain, source, derived)
			}
		}
	}
}

// A chain longer than plan follows is not counted from its far end.
func TestProfilesDerivedFromStopsWherePlanStops(t *testing.T) {
	writeSharedFiles(t, derivedConfig+longChain("chain", maxSourceDepth+1, "work"), "")
	got, err := ProfilesDerivedFrom("work")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got, "chain1") {
		t.Errorf("chain1 is %d roles from work, past plan's limit, yet counted: %q", maxSourceDepth+1, got)
	}
	if !slices.Contains(got, "chain2") {
		t.Errorf("chain2 is %d roles from work, within plan's limit, yet not counted: %q", maxSourceDepth, got)
	}
}

// longChain is n role profiles PREFIX1 -> PREFIX2 -> ... -> PREFIXn -> source.
func longChain(prefix string, n int, source string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		next := source
		if i < n {
			next = prefix + string(rune('0'+i+1))
		}
		b.WriteString("\n[profile " + prefix + string(rune('0'+i)) + "]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = " + next + "\n")
	}
	return b.String()
}

func TestProfilesDerivedFromWithoutFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	got, err := ProfilesDerivedFrom("work")
	if err != nil || got != nil {
		t.Errorf("no files: %q, %v; want none and no error", got, err)
	}
}

// Files that cannot be read, or hold a line the SDK skips, are
// errors: finding nothing would leave stale sessions without a word.
func TestProfilesDerivedFromReportsWhatItCannotRead(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	writeSharedFiles(t, derivedConfig+"\naws_secret_access_key "+secret+"\n", "")
	_, err := ProfilesDerivedFrom("work")
	if err == nil || !strings.Contains(err.Error(), "cannot parse") || strings.Contains(err.Error(), secret) {
		t.Errorf("a line the parser refuses: %v; want an error naming the line, not its content", err)
	}

	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir) // a directory, not a file
	if _, err := ProfilesDerivedFrom("work"); err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), "AWS_CONFIG_FILE") {
		t.Errorf("a config path that is a directory: %v; want an error naming it", err)
	}
}
