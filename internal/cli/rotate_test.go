package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// fakeKeyring is a keyring whose SetKeys fails, after storing (setStores)
// or before.
type fakeKeyring struct {
	keys      map[string]cache.Keys
	setStores bool
}

func (f *fakeKeyring) Keys(profile string) (cache.Keys, error) {
	k, ok := f.keys[profile]
	if !ok {
		return cache.Keys{}, cache.ErrNotFound
	}
	return k, nil
}

func (f *fakeKeyring) SetKeys(profile string, k cache.Keys) error {
	if f.setStores {
		f.keys[profile] = k
		return errors.New("keys stored, but dropping the old sessions failed: the keyring is busy")
	}
	return errors.New("the keyring is busy")
}

func (f *fakeKeyring) ClearSessionsOf([]string) (int, error) { return 0, nil }
func (f *fakeKeyring) Backend() string                       { return "fake" }

// startRotation is a rotation of profile work against a fresh stand-in,
// signing with an MFA session as awsmfa would, and the stand-in.
func startRotation(t *testing.T, store rotationStore) (*rotation, *stsstub.Server, *bytes.Buffer) {
	t.Helper()
	user := stsstub.DemoUser()
	srv, err := stsstub.Start(stsstub.Config{Users: []stsstub.User{user}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[profile work]\nregion = us-east-1\nmfa_serial = "+stsstub.DemoMFASerial+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             config,
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL_STS":        srv.URL(),
		"AWS_ENDPOINT_URL_IAM":        srv.URL(),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	keys, err := newAWSClients(ctx, "work", aws.Credentials{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey})
	if err != nil {
		t.Fatal(err)
	}
	code, err := srv.Code(stsstub.DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	out, err := keys.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(stsstub.DemoMFASerial), TokenCode: aws.String(code)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	var stderr, stdout bytes.Buffer
	return &rotation{
		profile: "work",
		streams: IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr},
		store:   store,
		old:     cache.Keys{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey},
		clients: keys.signingWith(aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}),
	}, srv, &stdout
}

func TestRotateKeyringFailureDeletesTheNewKey(t *testing.T) {
	old := cache.Keys{AccessKeyID: stsstub.DemoAccessKeyID, SecretAccessKey: stsstub.DemoSecretAccessKey}
	store := &fakeKeyring{keys: map[string]cache.Keys{"work": old}}
	r, srv, stdout := startRotation(t, store)
	err := r.run(context.Background(), nil)
	want := "storing the new key in the fake keyring failed: the keyring is busy; the new key was deleted again and nothing changed: the stored key AKIA…MPLE is still active; run awsmfa rotate --profile work again"
	if err == nil || err.Error() != want {
		t.Fatalf("run: %v\nwant: %s", err, want)
	}
	if got := srv.AccessKeys(stsstub.DemoUserName); len(got) != 1 || got[0] != (stsstub.AccessKey{ID: old.AccessKeyID, Active: true}) {
		t.Errorf("IAM holds %v; want only the old key, active", got)
	}
	if store.keys["work"] != old {
		t.Errorf("the keyring holds %s; want the old key", store.keys["work"].MaskedID())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", stdout)
	}
}

func TestRotateKeyringStoredButNotClearedGoesOn(t *testing.T) {
	old := cache.Keys{AccessKeyID: stsstub.DemoAccessKeyID, SecretAccessKey: stsstub.DemoSecretAccessKey}
	store := &fakeKeyring{keys: map[string]cache.Keys{"work": old}, setStores: true}
	r, srv, stdout := startRotation(t, store)
	if err := r.run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	got := srv.AccessKeys(stsstub.DemoUserName)
	if len(got) != 1 || got[0].ID != store.keys["work"].AccessKeyID || !got[0].Active {
		t.Errorf("IAM holds %v; want only the stored new key %s, active", got, store.keys["work"].MaskedID())
	}
	if !strings.HasPrefix(stdout.String(), "Rotated the access key of IAM user alice: ") {
		t.Errorf("stdout: %q", stdout)
	}
}
