package cli

import "testing"

func TestLineDuration(t *testing.T) {
	for line, want := range map[string]string{
		"awsmfa process --profile work --duration 8h":         "8h0m0s",
		"/usr/bin/awsmfa process -p work --duration=90m":      "1h30m0s",
		"awsmfa process --profile work":                       "0s",
		"aws-vault export --duration 8h work":                 "0s",
		"awsmfa process --profile work --duration not-a-time": "0s",
	} {
		if got := lineDuration(line).String(); got != want {
			t.Errorf("lineDuration(%q) = %s, want %s", line, got, want)
		}
	}
}
