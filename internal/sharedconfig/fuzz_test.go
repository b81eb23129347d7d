package sharedconfig

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad writes the input as the config file (and, after a NUL byte, the
// credentials file) and loads a few profiles from it. Load must never
// panic, its errors must be one line, and wherever the SDK's own loader
// gives an answer (it panics on some inputs, and refuses settings Load
// does not check) the two must agree on every setting and on the kind of
// error.
func FuzzLoad(f *testing.F) {
	for _, tc := range parityCases {
		if tc.config != absent && tc.creds != absent && !strings.Contains(tc.config+tc.creds, "$DIR") {
			f.Add([]byte(tc.config + "\x00" + tc.creds))
		}
	}
	clearAWSEnv(f)
	dir := f.TempDir()
	f.Setenv("HOME", dir)
	configPath, credsPath := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	f.Setenv("AWS_CONFIG_FILE", configPath)
	f.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsPath)

	f.Fuzz(func(t *testing.T, data []byte) {
		configData, credsData, _ := bytes.Cut(data, []byte{0})
		if err := os.WriteFile(configPath, configData, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(credsPath, credsData, 0o600); err != nil {
			t.Fatal(err)
		}
		// The SDK reads a CA bundle whole: a fuzzed path such as
		// /dev/zero would never end.
		askSDK := !bytes.Contains(bytes.ToLower(data), []byte("ca_bundle"))
		for _, profile := range []string{"work", "default", "admin"} {
			got, gotOutcome, gotErr := ours(profile)
			if gotErr != nil && strings.ContainsAny(gotErr.Error(), "\r\n") {
				t.Errorf("%s: error is not one line: %q", profile, gotErr)
			}
			if !askSDK {
				continue
			}
			want, sdkOutcome, sdkErr := sdk(profile)
			switch {
			case sdkOutcome.kind == "panic", sdkOutcome.kind == "other":
				// The SDK cannot answer, or refuses something Load does not check.
			case gotOutcome != sdkOutcome:
				t.Errorf("%s: Load: %v (%v)\nSDK: %v (%v)", profile, gotOutcome, gotErr, sdkOutcome, sdkErr)
			case got != want:
				t.Errorf("%s: Load and the SDK differ:\nLoad: %+v\nSDK:  %+v", profile, got, want)
			}
		}
	})
}
