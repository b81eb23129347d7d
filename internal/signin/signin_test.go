package signin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestPartitionsHaveTheirOwnSigninHosts(t *testing.T) {
	noEnv := func(string) string { return "" }
	for id, want := range map[string][3]string{
		"aws":        {"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/", "https://123456789012.signin.aws.amazon.com/console"},
		"aws-cn":     {"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/", "https://123456789012.signin.amazonaws.cn/console"},
		"aws-us-gov": {"https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/", "https://123456789012.signin.amazonaws-us-gov.com/console"},
	} {
		p, err := ForPartition(id)
		if err != nil {
			t.Fatal(err)
		}
		got := [3]string{p.FederationURL(noEnv), p.ConsoleHome(), p.AccountSigninURL("123456789012")}
		if got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if _, err := ForPartition("aws-iso"); err == nil || !strings.Contains(err.Error(), FederationURLEnv) {
		t.Errorf("aws-iso: %v; want an error naming %s", err, FederationURLEnv)
	}
	p, _ := ForPartition("aws")
	override := func(k string) string {
		if k == FederationURLEnv {
			return "http://127.0.0.1:1/federation"
		}
		return ""
	}
	if got := p.FederationURL(override); got != "http://127.0.0.1:1/federation" {
		t.Errorf("override: %s", got)
	}
}

func TestTokenPostsTheSessionAndReadsTheToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.RawQuery != "" {
			t.Errorf("%s with query %q: the session must travel in the body", r.Method, r.URL.RawQuery)
		}
		_ = r.ParseForm()
		if r.Form.Get("Action") != "getSigninToken" || r.Form.Get("Session") != `{"sessionId":"ASIAX","sessionKey":"secret","sessionToken":"token"}` {
			t.Errorf("form %v", r.Form)
		}
		if r.Form.Get("SessionDuration") != "" {
			t.Error("SessionDuration sent: role-chained sessions refuse it")
		}
		_, _ = w.Write([]byte(`{"SigninToken":"tok"}`))
	}))
	defer srv.Close()
	token, err := Token(context.Background(), srv.Client(), srv.URL+"/federation", aws.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "secret", SessionToken: "token"})
	if err != nil || token != "tok" {
		t.Fatalf("Token: %q, %v", token, err)
	}
}

func TestTokenRefusedSaysWhy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Only federation tokens or assume role tokens may be used for federated login", http.StatusBadRequest)
	}))
	defer srv.Close()
	_, err := Token(context.Background(), srv.Client(), srv.URL, aws.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s3cr3t-value", SessionToken: "t0ken-value"})
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "400 Bad Request: Only federation tokens") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "t0ken") {
		t.Errorf("the error repeats a secret: %v", err)
	}
}

func TestLoginURL(t *testing.T) {
	got := LoginURL("https://signin.aws.amazon.com/federation", "awsmfa", "https://console.aws.amazon.com/s3/?region=eu-west-1", "a+b/c=")
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "signin.aws.amazon.com" || q.Get("Action") != "login" || q.Get("Issuer") != "awsmfa" ||
		q.Get("Destination") != "https://console.aws.amazon.com/s3/?region=eu-west-1" || q.Get("SigninToken") != "a+b/c=" {
		t.Errorf("LoginURL = %s", got)
	}
}
