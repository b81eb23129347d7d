package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session is a set of temporary credentials from STS.
type Session struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// SessionKey names one cached session: a profile plus a hash of every
// setting that produced it, so changing any setting is a different entry.
type SessionKey struct {
	Profile string
	Hash    string
}

const sessionPrefix = keyPrefix + "session/"

// NewSessionKey hashes settings (MFA serial, duration, region, endpoint, ...,
// in an order fixed by the caller). Each setting is length-prefixed so that
// ("ab","c") and ("a","bc") differ. 32 hex characters (128 bits) are plenty
// to tell one profile's variants apart and keep keys short.
func NewSessionKey(profile string, settings ...string) SessionKey {
	h := sha256.New()
	h.Write([]byte("awsmfa session key v1\x00"))
	var n [8]byte
	for _, s := range settings {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return SessionKey{Profile: profile, Hash: hex.EncodeToString(h.Sum(nil))[:32]}
}

// String is the keyring key, "awsmfa/session/<profile>/<hash>". The file
// backend percent-encodes the slashes, so it is one file name.
func (k SessionKey) String() string { return sessionPrefix + k.Profile + "/" + k.Hash }

// parseSessionKey inverts String. The hash never contains '/', so a profile
// that does ("team/dev") still parses unambiguously.
func parseSessionKey(key string) (SessionKey, bool) {
	rest, ok := strings.CutPrefix(key, sessionPrefix)
	if !ok {
		return SessionKey{}, false
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return SessionKey{}, false
	}
	return SessionKey{Profile: rest[:i], Hash: rest[i+1:]}, true
}

type sessionItem struct {
	Version         int       `json:"version"`
	Profile         string    `json:"profile"`
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token"`
	Expiration      time.Time `json:"expiration"`
}

// decodeSessionItem decodes a session item; unknown members are ignored.
func decodeSessionItem(data []byte) (sessionItem, error) {
	var it sessionItem
	err := json.Unmarshal(data, &it)
	return it, err
}

// Session returns a cached session, expired or not: the caller decides
// about freshness. This is the hot path of every credential_process call,
// so it does exactly one keyring Get and never lists items or reads the
// long-term keys. Errors wrap ErrNotFound or ErrCorrupt; treat both as a
// miss (a corrupt entry is overwritten by SetSession).
func (s *Store) Session(key SessionKey) (Session, error) {
	if err := s.checkProfile(key.Profile); err != nil {
		return Session{}, err
	}
	k := key.String()
	what := fmt.Sprintf("session for profile %q", key.Profile)
	data, err := s.get(k, what)
	if err != nil {
		return Session{}, err
	}
	it, err := decodeSessionItem(data)
	if err != nil || it.Version != itemVersion {
		return Session{}, s.corrupt(k, what)
	}
	if it.AccessKeyID == "" || it.SecretAccessKey == "" || it.SessionToken == "" || it.Expiration.IsZero() {
		return Session{}, s.corrupt(k, what)
	}
	return Session{
		AccessKeyID:     it.AccessKeyID,
		SecretAccessKey: it.SecretAccessKey,
		SessionToken:    it.SessionToken,
		Expiration:      it.Expiration,
	}, nil
}

// SetSession stores (or replaces) a session.
func (s *Store) SetSession(key SessionKey, sess Session) error {
	if err := s.checkProfile(key.Profile); err != nil {
		return err
	}
	if sess.AccessKeyID == "" || sess.SecretAccessKey == "" || sess.SessionToken == "" || sess.Expiration.IsZero() {
		return errors.New("refusing to cache an incomplete session (access key, secret, token and expiration are all required); this is a bug in awsmfa")
	}
	return s.set(key.String(),
		fmt.Sprintf("awsmfa session for profile %s", key.Profile),
		"temporary AWS MFA session credentials cached by awsmfa; safe to delete",
		&sessionItem{
			Version:         itemVersion,
			Profile:         key.Profile,
			AccessKeyID:     sess.AccessKeyID,
			SecretAccessKey: sess.SecretAccessKey,
			SessionToken:    sess.SessionToken,
			Expiration:      sess.Expiration.UTC(),
		})
}

// ClearSessions deletes the cached sessions of profile, or of every profile
// when profile is "", and returns how many it deleted. It lists all items,
// so it is for commands like logout, not for the credential_process path.
func (s *Store) ClearSessions(profile string) (int, error) {
	return s.clearSessions(func(p string) bool { return profile == "" || p == profile })
}

// ClearSessionsOf deletes the cached sessions of every profile in profiles,
// listing the keyring once, and returns how many it deleted.
func (s *Store) ClearSessionsOf(profiles []string) (int, error) {
	if len(profiles) == 0 {
		return 0, nil
	}
	of := setOf(profiles)
	return s.clearSessions(func(p string) bool { return of[p] })
}

// CountSessions counts the cached sessions of the profiles without reading
// them (on the file backend each read costs a key derivation).
func (s *Store) CountSessions(profiles []string) (int, error) {
	if len(profiles) == 0 {
		return 0, nil
	}
	keys, err := s.sessionKeys()
	if err != nil {
		return 0, err
	}
	of := setOf(profiles)
	n := 0
	for _, sk := range keys {
		if of[sk.Profile] {
			n++
		}
	}
	return n, nil
}

// setOf is profiles as a set: add and remove may pass thousands.
func setOf(profiles []string) map[string]bool {
	set := make(map[string]bool, len(profiles))
	for _, p := range profiles {
		set[p] = true
	}
	return set
}

func (s *Store) clearSessions(match func(profile string) bool) (int, error) {
	keys, err := s.sessionKeys()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sk := range keys {
		if !match(sk.Profile) {
			continue
		}
		if err := s.remove(sk.String(), fmt.Sprintf("session for profile %q", sk.Profile)); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue // another process removed it first
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// sessionKeys lists the keys of every cached session.
func (s *Store) sessionKeys() ([]SessionKey, error) {
	keys, err := s.ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("listing the %s keyring: %w; check that the keyring is unlocked and reachable", s.backend, err)
	}
	var out []SessionKey
	for _, k := range keys {
		if sk, ok := parseSessionKey(k); ok {
			out = append(out, sk)
		}
	}
	return out, nil
}
