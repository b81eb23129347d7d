package redact

import (
	"strings"
	"testing"
)

// secrets are values shaped like what the AWS files hold and messages must
// never repeat.
var secrets = []struct{ name, value string }{
	// The AWS documentation's example secret key.
	{"secret key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	// One with no '/' or '+', which only its shape gives away.
	{"secret key of letters and digits", "Zq3JtGbCl8BFwZp9Utk2h3yCo8nvbEXAMPLEKEYa"},
	{"session token", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6Ex4mpLe+EXAMPLETOKENx2d9GdGZ5pVQkAiEA1b2"},
}

var shapes = []struct {
	name  string
	shape Shape
}{
	{"Token", Token}, {"Name", Name}, {"Path", Path}, {"ARN", ARN},
	{"URL", URL}, {"Region", Region}, {"Command", Command},
}

// hiding puts a secret where a malformed file or a careless setting could
// put it: as the whole value, after a legitimate value on a continuation
// line, and inside an otherwise legitimate value.
func hiding(secret string) map[string]string {
	return map[string]string{
		"alone":     secret,
		"continued": "eu-west-1\n" + secret,
		"in a path": "/home/alice/" + secret + "/ca.pem",
		"in a URL":  "https://sts.example.com/" + secret,
		"in a name": "work-" + secret,
	}
}

func TestSecretsAreNotShownInAnyShape(t *testing.T) {
	for _, s := range secrets {
		for where, value := range hiding(s.value) {
			for _, sh := range shapes {
				if Fits(sh.shape, value) {
					t.Errorf("%s fits a %s %s", sh.name, s.name, where)
				}
				if got := Quote(sh.shape, value); got != NotShown {
					t.Errorf("Quote(%s) shows a %s %s as %s", sh.name, s.name, where, got)
				}
				if got := Show(sh.shape, value); got != NotShown {
					t.Errorf("Show(%s) shows a %s %s as %s", sh.name, s.name, where, got)
				}
			}
		}
	}
}

// Each shape shows the legitimate values of its settings, and the near
// misses a user would want to see to fix them, but nothing else.
func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		shape Shape
		value string
		fits  bool
	}{
		{Token, "3", true},
		{Token, "", true},
		{Token, "0x10", true},
		{Token, "1_000", true},
		{Token, "TRUE", true},
		{Token, "1234567890", true},
		{Token, "12345678901", false}, // too long
		{Token, "3 # retries", false},
		{Token, "3\nx", false},

		{Name, "work", true},
		{Name, "alice@corp.example", true},
		{Name, "AdministratorAccess-123456789012", true},
		{Name, "Ec2InstanceMetadata", true},
		{Name, "a/b", false},
		{Name, "work\nmore", false},
		{Name, strings.Repeat("a", 65), false},

		{Path, "/etc/ssl/certs/ca-certificates.crt", true},
		{Path, `C:\Users\alice\.aws\ca bundle.pem`, true},
		{Path, "~/.aws/ca.pem", true},
		{Path, "/home/zoë/.aws/ca.pem", true},
		{Path, "/etc/ca.pem\nmore", false},
		{Path, "/etc/\xffca.pem", false}, // not UTF-8
		{Path, "/" + strings.Repeat("a", 255), false},

		{ARN, "arn:aws:iam::123456789012:mfa/alice", true},
		{ARN, "arn:aws-us-gov:iam::123456789012:u2f/user/alice/yubikey-ABCD", true},
		{ARN, "arn:aws:iam::123456789012:role/team/Admin", true},
		{ARN, "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_1234567890abcdef", true},
		{ARN, "GAHT12345678", true}, // a hardware token's serial number
		{ARN, "arn:aws:iam::123456789012:mfa/alice bob", false},
		{ARN, "arn:aws:iam::123456789012:mfa/alice\nmore", false},
		{ARN, "arn:aws:iam::123456789012:role/" + strings.Repeat("a", 2048), false},

		{URL, "https://sts.eu-west-1.amazonaws.com", true},
		{URL, "http://127.0.0.1:4566", true},
		{URL, "https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh.sts.us-east-1.vpce.amazonaws.com", true},
		{URL, "https://alice:xxxxx@proxy.corp.example/sts", true}, // url.URL.Redacted's
		{URL, "sts.amazonaws.com", true},                          // a near miss: no scheme
		{URL, "https://sts.amazonaws.com\nmore", false},
		{URL, "https://sts.amazonaws.com/" + strings.Repeat("a", 1024), false},

		{Region, "eu-west-1", true},
		{Region, "us-gov-west-1", true},
		{Region, "fips-us-east-1", true},
		{Region, "eu_west_1", true}, // a near miss
		{Region, "aws-global", true},
		{Region, "EU-WEST-1", false},
		{Region, "AKIAIOSFODNN7EXAMPLE", false}, // an access key ID
		{Region, "eu west 1", false},
		{Region, "eu-west-1\n", false},
		{Region, strings.Repeat("a", 33), false},

		{Command, "awsmfa process --profile work", true},
		{Command, `"C:\Program Files\awsmfa\awsmfa.exe" process --profile work`, true},
		{Command, "/home/alice/go/bin/awsmfa process -p work --duration 12h", true},
		{Command, "aws-vault exec work --json", true},
		{Command, "awsmfa process\n--profile work", false},
		{Command, "awsmfa process --profile " + strings.Repeat("a", 1024), false},

		{0, "", false}, // the zero Shape fits nothing
		{0, "work", false},
	} {
		if got := Fits(tc.shape, tc.value); got != tc.fits {
			t.Errorf("Fits(%s, %q) = %v, want %v", shapeName(tc.shape), tc.value, got, tc.fits)
		}
	}
}

func shapeName(sh Shape) string {
	for _, s := range shapes {
		if s.shape == sh {
			return s.name
		}
	}
	return "zero Shape"
}

// Key material is a long mixed run of base64 characters; shorter runs, or
// runs without all of upper case, lower case and digits, are names.
func TestKeyMaterialIsALongMixedBase64Run(t *testing.T) {
	for value, want := range map[string]bool{
		"AKIAIOSFODNN7EXAMPLE":          false, // an access key ID: no lower case
		"AdministratorAccess123456789":  true,
		"AdministratorAccess-123456789": false, // '-' ends the run
		"Abcdefghijklmnopqr1":           false, // 19: one short
		"Abcdefghijklmnopqrs1":          true,
		"abcdefghijklmnopqrstuvwxyz012": false, // no upper case
		"Ab1/Ab1+Ab1=Ab1/Ab1+Ab1=":      true,  // '+', '/' and '=' are base64
	} {
		if got := mayBeKeyMaterial(value); got != want {
			t.Errorf("mayBeKeyMaterial(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestQuoteAndShow(t *testing.T) {
	if got := Quote(Name, "work"); got != `"work"` {
		t.Errorf(`Quote(Name, "work") = %s, want "work" in quotes`, got)
	}
	if got := Quote(Path, `C:\a b.pem`); got != `"C:\\a b.pem"` {
		t.Errorf(`Quote(Path, C:\a b.pem) = %s, want it Go-quoted`, got)
	}
	if got := Show(Region, "eu-west-1"); got != "eu-west-1" {
		t.Errorf(`Show(Region, "eu-west-1") = %s, want it bare`, got)
	}
	if got := Quote(Token, "12345678901"); got != NotShown {
		t.Errorf("Quote of a value too long for its shape = %s, want %s", got, NotShown)
	}
}
