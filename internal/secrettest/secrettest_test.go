package secrettest

import "testing"

func TestRepeated(t *testing.T) {
	secret := Shapes["secret key"]
	for text, want := range map[string]string{
		"profile work: mfa_serial (value not shown)": "",
		"bad value " + secret[3:21] + "...":          secret[3:19],
		"cut: " + secret[:15]:                        "",
	} {
		if got := Repeated(text, secret); got != want {
			t.Errorf("Repeated(%q) = %q, want %q", text, got, want)
		}
	}
}
