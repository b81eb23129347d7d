package process

import (
	"encoding/json"
	"io"
	"time"

	"github.com/awsmfa/awsmfa/cache"
)

// credentialProcessOutput is the JSON a credential_process prints.
type credentialProcessOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// WriteJSON writes sess in credential_process format (Version 1, Expiration
// in RFC 3339 UTC) in a single write, so a reader never sees half of it.
func WriteJSON(w io.Writer, sess cache.Session) error {
	b, err := json.Marshal(credentialProcessOutput{
		Version:         1,
		AccessKeyID:     sess.AccessKeyID,
		SecretAccessKey: sess.SecretAccessKey,
		SessionToken:    sess.SessionToken,
		Expiration:      sess.Expiration.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
