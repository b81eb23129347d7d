package cache

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// answers plays a user typing passphrases, recording each question.
type answers struct {
	typed []string
	asked []string
}

func (a *answers) ask(prompt string) (string, error) {
	a.asked = append(a.asked, prompt)
	if len(a.typed) == 0 {
		return "", errors.New("no more answers")
	}
	v := a.typed[0]
	a.typed = a.typed[1:]
	return v, nil
}

// openAsking opens the file keyring in dir as a new awsmfa process that
// asks a for the passphrase and remembers nothing.
func openAsking(t *testing.T, dir string, a *answers) *Store {
	t.Helper()
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "")
	st, err := Open(Config{Backend: "file", FileDir: dir, FilePassphrase: a.ask, FileUnlockTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestNewFileKeyringAsksTheNewPassphraseTwice(t *testing.T) {
	dir := t.TempDir()
	a := &answers{typed: []string{"one", "two", "pw", "pw"}}
	st := openAsking(t, dir, a)
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	if len(a.asked) != 4 || !strings.Contains(a.asked[0], "Creating a new file keyring at "+dir) ||
		!strings.Contains(a.asked[1], "again") || !strings.Contains(a.asked[2], "differed") {
		t.Fatalf("questions: %q; want a new keyring's passphrase asked twice, and asked again after a mismatch", a.asked)
	}
	// The keyring now has the passphrase typed twice.
	b := &answers{typed: []string{"pw"}}
	if _, err := openAsking(t, dir, b).Keys("work"); err != nil || len(b.asked) != 1 || strings.Contains(b.asked[0], "new") {
		t.Fatalf("reopened: %v, questions %q", err, b.asked)
	}
}

func TestWrongPassphraseIsAskedAgain(t *testing.T) {
	dir := t.TempDir()
	st := openAsking(t, dir, &answers{typed: []string{"pw", "pw"}})
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}

	a := &answers{typed: []string{"typo", "pw"}}
	keys, err := openAsking(t, dir, a).Keys("work")
	if err != nil || keys.SecretAccessKey != "s" {
		t.Fatalf("Keys after one typo: %+v, %v", keys, err)
	}
	if len(a.asked) != 2 || !strings.Contains(a.asked[1], "Wrong passphrase (try 2 of 3)") {
		t.Fatalf("questions: %q", a.asked)
	}

	a = &answers{typed: []string{"x", "y", "z", "pw"}}
	_, err = openAsking(t, dir, a).Keys("work")
	if !errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrCorrupt) || strings.Contains(err.Error(), "delete") || len(a.asked) != 3 {
		t.Fatalf("three wrong passphrases: %v after %d questions; want ErrWrongPassphrase after 3, never corrupt or delete", err, len(a.asked))
	}
}

// A keyring made before the check item existed is checked against its items.
func TestWrongPassphraseOnAKeyringWithoutCheckItem(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir) // AWSMFA_FILE_PASSPHRASE: no check item written
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	a := &answers{typed: []string{"typo", "test passphrase"}}
	if _, err := openAsking(t, dir, a).Keys("work"); err != nil || len(a.asked) != 2 {
		t.Fatalf("Keys: %v after %q", err, a.asked)
	}
}

// A wrong AWSMFA_FILE_PASSPHRASE never encrypts anything: the keyring
// would be left with items under two passphrases.
func TestWrongEnvPassphraseNeverWrites(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir)
	if err := st.SetKeys("work", Keys{AccessKeyID: "AKIA", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)
	resetPassphrase(t)
	t.Setenv(FilePassphraseEnv, "not the passphrase")
	st, err := Open(Config{Backend: "file", FileDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SetSession(NewSessionKey("work"), testSession("a"))
	if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), FilePassphraseEnv) {
		t.Fatalf("SetSession with a wrong passphrase: %v", err)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Fatalf("the keyring went from %d to %d files", len(before), len(after))
	}
}
