package awsconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

func readFixture(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/config")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t *testing.T, data string) *File {
	t.Helper()
	f, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRoundTripIsByteForByte(t *testing.T) {
	for name, data := range map[string]string{
		"fixture":         string(readFixture(t)),
		"crlf":            strings.ReplaceAll(string(readFixture(t)), "\n", "\r\n"),
		"no final eol":    "[default]\nregion = us-east-1",
		"empty":           "",
		"only comments":   "# a\n\n; b\n",
		"keys before any": "region = x\n[default]\n",
	} {
		f := mustParse(t, data)
		if got := string(f.Bytes()); got != data {
			t.Errorf("%s: Bytes() = %q, want %q", name, got, data)
		}
	}
}

func TestGetFollowsTheSections(t *testing.T) {
	f := mustParse(t, string(readFixture(t)))
	for _, tc := range []struct {
		profile, key, want string
		ok                 bool
	}{
		{"default", "region", "us-east-1", true},
		{"default", "output", "json", true},
		{"work", "REGION", "eu-west-1", true},
		{"work", "s3", "", true},
		// Nested settings belong to their parent key, not to the profile.
		{"work", "max_concurrent_requests", "", false},
		{"work", "sso_session", "corp", true},
		{"work", "cli_pager", "", true},
		{"spaced", "mfa_serial", "arn:aws:iam::123456789012:mfa/old", true},
		// sso-session and services sections are not profiles.
		{"corp", "sso_start_url", "", false},
		{"local-sts", "sts", "", false},
		{"missing", "region", "", false},
	} {
		got, ok := f.Get(tc.profile, tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Get(%q, %q) = %q, %v; want %q, %v", tc.profile, tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if got, want := f.Profiles(), []string{"default", "work", "spaced", "last"}; !slices.Equal(got, want) {
		t.Errorf("Profiles() = %q, want %q", got, want)
	}
}

func TestLastSettingWinsAcrossRepeatedSections(t *testing.T) {
	f := mustParse(t, "[profile a]\nregion = one\n[profile b]\n[profile a]\nregion = two\n[default]\n[profile default]\nregion = d\n")
	if got, _ := f.Get("a", "region"); got != "two" {
		t.Errorf("region = %q, want two", got)
	}
	if got, _ := f.Get("default", "region"); got != "d" {
		t.Errorf("[profile default] region = %q, want d", got)
	}
	if err := f.Set("a", "region", "three"); err != nil {
		t.Fatal(err)
	}
	want := "[profile a]\nregion = one\n[profile b]\n[profile a]\nregion = three\n[default]\n[profile default]\nregion = d\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("after Set:\n%s\nwant:\n%s", got, want)
	}
}

// setAndDiff applies edits to the fixture and returns the result.
func edit(t *testing.T, data string, edits func(f *File) error) string {
	t.Helper()
	f := mustParse(t, data)
	if err := edits(f); err != nil {
		t.Fatal(err)
	}
	out := string(f.Bytes())
	if _, err := Parse([]byte(out)); err != nil {
		t.Fatalf("edited file does not parse: %v\n%s", err, out)
	}
	return out
}

func TestSetChangesOnlyItsLine(t *testing.T) {
	orig := string(readFixture(t))
	got := edit(t, orig, func(f *File) error { return f.Set("spaced", "mfa_serial", "arn:aws:iam::123456789012:mfa/new") })
	want := strings.Replace(orig, "mfa_serial = arn:aws:iam::123456789012:mfa/old", "mfa_serial = arn:aws:iam::123456789012:mfa/new", 1)
	if got != want {
		t.Errorf("replace:\n%s", got)
	}

	// A new key goes after the profile's last setting (after a nested
	// block), before the blank line and the next section.
	got = edit(t, orig, func(f *File) error { return f.Set("work", "mfa_serial", "arn:aws:iam::1:mfa/w") })
	want = strings.Replace(orig, "sso_session = corp   \n", "sso_session = corp   \nmfa_serial = arn:aws:iam::1:mfa/w\n", 1)
	if got != want {
		t.Errorf("insert:\n%s", got)
	}

	// Comments after the last key stay below the new one.
	got = edit(t, orig, func(f *File) error { return f.Set("spaced", "region", "x") })
	if !strings.Contains(got, "[profile   spaced  ]\nregion = x\nmfa_serial = arn:aws:iam::123456789012:mfa/old\n# trailing comment of spaced\n") {
		t.Errorf("replace keeps neighbours:\n%s", got)
	}

	// A new profile is appended as a section of its own.
	got = edit(t, orig, func(f *File) error { return f.Set("new", "credential_process", "awsmfa process --profile new") })
	if want := orig + "\n[profile new]\ncredential_process = awsmfa process --profile new\n"; got != want {
		t.Errorf("append:\n%s", got)
	}
}

func TestSetKeepsLineEndingsAndFinalLine(t *testing.T) {
	got := edit(t, "[default]\r\nregion = a\r\n", func(f *File) error { return f.Set("default", "output", "json") })
	if want := "[default]\r\nregion = a\r\noutput = json\r\n"; got != want {
		t.Errorf("crlf: %q", got)
	}
	got = edit(t, "[default]\nregion = a", func(f *File) error { return f.Set("default", "output", "json") })
	if want := "[default]\nregion = a\noutput = json\n"; got != want {
		t.Errorf("unterminated last line: %q", got)
	}
	got = edit(t, "[default]\nregion = a", func(f *File) error { return f.Set("default", "region", "b") })
	if want := "[default]\nregion = b"; got != want {
		t.Errorf("replace unterminated last line: %q", got)
	}
	got = edit(t, "", func(f *File) error { return f.Set("default", "region", "b") })
	if want := "[default]\nregion = b\n"; got != want {
		t.Errorf("empty file: %q", got)
	}
}

func TestSetReplacingANestedBlockDropsItsChildren(t *testing.T) {
	got := edit(t, "[profile p]\ns3 =\n  a = 1\n  b = 2\nregion = x\n", func(f *File) error { return f.Set("p", "s3", "plain") })
	if want := "[profile p]\ns3 = plain\nregion = x\n"; got != want {
		t.Errorf("got %q", got)
	}
}

func TestUnset(t *testing.T) {
	orig := string(readFixture(t))
	f := mustParse(t, orig)
	if !f.Unset("work", "s3") {
		t.Fatal("Unset(s3) found nothing")
	}
	if f.Unset("work", "s3") {
		t.Fatal("second Unset(s3) removed something")
	}
	want := strings.Replace(orig, "s3 =\n  max_concurrent_requests = 10\n  multipart_threshold = 64MB\n", "", 1)
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s", got)
	}
}

func TestSetRefusesWhatWouldNotReadBack(t *testing.T) {
	f := mustParse(t, "")
	for _, tc := range [][3]string{
		{"a b", "k", "v"},
		{"x]", "k", "v"},
		{"p", "k=1", "v"},
		{"p", "k", "v\n[profile evil]"},
		{"", "k", "v"},
	} {
		if err := f.Set(tc[0], tc[1], tc[2]); err == nil {
			t.Errorf("Set(%q, %q, %q) succeeded", tc[0], tc[1], tc[2])
		}
	}
	if len(f.Bytes()) != 0 {
		t.Errorf("refused Set changed the file: %q", f.Bytes())
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, data := range []string{"[default\nregion = x\n", "[default]\njust words\n", "[default]\n= value\n", "[a] b\n"} {
		_, err := Parse([]byte(data))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a ParseError", data, err)
			continue
		}
		if pe.Line < 1 || !strings.Contains(err.Error(), "line") {
			t.Errorf("Parse(%q): %v", data, err)
		}
	}
}

func TestCredentialsFileUsesBareSectionNames(t *testing.T) {
	f, err := ParseCredentials([]byte("[work]\naws_access_key_id = AKIAEXAMPLE\n[profile odd]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Get("work", "aws_access_key_id"); !ok || v != "AKIAEXAMPLE" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if err := f.Set("home", "aws_access_key_id", "AKIAHOME"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(f.Bytes()), "\n[home]\naws_access_key_id = AKIAHOME\n") {
		t.Errorf("got %q", f.Bytes())
	}
}

// TestTheSDKReadsWhatSetWrote checks the edits against the AWS SDK for Go's
// own parser, which is what awsmfa process and most tools use.
func TestTheSDKReadsWhatSetWrote(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	f := mustParse(t, string(readFixture(t)))
	for _, kv := range [][3]string{
		{"work", "mfa_serial", "arn:aws:iam::123456789012:mfa/work"},
		{"work", "credential_process", "awsmfa process --profile work"},
		{"spaced", "region", "eu-central-1"},
		{"fresh", "region", "us-west-2"},
	} {
		if err := f.Set(kv[0], kv[1], kv[2]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	load := func(profile string) config.SharedConfig {
		t.Helper()
		sc, err := config.LoadSharedConfigProfile(context.Background(), profile, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles = []string{path}
			o.CredentialsFiles = []string{filepath.Join(dir, "none")}
		})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	work := load("work")
	if work.MFASerial != "arn:aws:iam::123456789012:mfa/work" || work.CredentialProcess != "awsmfa process --profile work" || work.Region != "eu-west-1" {
		t.Errorf("SDK read work as %+v", work)
	}
	if got := load("spaced").Region; got != "eu-central-1" {
		t.Errorf("SDK read spaced region %q", got)
	}
	if got := load("fresh").Region; got != "us-west-2" {
		t.Errorf("SDK read fresh region %q", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(readFixtureF(f)))
	f.Add("[default]\nregion = x")
	f.Add("[\n")
	f.Add("  indented = 1\n[x]\r\n;c\n")
	f.Fuzz(func(t *testing.T, data string) {
		file, err := Parse([]byte(data))
		if err != nil {
			return
		}
		if got := string(file.Bytes()); got != data {
			t.Fatalf("round trip changed %q into %q", data, got)
		}
		for _, p := range file.Profiles() {
			file.Get(p, "region")
		}
		if err := file.Set("fuzz", "mfa_serial", "arn:aws:iam::1:mfa/f"); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(file.Bytes())
		if err != nil {
			t.Fatalf("after Set the file no longer parses: %v\n%q", err, file.Bytes())
		}
		if v, ok := again.Get("fuzz", "mfa_serial"); !ok || v != "arn:aws:iam::1:mfa/f" {
			t.Fatalf("after Set, Get = %q, %v in %q", v, ok, file.Bytes())
		}
	})
}

func readFixtureF(f *testing.F) []byte {
	data, err := os.ReadFile("testdata/config")
	if err != nil {
		f.Fatal(err)
	}
	return data
}

func TestParseErrorsNeverRepeatALineThatMayBeASecret(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	_, err := ParseCredentials([]byte("[work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" + secret + "\n"))
	if err == nil {
		t.Fatal("a bare line parsed")
	}
	if strings.Contains(err.Error(), secret[:8]) {
		t.Errorf("error repeats the line: %v", err)
	}
	if !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error does not name the line: %v", err)
	}
	// A broken section header is still quoted: it helps and holds no secret.
	_, err = Parse([]byte("[profile work\n"))
	if err == nil || !strings.Contains(err.Error(), `"[profile work"`) {
		t.Errorf("got %v, want the header quoted", err)
	}
}
