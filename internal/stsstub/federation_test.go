package stsstub

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// federation posts form to the stand-in's federation endpoint.
func federation(t *testing.T, f *fixture, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL()+FederationPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := do(t, req)
	return resp.StatusCode, body
}

func sessionJSON(c *types.Credentials) string {
	b, _ := json.Marshal(map[string]string{"sessionId": *c.AccessKeyId, "sessionKey": *c.SecretAccessKey, "sessionToken": *c.SessionToken})
	return string(b)
}

// signIn gets a sign-in token for c and opens the console page with it.
func signIn(t *testing.T, f *fixture, c *types.Credentials) string {
	t.Helper()
	status, body := federation(t, f, url.Values{"Action": {"getSigninToken"}, "Session": {sessionJSON(c)}})
	if status != http.StatusOK {
		t.Fatalf("getSigninToken: %d %s", status, body)
	}
	var reply struct{ SigninToken string }
	if err := json.Unmarshal([]byte(body), &reply); err != nil || reply.SigninToken == "" {
		t.Fatalf("getSigninToken reply %q: %v", body, err)
	}
	status, page := federation(t, f, url.Values{"Action": {"login"}, "Issuer": {"test"}, "Destination": {"https://console.aws.amazon.com/"}, "SigninToken": {reply.SigninToken}})
	if status != http.StatusOK {
		t.Fatalf("login: %d %s", status, page)
	}
	return page
}

func TestFederationSignsInARoleSession(t *testing.T) {
	f := startStub(t)
	mfa := f.mfaSession(t)
	out, err := f.sessionClient(t, mfa).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/Admin"), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	page := signIn(t, f, out.Credentials)
	if !strings.Contains(page, `<span id="identity">arn:aws:sts::123456789012:assumed-role/Admin/alice</span> (assumed role)`) {
		t.Errorf("page does not name the role:\n%s", page)
	}
	wantCalls(t, f.srv, "getSigninToken", 1, 1)
	wantCalls(t, f.srv, "login", 1, 1)
}

func TestFederationRefusesAnMFASession(t *testing.T) {
	f := startStub(t)
	status, body := federation(t, f, url.Values{"Action": {"getSigninToken"}, "Session": {sessionJSON(f.mfaSession(t))}})
	if status != http.StatusBadRequest || !strings.Contains(body, "Only federation tokens or assume role tokens may be used for federated login") {
		t.Errorf("got %d %q", status, body)
	}
	status, body = federation(t, f, url.Values{"Action": {"login"}, "Destination": {"https://console.aws.amazon.com/"}, "SigninToken": {"made-up"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "not valid or has expired") {
		t.Errorf("made-up token: got %d %q", status, body)
	}
}

func TestGetFederationTokenNeedsLongTermKeysAndAPolicy(t *testing.T) {
	f := startStub(t)
	ctx := context.Background()
	_, err := f.sessionClient(t, f.mfaSession(t)).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice")})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	_, err = f.userClient(t).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("a-name-longer-than-thirty-two-chars")}, noRetries)
	wantAPIErrorCode(t, err, "ValidationError")

	out, err := f.userClient(t).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FederatedUser.Arn != "arn:aws:sts::123456789012:federated-user/alice" || out.Credentials.Expiration.Sub(f.clock.Now()) < 11*time.Hour {
		t.Errorf("GetFederationToken: %s until %v", *out.FederatedUser.Arn, out.Credentials.Expiration)
	}
	page := signIn(t, f, out.Credentials)
	if !strings.Contains(page, "federated-user/alice</span> (federated user)") || strings.Contains(page, "no permissions") {
		t.Errorf("page:\n%s", page)
	}
	c := out.Credentials
	_, err = f.iamClient(t, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantAPIErrorCode(t, err, "AccessDenied")

	// Without a policy the session has no permissions: the page says so.
	bare, err := f.userClient(t).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if page := signIn(t, f, bare.Credentials); !strings.Contains(page, "no permissions") {
		t.Errorf("page of a session without a policy:\n%s", page)
	}
}
