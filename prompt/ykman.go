package prompt

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/awsmfa/awsmfa/internal/secretenv"
)

// ykman reads the code from a YubiKey's OATH applet with YubiKey Manager:
// `ykman oath accounts code --single ACCOUNT`. ACCOUNT is Options.YkmanAccount,
// or else the MFA device's ARN (name the OATH account after it when adding
// it, as aws-vault does). ykman asks for touch or a password on the terminal.
// The keyring passphrase, which ykman cannot give, is asked by fallback.
func newYkman(opts Options, fallback Prompter) Prompter {
	return &codeCommand{
		passphrase: fallback,
		name:       "ykman",
		ttyPath:    opts.TTYPath,
		timeout:    opts.Timeout,
		build: func(ctx context.Context, req Request) (*exec.Cmd, error) {
			path, err := opts.LookPath("ykman")
			if err != nil {
				return nil, fmt.Errorf("--prompt ykman needs YubiKey Manager (ykman) on PATH: %v; install it (https://developers.yubico.com/yubikey-manager/) or choose another --prompt", err)
			}
			account := opts.YkmanAccount
			if account == "" {
				account = req.MFASerial
			}
			return secretenv.Command(ctx, path, "oath", "accounts", "code", "--single", account), nil
		},
	}
}
