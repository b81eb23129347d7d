package process

import (
	"encoding/json"
	"io"
	"time"

	"github.com/awsmfa/awsmfa/cache"
)

// WriteJSON writes sess in credential_process format (Version 1, Expiration
// in RFC 3339 UTC) in a single write, so a reader never sees half of it.
//
// The object is put together field by field, each value encoded by
// encoding/json exactly as it would encode the struct's fields: reflecting
// on a struct costs every cache hit its first-use set-up (~0.05 ms).
func WriteJSON(w io.Writer, sess cache.Session) error {
	b := make([]byte, 0, 128+len(sess.AccessKeyID)+len(sess.SecretAccessKey)+len(sess.SessionToken))
	b = append(b, `{"Version":1`...)
	for _, f := range [...]struct{ name, value string }{
		{"AccessKeyId", sess.AccessKeyID},
		{"SecretAccessKey", sess.SecretAccessKey},
		{"SessionToken", sess.SessionToken},
		{"Expiration", sess.Expiration.UTC().Format(time.RFC3339)},
	} {
		value, err := json.Marshal(f.value)
		if err != nil {
			return err
		}
		b = append(b, `,"`...)
		b = append(b, f.name...)
		b = append(b, `":`...)
		b = append(b, value...)
	}
	_, err := w.Write(append(b, "}\n"...))
	return err
}
