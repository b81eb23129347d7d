package awsquery

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzDecodeReplies feeds arbitrary bytes to every reply decoder: none may
// panic, a decoded success always has all four credential fields and an
// expiration, and an error reply always yields a code.
func FuzzDecodeReplies(f *testing.F) {
	f.Add([]byte(sessionTokenReply("2026-11-27T13:20:00Z")))
	f.Add([]byte(sessionTokenReply("2026-11-27T13:20:00Z", "SessionToken")))
	f.Add([]byte(strings.NewReplacer("GetSessionToken", "AssumeRole").Replace(sessionTokenReply("2026-11-27T13:20:00.123+01:00"))))
	f.Add([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
	f.Add([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	f.Fuzz(func(t *testing.T, reply []byte) {
		for _, action := range []string{"GetSessionToken", "AssumeRole"} {
			creds, err := decodeCredentials(action, reply)
			if err != nil {
				continue
			}
			if strings.TrimSpace(creds.AccessKeyID) == "" || strings.TrimSpace(creds.SecretAccessKey) == "" ||
				strings.TrimSpace(creds.SessionToken) == "" || creds.Expiration.IsZero() {
				t.Fatalf("%s decoded incomplete credentials without an error: %+v", action, creds)
			}
		}
		if id, err := decodeCallerIdentity(reply); err == nil && id.Arn == "" {
			t.Fatal("a caller identity without Arn decoded without an error")
		}
		if e := parseError("STS", "GetSessionToken", http.StatusForbidden, http.Header{}, reply); e == nil || e.Code == "" {
			t.Fatalf("an error reply without a code: %+v", e)
		}
	})
}
