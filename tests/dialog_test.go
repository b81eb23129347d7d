//go:build linux

package tests

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestDialogScripts runs the scripts that show the real dialog (zenity on
// a virtual X server) through `awsmfa process`, once, not per client.
func TestDialogScripts(t *testing.T) {
	if err := becomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	p := scriptParams("testdata/dialog")
	p.Cmds["xvfb"] = cmdXvfb
	p.Cmds["dialog"] = cmdDialog
	testscript.Run(t, p)
}
