package cache

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/99designs/keyring"
)

// passphraseError marks a failure to obtain the passphrase, so that it is
// not mistaken for an undecryptable (corrupt) item.
type passphraseError struct{ err error }

func (e *passphraseError) Error() string { return e.err.Error() }
func (e *passphraseError) Unwrap() error { return e.err }

// filePass caches the file backend passphrase for the whole process:
// keyring asks its FilePasswordFunc on every keyring instance, and a user
// must never be asked twice in one invocation. A failed prompt is cached
// too, since asking again in the same run would fail the same way.
var filePass struct {
	sync.Mutex
	done  bool
	value string
	err   error
}

// filePassphrase returns the keyring.PromptFunc for the file backend:
// $AWSMFA_FILE_PASSPHRASE if set, else ask, else a clear error. It never
// uses keyring.TerminalPrompt, which writes to stdout, where the
// credential_process output goes.
func filePassphrase(ask func(prompt string) (string, error)) keyring.PromptFunc {
	return func(prompt string) (string, error) {
		filePass.Lock()
		defer filePass.Unlock()
		if filePass.done {
			return filePass.value, filePass.err
		}
		value, err := readPassphrase(ask, prompt)
		if err != nil {
			err = &passphraseError{err}
		}
		filePass.done, filePass.value, filePass.err = true, value, err
		return value, err
	}
}

func readPassphrase(ask func(string) (string, error), prompt string) (string, error) {
	if v := os.Getenv(FilePassphraseEnv); v != "" {
		return v, nil
	}
	if ask == nil {
		return "", fmt.Errorf("the file keyring backend needs a passphrase; set %s", FilePassphraseEnv)
	}
	v, err := ask(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the file keyring passphrase: %w; set %s to skip the prompt", err, FilePassphraseEnv)
	}
	if v == "" {
		// keyring treats "" as "not asked yet" and would ask again on every
		// item; an empty passphrase would also encrypt nothing worth having.
		return "", errors.New("the file keyring passphrase is empty; enter a non-empty passphrase or set " + FilePassphraseEnv)
	}
	return v, nil
}
