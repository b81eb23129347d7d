package prompt

import (
	"context"
	"fmt"
)

// auto prefers a dialog, which works even when the SDK runs without a
// terminal (an IDE, a GUI tool), and falls back to the terminal. It chooses
// on every prompt, because the display or terminal may come and go between
// prompts of a long-running process.
type auto struct {
	gui      *gui
	terminal *terminal
}

func (a *auto) MFACode(ctx context.Context, req Request) (string, error) {
	p, err := a.choose("the MFA code", noPromptFix)
	if err != nil {
		return "", err
	}
	return p.MFACode(ctx, req)
}

func (a *auto) Passphrase(ctx context.Context, message string) (string, error) {
	// No fix here: the keyring's caller says how to unlock it instead.
	p, err := a.choose("the passphrase", "")
	if err != nil {
		return "", err
	}
	return p.Passphrase(ctx, message)
}

// noPromptFix is what to do when neither a dialog nor a terminal can ask.
const noPromptFix = "run from a terminal, set DISPLAY, or install zenity"

// choose returns the driver to use, or an error that says why there is none
// and, when fix is not empty, how to get one.
func (a *auto) choose(what, fix string) (Prompter, error) {
	noDialog := a.gui.env.dialogProblem()
	if noDialog == nil {
		return a.gui, nil
	}
	noTerminal := a.terminal.probe()
	if noTerminal == nil {
		return a.terminal, nil
	}
	err := fmt.Errorf("cannot ask for %s: %v and no terminal (%v)", what, noDialog, noTerminal)
	if fix != "" {
		err = fmt.Errorf("%w; %s", err, fix)
	}
	return nil, err
}
