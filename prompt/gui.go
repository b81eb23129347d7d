package prompt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/zenity"
)

// gui asks through a native dialog: zenity, qarma or matedialog on Linux and
// the BSDs, osascript on macOS, the Win32 API on Windows.
type gui struct {
	timeout time.Duration
	env     environment
}

func (g *gui) MFACode(ctx context.Context, req Request) (string, error) {
	answer, err := g.ask(ctx, mfaPrompt, mfaTitle(req), mfaQuestion(req))
	if err != nil {
		return "", err
	}
	return ParseCode(answer)
}

func (g *gui) Passphrase(ctx context.Context, message string) (string, error) {
	return g.ask(ctx, passphrasePrompt, "awsmfa", printable(message), zenity.HideText())
}

func (g *gui) ask(ctx context.Context, what, title, text string, extra ...zenity.Option) (string, error) {
	if err := g.env.dialogProblem(); err != nil {
		return "", fmt.Errorf("cannot show a dialog: %w; run from a desktop session or use the terminal prompt", err)
	}
	defer g.env.withoutSessionBus()()
	return bounded(ctx, what, g.timeout, func(ctx context.Context) (string, error) {
		opts := append([]zenity.Option{zenity.Title(title), zenity.Context(ctx)}, extra...)
		answer, err := zenity.Entry(text, opts...)
		switch {
		case errors.Is(err, zenity.ErrCanceled):
			return "", ErrCanceled
		case err != nil:
			return "", fmt.Errorf("show dialog: %w", err)
		}
		return answer, nil
	})
}
