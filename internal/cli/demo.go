package cli

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/qrterm"
	"github.com/awsmfa/awsmfa/internal/secretenv"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// demoProfile is the profile the demo writes into its throwaway config.
const demoProfile = "awsmfa-demo"

type demoOptions struct {
	Prompt string
}

func newDemoCmd(streams IOStreams) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole flow against a local STS stand-in, no AWS account needed",
		Long: `demo starts a local STS stand-in on 127.0.0.1 with a demo IAM user and a
virtual MFA device, a throwaway keyring and AWS config, and shows the device's
secret as a QR code: scan it with any authenticator app (or read the code
printed below it). Then it runs the profile's credential_process, awsmfa
process, as every AWS SDK does; it asks for the code in a dialog (or on the
terminal). The demo calls sts:GetCallerIdentity with the session it printed and
shows the caller identity and the credential JSON. (The real SDKs and CLIs
run awsmfa in the project's tests.)
Nothing outside a temporary directory is touched.`,
		Example: `  awsmfa demo
  awsmfa demo --prompt terminal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), o, streams)
		},
	}
	cmd.Flags().StringVar(&o.Prompt, "prompt", "auto", "how awsmfa process asks for the code: auto, gui or terminal (env AWSMFA_PROMPT)")
	setEnv(cmd.Flags(), "prompt", "AWSMFA_PROMPT")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions, streams IOStreams) error {
	out := streams.Out
	// A new device secret every run: a user who scans it gets a demo entry
	// in their authenticator app that no one else has, and never reuses
	// a well-known sample secret.
	secret, err := randomTOTPSecret()
	if err != nil {
		return err
	}
	user := stsstub.DemoUser()
	user.MFADevices = map[string]string{stsstub.DemoMFASerial: secret}
	srv, err := stsstub.Start(stsstub.Config{Users: []stsstub.User{user}})
	if err != nil {
		return fmt.Errorf("starting the local STS stand-in: %w", err)
	}
	defer srv.Close()

	dir, err := os.MkdirTemp("", "awsmfa-demo-")
	if err != nil {
		return fmt.Errorf("creating the demo's temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the awsmfa binary to put in credential_process: %w", err)
	}
	configFile := filepath.Join(dir, "config")
	credentialsFile := filepath.Join(dir, "credentials")
	// Quoted as setup writes it (%q would be Go's quoting, not the shell's).
	line, err := credentialProcessLine(self, demoProfile)
	if err != nil {
		return err
	}
	profileText := fmt.Sprintf("[profile %s]\nregion = us-east-1\nmfa_serial = %s\ncredential_process = %s\n",
		demoProfile, stsstub.DemoMFASerial, line)
	if err := os.WriteFile(configFile, []byte(profileText), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(credentialsFile, nil, 0o600); err != nil {
		return err
	}

	// Everything the demo and the awsmfa processes it starts use points into
	// the temporary directory and at the stand-in.
	passphrase := make([]byte, 16)
	if _, err := rand.Read(passphrase); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             configFile,
		"AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
		"AWS_ENDPOINT_URL_STS":        srv.URL(),
		"AWSMFA_KEYRING_BACKEND":      "file",
		"AWSMFA_FILE_DIR":             filepath.Join(dir, "keyring"),
		"AWSMFA_FILE_PASSPHRASE":      hex.EncodeToString(passphrase),
		"AWSMFA_PROMPT":               o.Prompt,
		"XDG_CACHE_HOME":              filepath.Join(dir, "cache"),
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	store, err := cache.Open(cache.Config{Backend: "file", FileDir: filepath.Join(dir, "keyring")})
	if err != nil {
		return err
	}
	if err := store.SetKeys(demoProfile, cache.Keys{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey}); err != nil {
		return fmt.Errorf("storing the demo keys: %w", err)
	}

	fmt.Fprintf(out, "Local STS stand-in: %s (demo IAM user %s, account %s)\n", srv.URL(), user.UserName, user.AccountID)
	fmt.Fprintf(out, "Throwaway config %s:\n\n%s\n", configFile, profileText)
	uri := fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s", url.PathEscape(demoProfile), user.UserName, secret, demoProfile)
	fmt.Fprintln(out, "Scan this virtual MFA device with an authenticator app:")
	if err := qrterm.Write(out, uri); err != nil {
		return err
	}
	code, err := srv.Code(stsstub.DemoMFASerial)
	if err != nil {
		return err
	}
	left := 30 - time.Now().Unix()%30
	fmt.Fprintf(out, "Secret %s (new every demo); no app at hand? The code now is %s, good for %d more seconds (a new one every 30 s).\n\n", secret, code, left)

	fmt.Fprintln(out, "Running `awsmfa process`, the profile's credential_process, as an AWS SDK would, then sts:GetCallerIdentity with the credentials it printed.")
	fmt.Fprintln(out, demoAskLine(o.Prompt, dialogProblem()))
	first, err := runDemoProcess(ctx, self, streams)
	if err != nil {
		return err
	}
	var creds struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	if err := json.Unmarshal(first, &creds); err != nil {
		return fmt.Errorf("reading the credentials awsmfa process printed: %w", err)
	}
	client := sts.New(sts.Options{
		Region:       awsclient.DefaultRegion,
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  awsclient.Static(creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken),
	})
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("GetCallerIdentity with the session awsmfa printed failed: %v", awsclient.RootCause(err))
	}
	fmt.Fprintf(out, "Caller identity: %s (account %s)\n\n", aws.ToString(id.Arn), aws.ToString(id.Account))

	fmt.Fprintf(out, "Running `awsmfa process --profile %s` again: served from the keyring cache, no dialog:\n", demoProfile)
	again, err := runDemoProcess(ctx, self, streams)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\n", bytes.TrimSpace(again))
	fmt.Fprintf(out, "STS saw %d GetSessionToken call(s) for %d GetCallerIdentity call(s). Demo done at %s; its temporary files are removed.\n",
		srv.Succeeded("GetSessionToken"), srv.Succeeded("GetCallerIdentity"), time.Now().Format(time.TimeOnly))
	return nil
}

// demoAskLine tells the user where the code is asked for, so that a dialog
// that opened behind the terminal is not missed.
func demoAskLine(promptName string, noDialog error) string {
	switch {
	case (promptName == "" || promptName == "auto" || promptName == "gui") && noDialog == nil:
		return "A dialog has opened, asking for the MFA code: enter the code from your app (or the one above). It may be behind this window."
	case promptName == "" || promptName == "auto" || promptName == "terminal":
		return "awsmfa asks for the MFA code on this terminal now:"
	}
	return "awsmfa asks for the MFA code now (--prompt " + promptName + ")..."
}

// randomTOTPSecret is a new 160-bit TOTP secret in base32, as authenticator
// apps expect it.
func randomTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// runDemoProcess runs `awsmfa process` for the demo profile, the command its
// credential_process line names, the way an SDK runs it: stdout is the
// credential JSON, stderr is the user's.
func runDemoProcess(ctx context.Context, self string, streams IOStreams) ([]byte, error) {
	// The one child given a passphrase: the demo's own, for its throwaway
	// keyring, to the awsmfa that reads it.
	cmd := secretenv.Command(ctx, self, "process", "--profile", demoProfile)
	cmd.Env = append(cmd.Env, cache.FilePassphraseEnv+"="+secretenv.Lookup(cache.FilePassphraseEnv))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, streams.ErrOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running awsmfa process --profile %s: %w", demoProfile, err)
	}
	return stdout.Bytes(), nil
}
