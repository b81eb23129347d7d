package awsquery

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/redact"
)

// SessionCredentials are temporary credentials STS issued.
type SessionCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// AssumeRoleInput is what AssumeRole sends; empty fields and a zero
// DurationSeconds are left out, for STS's defaults to apply.
type AssumeRoleInput struct {
	RoleARN         string
	RoleSessionName string
	ExternalID      string
	SerialNumber    string
	TokenCode       string
	DurationSeconds int32
}

// CallerIdentity is who signed a request, as GetCallerIdentity says.
type CallerIdentity struct {
	Account string
	Arn     string
	UserID  string
}

// GetSessionToken trades the long-term keys the client signs with, and an
// MFA code when serialNumber is set, for session credentials. A zero
// durationSeconds leaves the duration to STS (12 hours).
func (c *Client) GetSessionToken(ctx context.Context, durationSeconds int32, serialNumber, tokenCode string) (SessionCredentials, error) {
	params := url.Values{}
	setIfPositive(params, "DurationSeconds", durationSeconds)
	setIfNotEmpty(params, "SerialNumber", serialNumber)
	setIfNotEmpty(params, "TokenCode", tokenCode)
	return c.credentialsCall(ctx, "GetSessionToken", params)
}

// AssumeRole returns credentials for the role in.RoleARN.
func (c *Client) AssumeRole(ctx context.Context, in AssumeRoleInput) (SessionCredentials, error) {
	params := url.Values{}
	setIfNotEmpty(params, "RoleArn", in.RoleARN)
	setIfNotEmpty(params, "RoleSessionName", in.RoleSessionName)
	setIfNotEmpty(params, "ExternalId", in.ExternalID)
	setIfNotEmpty(params, "SerialNumber", in.SerialNumber)
	setIfNotEmpty(params, "TokenCode", in.TokenCode)
	setIfPositive(params, "DurationSeconds", in.DurationSeconds)
	return c.credentialsCall(ctx, "AssumeRole", params)
}

// GetCallerIdentity says who signs the client's requests.
func (c *Client) GetCallerIdentity(ctx context.Context) (CallerIdentity, error) {
	const action = "GetCallerIdentity"
	if err := c.require(stsService, action); err != nil {
		return CallerIdentity{}, err
	}
	reply, err := c.call(ctx, action, nil)
	if err != nil {
		return CallerIdentity{}, err
	}
	id, err := decodeCallerIdentity(reply)
	if err != nil {
		return CallerIdentity{}, c.replyError(action, err)
	}
	return id, nil
}

func (c *Client) credentialsCall(ctx context.Context, action string, params url.Values) (SessionCredentials, error) {
	if err := c.require(stsService, action); err != nil {
		return SessionCredentials{}, err
	}
	reply, err := c.call(ctx, action, params)
	if err != nil {
		return SessionCredentials{}, err
	}
	creds, err := decodeCredentials(action, reply)
	if err != nil {
		return SessionCredentials{}, c.replyError(action, err)
	}
	return creds, nil
}

// require refuses an action of another service than the client's: a
// programming error, caught before anything is sent.
func (c *Client) require(s *service, action string) error {
	if c.service != s {
		return fmt.Errorf("awsquery: %s is an %s action, but the client was made for %s", action, s.name, c.service.name)
	}
	return nil
}

// replyError words a success reply that could not be used.
func (c *Client) replyError(action string, err error) error {
	return fmt.Errorf("%s %s: the reply from %s %w; check that the %s endpoint setting points at %s",
		c.service.name, action, redact.Show(redact.URL, c.endpoint.Host), err, c.service.name, c.service.name)
}

func setIfNotEmpty(params url.Values, key, value string) {
	if value != "" {
		params.Set(key, value)
	}
}

func setIfPositive(params url.Values, key string, value int32) {
	if value > 0 {
		params.Set(key, strconv.FormatInt(int64(value), 10))
	}
}

// credentialsXML is the <Credentials> of GetSessionToken's and AssumeRole's replies.
type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// decodeCredentials reads the credentials of a GetSessionTokenResponse or
// an AssumeRoleResponse. Its errors complete "the reply from HOST ..." and
// never quote a secret.
func decodeCredentials(action string, reply []byte) (SessionCredentials, error) {
	var r struct {
		XMLName      xml.Name
		SessionToken *credentialsXML `xml:"GetSessionTokenResult>Credentials"`
		AssumeRole   *credentialsXML `xml:"AssumeRoleResult>Credentials"`
	}
	if err := xml.Unmarshal(reply, &r); err != nil || r.XMLName.Local != action+"Response" {
		return SessionCredentials{}, fmt.Errorf("is not an STS %sResponse", action)
	}
	x := r.SessionToken
	if action == "AssumeRole" {
		x = r.AssumeRole
	}
	if x == nil {
		return SessionCredentials{}, fmt.Errorf("has no credentials (no %sResult>Credentials)", action)
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"AccessKeyId", x.AccessKeyID}, {"SecretAccessKey", x.SecretAccessKey},
		{"SessionToken", x.SessionToken}, {"Expiration", x.Expiration},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return SessionCredentials{}, fmt.Errorf("has credentials without %s", strings.Join(missing, ", "))
	}
	expiration, err := parseISO8601(strings.TrimSpace(x.Expiration))
	if err != nil {
		return SessionCredentials{}, fmt.Errorf("has credentials with an Expiration that is not an ISO 8601 time (%q)", x.Expiration)
	}
	return SessionCredentials{
		AccessKeyID:     x.AccessKeyID,
		SecretAccessKey: x.SecretAccessKey,
		SessionToken:    x.SessionToken,
		Expiration:      expiration,
	}, nil
}

// iso8601Layouts are those smithy-go's ParseDateTime accepts; a missing
// zone means UTC.
var iso8601Layouts = []string{
	"2006-01-02T15:04:05.999999999Z",
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	time.RFC3339,
}

func parseISO8601(s string) (time.Time, error) {
	var err error
	for _, layout := range iso8601Layouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// decodeCallerIdentity reads a GetCallerIdentityResponse.
func decodeCallerIdentity(reply []byte) (CallerIdentity, error) {
	var r struct {
		XMLName xml.Name
		Result  struct {
			Account string `xml:"Account"`
			Arn     string `xml:"Arn"`
			UserID  string `xml:"UserId"`
		} `xml:"GetCallerIdentityResult"`
	}
	if err := xml.Unmarshal(reply, &r); err != nil || r.XMLName.Local != "GetCallerIdentityResponse" {
		return CallerIdentity{}, fmt.Errorf("is not an STS GetCallerIdentityResponse")
	}
	id := CallerIdentity{Account: r.Result.Account, Arn: r.Result.Arn, UserID: r.Result.UserID}
	if id.Arn == "" {
		return CallerIdentity{}, fmt.Errorf("has no Arn in its GetCallerIdentityResult")
	}
	return id, nil
}
