package stsstub

import (
	"encoding/xml"
	"net/http"
	"time"
)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type getSessionTokenResponse struct {
	XMLName  xml.Name         `xml:"GetSessionTokenResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   credentialsXML   `xml:"GetSessionTokenResult>Credentials"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		} `xml:"AssumedRoleUser"`
		Credentials credentialsXML `xml:"Credentials"`
	} `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// formatExpiration writes whole seconds in UTC, as STS does.
func formatExpiration(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

func credentialsOf(s *session) credentialsXML {
	return credentialsXML{
		AccessKeyID:     s.accessKeyID,
		SecretAccessKey: s.secretAccessKey,
		SessionToken:    s.sessionToken,
		Expiration:      formatExpiration(s.expires),
	}
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		// Only our own fixed structs are marshalled, so this is a bug.
		panic(err)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, requestID string, e *apiError) {
	var resp errorResponse
	resp.Xmlns = stsNamespace
	resp.Error.Type = errorType(e.Status)
	resp.Error.Code = e.Code
	resp.Error.Message = e.Message
	resp.RequestID = requestID
	writeXML(w, e.Status, resp)
}
