package cli

import (
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/credserver"
	"github.com/awsmfa/awsmfa/process"
)

func TestChildEnv(t *testing.T) {
	sess := cache.Session{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s3cr/t+", SessionToken: "tok", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	env := []string{
		"PATH=/bin",
		"AWS_PROFILE=work",
		"AWS_DEFAULT_PROFILE=work",
		"AWS_ACCESS_KEY_ID=AKIAOLD",
		"AWS_SECURITY_TOKEN=stale",
		"AWS_REGION=us-west-2",
		process.ChainEnv + "=work",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/token",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/run/web",
	}
	got := childEnv(env, sessionEnv(sess, ""), "work", "outer")
	want := []string{
		"PATH=/bin",
		"AWS_REGION=us-west-2", // no region in the profile: the user's stays
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=s3cr/t+",
		"AWS_SESSION_TOKEN=tok",
		"AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
		"AWSMFA_EXEC_PROFILE=work",
		process.ChainEnv + "=outer",
	}
	if !slices.Equal(got, want) {
		t.Errorf("childEnv =\n%q\nwant\n%q", got, want)
	}
	got = childEnv(env, sessionEnv(sess, "eu-west-1"), "work", "")
	if !slices.Contains(got, "AWS_REGION=eu-west-1") || !slices.Contains(got, "AWS_DEFAULT_REGION=eu-west-1") || slices.Contains(got, "AWS_REGION=us-west-2") {
		t.Errorf("the profile's region did not replace the environment's: %q", got)
	}
	for _, kv := range got {
		if len(kv) > len(process.ChainEnv) && kv[:len(process.ChainEnv)] == process.ChainEnv {
			t.Errorf("the recursion guard was handed down without an outer chain: %q", kv)
		}
	}
}

func TestShellQuoteSurvivesTheShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	for _, v := range []string{"plain", "a/b+c=", "it's", "''", `$HOME "x" \n`, ""} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("sh read %q back as %q (%v)", v, out, err)
		}
	}
}

func TestPowershellQuote(t *testing.T) {
	if got, want := powershellQuote("it's $x"), `'it''s $x'`; got != want {
		t.Errorf("powershellQuote = %s, want %s", got, want)
	}
}

func TestCheckListen(t *testing.T) {
	for _, c := range []struct {
		addr     string
		loopback bool
		err      string
	}{
		{"127.0.0.1:0", true, ""},
		{"127.0.0.2:9911", true, ""},
		{"[::1]:9911", true, ""},
		{"localhost:9911", true, ""},
		{"0.0.0.0:9911", false, ""},
		{":9911", false, ""},
		{"192.168.1.5:9911", false, ""},
		{"rebound.example:9911", false, `--listen "rebound.example:9911": "rebound.example" is not an IP address; give IP:PORT, such as 127.0.0.1:9911`},
		{"9911", false, `--listen "9911": missing port in address; give IP:PORT, such as 127.0.0.1:9911`},
	} {
		loopback, err := checkListen(c.addr)
		if fmt.Sprint(err) != map[bool]string{true: "<nil>", false: c.err}[c.err == ""] || loopback != c.loopback {
			t.Errorf("checkListen(%q) = %v, %v; want %v, %q", c.addr, loopback, err, c.loopback, c.err)
		}
	}
}

func TestServerEnvHasNoKeys(t *testing.T) {
	env := []string{"PATH=/bin", "AWS_PROFILE=work", "AWS_ACCESS_KEY_ID=AKIAOLD", "AWS_SECRET_ACCESS_KEY=old", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/t"}
	srv := &credserver.Server{URL: "http://127.0.0.1:9911/", Token: "tok"}
	got := childEnv(env, serverEnv(srv, "eu-west-1"), "work", "")
	want := []string{
		"PATH=/bin",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9911/",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=tok",
		"AWS_REGION=eu-west-1",
		"AWS_DEFAULT_REGION=eu-west-1",
		"AWSMFA_EXEC_PROFILE=work",
	}
	if !slices.Equal(got, want) {
		t.Errorf("childEnv =\n%q\nwant\n%q", got, want)
	}
}
