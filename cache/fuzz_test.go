package cache

import (
	"errors"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

// FuzzSessionItem feeds arbitrary bytes to the session item decoder, as a
// damaged or foreign keyring item would: it must never panic, must report
// anything unusable as ErrCorrupt without quoting the item, and must return
// only complete sessions.
func FuzzSessionItem(f *testing.F) {
	f.Add([]byte(`{"version":1,"profile":"work","access_key_id":"ASIA","secret_access_key":"s","session_token":"t","expiration":"2030-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"expiration":"not a time"}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		key := NewSessionKey("work", "x")
		st := &Store{backend: "array", ring: keyring.NewArrayKeyring([]keyring.Item{{Key: key.String(), Data: data}})}
		sess, err := st.Session(key)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			if len(data) >= 8 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error quotes the item: %v", err)
			}
			return
		}
		if sess.AccessKeyID == "" || sess.SecretAccessKey == "" || sess.SessionToken == "" || sess.Expiration.IsZero() {
			t.Fatalf("incomplete session accepted: %+v", sess)
		}
	})
}

// FuzzSessionKey: any profile name survives String and parseSessionKey, the
// way ClearSessions finds a profile's sessions among all keyring items.
func FuzzSessionKey(f *testing.F) {
	for _, p := range []string{"work", "team/dev", "a/b/c", "", "awsmfa/session/x"} {
		f.Add(p, "setting")
	}
	f.Fuzz(func(t *testing.T, profile, setting string) {
		key := NewSessionKey(profile, setting)
		got, ok := parseSessionKey(key.String())
		if profile == "" {
			return // refused by Session/SetSession before any key is built
		}
		if !ok || got != key {
			t.Fatalf("parseSessionKey(%q) = %+v, %v; want %+v", key.String(), got, ok, key)
		}
	})
}
