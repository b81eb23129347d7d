package process

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/cache"
)

// FuzzWriteJSON: the hand-built output is byte for byte what encoding/json
// makes of the credential_process struct, for any value, escaping included.
func FuzzWriteJSON(f *testing.F) {
	f.Add("ASIAEXAMPLE", "secret/with+slash=", "token\"quote\\back<html>&\u2028", int64(1900000000))
	f.Add("", "\x00\x1f\x7f", "\xff invalid utf-8", int64(0))
	f.Fuzz(func(t *testing.T, id, secret, token string, unix int64) {
		sess := cache.Session{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Expiration: time.Unix(unix%(1<<40), 0)}
		var got bytes.Buffer
		if err := WriteJSON(&got, sess); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(struct {
			Version         int
			AccessKeyId     string //nolint:revive // the wire format
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}{1, id, secret, token, sess.Expiration.UTC().Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want)+"\n" {
			t.Fatalf("got  %s\nwant %s", got.Bytes(), want)
		}
	})
}
