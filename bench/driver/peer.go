package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// comparePeer times `aws-vault export --format=json` on a warm cache against
// awsmfa's cache hit, on aws-vault's file backend in the same workspace. It
// runs only with a binary given on the command line; nothing is downloaded.
func comparePeer(o options, w *workspace, hit command) error {
	env := append(w.env[:len(w.env):len(w.env)],
		"AWS_VAULT_BACKEND=file",
		"AWS_VAULT_FILE_DIR="+filepath.Join(w.dir, "aws-vault"),
		"AWS_VAULT_FILE_PASSPHRASE="+passphrase,
	)
	add := exec.Command(o.awsVault, "add", profile, "--env")
	add.Env = append(env, "AWS_ACCESS_KEY_ID="+stsstub.DemoAccessKeyID, "AWS_SECRET_ACCESS_KEY="+stsstub.DemoSecretAccessKey)
	if out, err := add.CombinedOutput(); err != nil {
		return fmt.Errorf("aws-vault add: %v: %s", err, strings.TrimSpace(string(out)))
	}
	w.clock.Advance(30 * time.Second)
	code, err := w.stub.Code(stsstub.DemoMFASerial)
	if err != nil {
		return err
	}
	export := command{path: o.awsVault, args: []string{"export", "--format=json", profile}, env: env}
	if _, _, err := (command{path: o.awsVault, args: []string{"export", "--format=json", "--mfa-token", code, profile}, env: env}).run(); err != nil {
		return err
	}
	a, v, err := interleave(hit, export, o.runs)
	if err != nil {
		return err
	}
	fmt.Printf("\naws-vault export --format=json (warm cache, file backend): %s vs awsmfa %s: awsmfa is **%.2f×** faster.\n",
		ms(v.median), ms(a.median), float64(v.median)/float64(a.median))
	return nil
}
