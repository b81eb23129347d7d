package cache

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SessionInfo describes one cached session without its secrets.
type SessionInfo struct {
	Key        SessionKey
	Expiration time.Time
	// Err is set when the entry cannot be read (a corrupt item); Expiration
	// is then zero.
	Err error
}

// ListSessions returns the cached sessions of profile, or of every profile
// when profile is "", ordered by profile then expiration. It lists and reads
// every item, so it is for commands such as list and doctor, never for the
// credential_process path.
func (s *Store) ListSessions(profile string) ([]SessionInfo, error) {
	keys, err := s.ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("listing the %s keyring: %w; check that the keyring is unlocked and reachable", s.backend, err)
	}
	var out []SessionInfo
	for _, k := range keys {
		sk, ok := parseSessionKey(k)
		if !ok || (profile != "" && sk.Profile != profile) {
			continue
		}
		sess, err := s.Session(sk)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile by another process
		}
		out = append(out, SessionInfo{Key: sk, Expiration: sess.Expiration, Err: err})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := strings.Compare(a.Key.Profile, b.Key.Profile); c != 0 {
			return c
		}
		return a.Expiration.Compare(b.Expiration)
	})
	return out, nil
}

// ProfilesWithKeys lists, sorted, the profiles whose long-term keys are
// stored. It reads no item, only the keyring's list of keys.
func (s *Store) ProfilesWithKeys() ([]string, error) {
	keys, err := s.ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("listing the %s keyring: %w; check that the keyring is unlocked and reachable", s.backend, err)
	}
	var out []string
	for _, k := range keys {
		if p, ok := strings.CutPrefix(k, keyPrefix+"keys/"); ok && p != "" {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}
