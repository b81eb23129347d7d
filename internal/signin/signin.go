// Package signin turns AWS credentials into a console sign-in URL through
// the AWS federation endpoint, and knows each partition's sign-in hosts.
package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FederationURLEnv overrides the federation endpoint (the full
// ".../federation" URL), for tests and partitions not listed here.
const FederationURLEnv = "AWSMFA_FEDERATION_URL"

// Partition holds one AWS partition's console hosts.
type Partition struct {
	ID string
	// signinHost serves the federation endpoint and the accounts' sign-in pages.
	signinHost string
	// console is the console's home page, the default destination.
	console string
}

var partitions = []Partition{
	{ID: "aws", signinHost: "signin.aws.amazon.com", console: "https://console.aws.amazon.com/"},
	{ID: "aws-cn", signinHost: "signin.amazonaws.cn", console: "https://console.amazonaws.cn/"},
	{ID: "aws-us-gov", signinHost: "signin.amazonaws-us-gov.com", console: "https://console.amazonaws-us-gov.com/"},
}

// ForPartition returns the partition named id (the second field of an ARN).
func ForPartition(id string) (Partition, error) {
	for _, p := range partitions {
		if p.ID == id {
			return p, nil
		}
	}
	return Partition{}, fmt.Errorf("awsmfa knows no console sign-in for the AWS partition %q (it knows aws, aws-cn and aws-us-gov); set %s to the partition's .../federation URL", id, FederationURLEnv)
}

// FederationURL is the partition's federation endpoint, or the one
// FederationURLEnv names.
func (p Partition) FederationURL(getenv func(string) string) string {
	if u := getenv(FederationURLEnv); u != "" {
		return u
	}
	return "https://" + p.signinHost + "/federation"
}

// ConsoleHome is the console's home page in the partition.
func (p Partition) ConsoleHome() string { return p.console }

// AccountSigninURL is the account's own sign-in page, where an IAM user
// signs in with password and MFA code.
func (p Partition) AccountSigninURL(account string) string {
	return "https://" + account + "." + p.signinHost + "/console"
}

// Doer sends HTTP requests; *http.Client and the SDK's aws.HTTPClient are.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// maxReplyBytes bounds the reply read: a sign-in token is a few KB.
const maxReplyBytes = 64 << 10

// Token exchanges role or federation credentials for a sign-in token. The
// credentials go in a POST body, not in a URL that proxies log.
func Token(ctx context.Context, client Doer, federationURL string, creds aws.Credentials) (string, error) {
	session, err := json.Marshal(map[string]string{
		"sessionId":    creds.AccessKeyID,
		"sessionKey":   creds.SecretAccessKey,
		"sessionToken": creds.SessionToken,
	})
	if err != nil {
		return "", err
	}
	form := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, federationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("the federation endpoint %s is not a URL: %w", federationURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		cause := err
		var uerr *url.Error
		if errors.As(err, &uerr) {
			cause = uerr.Err // without the method and URL again
		}
		return "", fmt.Errorf("cannot reach the federation endpoint %s for a sign-in token (%v); check the network connection, or %s if you set it", redactURL(federationURL), cause, FederationURLEnv)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return "", fmt.Errorf("reading the federation endpoint's reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", &RefusedError{Status: resp.Status, Message: oneLine(string(body))}
	}
	var reply struct{ SigninToken string }
	if err := json.Unmarshal(body, &reply); err != nil || reply.SigninToken == "" {
		return "", errors.New("the federation endpoint's reply holds no SigninToken; check " + FederationURLEnv + " if you set it")
	}
	return reply.SigninToken, nil
}

// RefusedError is the federation endpoint saying no.
type RefusedError struct {
	Status  string
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the federation endpoint refused the credentials (%s: %s)", e.Status, e.Message)
}

// LoginURL is the URL that signs the browser in with token and goes on to
// destination. It holds the token: treat it as a secret for 15 minutes.
func LoginURL(federationURL, issuer, destination, token string) string {
	q := url.Values{
		"Action":      {"login"},
		"Issuer":      {issuer},
		"Destination": {destination},
		"SigninToken": {token},
	}
	sep := "?"
	if strings.Contains(federationURL, "?") {
		sep = "&"
	}
	return federationURL + sep + q.Encode()
}

// redactURL drops a query string, which could carry anything.
func redactURL(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
