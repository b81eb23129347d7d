package tests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/awsmfa/awsmfa/internal/secretenv"
	"github.com/awsmfa/awsmfa/internal/stsstub"
	"github.com/awsmfa/awsmfa/prompt"
)

// newTestPrompter adds the "script" driver to the real ones.
func newTestPrompter(name string, opts prompt.Options) (prompt.Prompter, error) {
	if name == "script" {
		return &scriptedPrompter{answers: strings.Split(os.Getenv("AWSMFA_TEST_ANSWERS"), ",")}, nil
	}
	return prompt.New(name, opts)
}

// scriptedPrompter plays the user: each MFACode call takes the next answer
// from AWSMFA_TEST_ANSWERS ("valid" fetches the code the stand-in accepts
// now, "wrong" a code it rejects, "cancel" dismisses the prompt, anything
// else is typed as is; the last answer repeats) and appends one line per prompt to AWSMFA_TEST_PROMPT_LOG,
// so scripts can count dialogs across processes.
type scriptedPrompter struct {
	answers     []string
	next        int
	passphrases int
}

func (p *scriptedPrompter) MFACode(ctx context.Context, req prompt.Request) (string, error) {
	if err := logPrompt(req); err != nil {
		return "", err
	}
	answer := p.answers[min(p.next, len(p.answers)-1)]
	p.next++
	switch answer {
	case "cancel":
		return "", prompt.ErrCanceled
	case "valid", "":
		return stsstub.AdminCode(ctx, stubURL(), req.MFASerial)
	case "wrong":
		// The valid code with its last digit changed: wrong for certain.
		code, err := stsstub.AdminCode(ctx, stubURL(), req.MFASerial)
		if err != nil {
			return "", err
		}
		return code[:5] + string('0'+(code[5]-'0'+1)%10), nil
	default:
		return prompt.ParseCode(answer)
	}
}

// stubURL is the stand-in that knows the codes: the script's own, or else the
// one awsmfa talks to (`awsmfa demo` starts its own).
func stubURL() string {
	if u := os.Getenv("AWSMFA_TEST_STUB_URL"); u != "" {
		return u
	}
	return os.Getenv("AWS_ENDPOINT_URL_STS")
}

// Passphrase types the next of AWSMFA_TEST_PASSPHRASES (comma-separated,
// in this process), logging the question as one prompt.
func (p *scriptedPrompter) Passphrase(_ context.Context, message string) (string, error) {
	if err := logLine(fmt.Sprintf("passphrase=%q\n", message)); err != nil {
		return "", err
	}
	// Named like a secret, it was moved out of the environment at start.
	typed := strings.Split(secretenv.Lookup("AWSMFA_TEST_PASSPHRASES"), ",")
	if p.passphrases >= len(typed) || typed[p.passphrases] == "" {
		return "", errors.New("the test prompt knows no more passphrases")
	}
	p.passphrases++
	return typed[p.passphrases-1], nil
}

func logPrompt(req prompt.Request) error {
	return logLine(fmt.Sprintf("profile=%s serial=%s retry=%q invalid=%q\n", req.Profile, req.MFASerial, req.Retry, req.Invalid))
}

// logLine appends one prompt's line to AWSMFA_TEST_PROMPT_LOG.
func logLine(line string) error {
	path := os.Getenv("AWSMFA_TEST_PROMPT_LOG")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
