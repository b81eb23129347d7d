//go:build unix

package process

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// A profile's mfa_process is where the code comes from, instead of the
// prompt; the SDK's own parser drops the key, so awsmfa reads it itself.
func TestMFAProcessFromTheProfile(t *testing.T) {
	f := newFixture(t)
	codeFile := filepath.Join(t.TempDir(), "code")
	code, err := f.srv.Code(stsstub.DemoMFASerial)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(codeFile, []byte("Amazon Web Services:alice  "+code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.addConfig(t, "[profile work]\nmfa_process = cat '"+codeFile+"'\n")
	if _, err := Credentials(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	if n := len(f.prompt.asked); n != 0 {
		t.Errorf("the prompt was asked %d times; mfa_process should have answered", n)
	}
	if n := f.srv.Succeeded("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken succeeded %d times, want 1", n)
	}
}
