package cache

import (
	"errors"
	"fmt"
)

// Keys are a profile's long-term IAM user access keys, used only to call
// STS GetSessionToken.
type Keys struct {
	AccessKeyID, SecretAccessKey string
}

// MaskedID shows enough of the access key id to recognise it in a message,
// not enough to use it.
func (k Keys) MaskedID() string {
	if len(k.AccessKeyID) < 12 {
		return "(a malformed access key id)"
	}
	return k.AccessKeyID[:4] + "…" + k.AccessKeyID[len(k.AccessKeyID)-4:]
}

type keysItem struct {
	Version         int    `json:"version"`
	Profile         string `json:"profile"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

func (k *keysItem) version() int { return k.Version }

// keysKey is the keyring key of a profile's long-term keys.
func keysKey(profile string) string { return keyPrefix + "keys/" + profile }

// Keys returns the profile's long-term keys, or an error wrapping
// ErrNotFound or ErrCorrupt.
func (s *Store) Keys(profile string) (Keys, error) {
	if err := s.checkProfile(profile); err != nil {
		return Keys{}, err
	}
	key := keysKey(profile)
	what := fmt.Sprintf("long-term keys for profile %q", profile)
	data, err := s.get(key, what)
	if err != nil {
		return Keys{}, err
	}
	var it keysItem
	if err := s.decode(data, &it, key, what); err != nil {
		return Keys{}, err
	}
	if it.AccessKeyID == "" || it.SecretAccessKey == "" {
		return Keys{}, s.corrupt(key, what)
	}
	return Keys{AccessKeyID: it.AccessKeyID, SecretAccessKey: it.SecretAccessKey}, nil
}

// SetKeys stores the profile's long-term keys and drops its cached
// sessions, which belong to the keys being replaced.
func (s *Store) SetKeys(profile string, k Keys) error {
	if err := s.checkProfile(profile); err != nil {
		return err
	}
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return errors.New("both an access key ID and a secret access key are needed; enter the IAM user's access key pair")
	}
	err := s.set(keysKey(profile),
		fmt.Sprintf("awsmfa long-term keys for profile %s", profile),
		"AWS access key pair that awsmfa uses to request MFA sessions",
		&keysItem{Version: itemVersion, Profile: profile, AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey})
	if err != nil {
		return err
	}
	if _, err := s.ClearSessions(profile); err != nil {
		return fmt.Errorf("keys stored, but dropping the old sessions failed: %w", err)
	}
	return nil
}

// RemoveKeys deletes the profile's long-term keys and its sessions. It
// returns an error wrapping ErrNotFound when there were no keys (sessions
// are dropped regardless).
func (s *Store) RemoveKeys(profile string) error {
	if err := s.checkProfile(profile); err != nil {
		return err
	}
	if _, err := s.ClearSessions(profile); err != nil {
		return err
	}
	return s.remove(keysKey(profile), fmt.Sprintf("long-term keys for profile %q", profile))
}
