package sharedconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad loads a role profile from files of a typical size, and from
// a config with 500 profiles (as generated for large SSO organisations).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10, 500} {
		b.Run(fmt.Sprintf("%d profiles", n), func(b *testing.B) {
			var config strings.Builder
			config.WriteString("[default]\nregion = us-east-1\n\n")
			for i := range n {
				fmt.Fprintf(&config, "[profile p%d]\nregion = eu-west-1\nmfa_serial = %s\ncredential_process = awsmfa process --profile p%d\n\n", i, mfa, i)
			}
			config.WriteString("[profile admin]\nrole_arn = " + role + "\nsource_profile = p1\nmfa_serial = " + mfa + "\n")
			clearAWSEnv(b)
			dir := b.TempDir()
			b.Setenv("HOME", dir)
			for name, data := range map[string]string{"config": config.String(), "credentials": "[other]\n" + keys} {
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
					b.Fatal(err)
				}
			}
			b.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
			b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
			b.Run("Load", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Load("admin"); err != nil {
						b.Fatal(err)
					}
				}
			})
			// For scale: the SDK's loader on the same files, which Load
			// replaces, and an STS client for its endpoint (the SDK's
			// package initialisation not included).
			b.Run("SDK", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := sdk("admin"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
