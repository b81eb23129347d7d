package cache

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

func TestListSessionsAndProfilesWithKeys(t *testing.T) {
	st := openFile(t, t.TempDir())
	soon, later := testSession("a"), testSession("b")
	soon.Expiration = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	later.Expiration = soon.Expiration.Add(time.Hour)
	for _, kv := range []struct {
		key  SessionKey
		sess Session
	}{
		{NewSessionKey("work", "long"), later},
		{NewSessionKey("work", "short"), soon},
		{NewSessionKey("team/dev", "x"), soon},
	} {
		if err := st.SetSession(kv.key, kv.sess); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"work", "home"} {
		if err := st.SetKeys(p, Keys{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	// SetKeys dropped work's sessions; store them again.
	if err := st.SetSession(NewSessionKey("work", "long"), later); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSession(NewSessionKey("work", "short"), soon); err != nil {
		t.Fatal(err)
	}
	// A damaged entry is listed with its error, not skipped or fatal.
	broken := NewSessionKey("broken", "x")
	if err := st.ring.Set(keyring.Item{Key: broken.String(), Data: []byte("{")}); err != nil {
		t.Fatal(err)
	}

	all, err := st.ListSessions("")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.Key.Profile+"@"+s.Expiration.Format("15:04"))
	}
	if want := []string{"broken@00:00", "team/dev@00:00", "work@00:00", "work@01:00"}; !slices.Equal(got, want) {
		t.Errorf("ListSessions(\"\") = %q, want %q", got, want)
	}
	if !errors.Is(all[0].Err, ErrCorrupt) {
		t.Errorf("broken entry error = %v", all[0].Err)
	}

	work, err := st.ListSessions("work")
	if err != nil || len(work) != 2 || !work[1].Expiration.Equal(later.Expiration) {
		t.Errorf("ListSessions(work) = %+v, %v", work, err)
	}

	profiles, err := st.ProfilesWithKeys()
	if err != nil || !slices.Equal(profiles, []string{"home", "work"}) {
		t.Errorf("ProfilesWithKeys = %q, %v", profiles, err)
	}
}
