// Command floor is the benchmark's lower bound for a cache hit: the least a
// credential_process helper on 99designs/keyring can do. It opens one
// keyring backend, reads one item (the key given as its argument), decodes
// the session awsmfa stored there and prints it as credential_process JSON.
// No CLI framework, no AWS config, no lock, no prompt.
//
// Run it with DBUS_SESSION_BUS_ADDRESS=disabled: for the file and keyctl
// backends: keyring's package init would otherwise connect to (or, with no
// bus address, launch) a D-Bus daemon, and the floor would be slower than
// the real program it bounds.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/99designs/keyring"
)

type item struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token"`
	Expiration      time.Time `json:"expiration"`
}

type output struct {
	Version         int
	AccessKeyId     string //nolint:revive // wire format
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: floor BACKEND KEY")
		os.Exit(2)
	}
	backend, key := os.Args[1], os.Args[2]
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:         []keyring.BackendType{keyring.BackendType(backend)},
		ServiceName:             "awsmfa",
		KeyCtlScope:             "user",
		LibSecretCollectionName: "login",
		FileDir:                 os.Getenv("AWSMFA_FILE_DIR"),
		FilePasswordFunc:        keyring.FixedStringPrompt(os.Getenv("AWSMFA_FILE_PASSPHRASE")),
	})
	if err != nil {
		fail(err)
	}
	it, err := ring.Get(key)
	if err != nil {
		fail(err)
	}
	var s item
	if err := json.Unmarshal(it.Data, &s); err != nil {
		fail(err)
	}
	b, err := json.Marshal(output{1, s.AccessKeyID, s.SecretAccessKey, s.SessionToken, s.Expiration.UTC().Format(time.RFC3339)})
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(b, '\n'))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}
