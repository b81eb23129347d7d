package cli

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/qrterm"
	"github.com/awsmfa/awsmfa/internal/redact"
	"github.com/awsmfa/awsmfa/process"
	"github.com/awsmfa/awsmfa/prompt"
)

// maxCodeTries bounds how often one code is asked for before giving up, so
// a script feeding wrong input cannot loop forever.
const maxCodeTries = 5

// cleanupTimeout bounds deleting an abandoned device, or asking IAM about
// a device whose enabling went unanswered, after Ctrl-C.
const cleanupTimeout = 15 * time.Second

func newMFACmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mfa",
		Short: "Manage the IAM user's MFA devices",
		Long:  `mfa groups the commands that manage the IAM user's own MFA devices.`,
		Example: `  awsmfa mfa enroll --profile work
  awsmfa mfa enroll --profile work --device-name work-phone --qr-png ~/mfa.png`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newMFAEnrollCmd(g, streams, deps))
	return cmd
}

type mfaEnrollOptions struct {
	Profile    string
	QRPNG      string
	DeviceName string
}

func newMFAEnrollCmd(g *globalOptions, streams IOStreams, deps Deps) *cobra.Command {
	o := &mfaEnrollOptions{}
	cmd := &cobra.Command{
		Use:   "enroll --profile NAME [--device-name NAME] [--qr-png FILE]",
		Short: "Create and enable a virtual MFA device, and write its mfa_serial into the profile",
		Long: `enroll creates a virtual MFA device for the IAM user whose keys the profile
stores (iam:CreateVirtualMFADevice), shows its secret as a QR code to scan
with an authenticator app, asks for two consecutive codes (the second one
after the app shows a new code), enables the device (iam:EnableMFADevice) and
writes mfa_serial into the profile in the AWS config file, keeping a backup.
If you stop (Ctrl-C, end of input) or enabling fails, the new device is
deleted again. If IAM's answer to enabling is lost (a server error, a broken
connection), awsmfa asks IAM (iam:ListMFADevices) whether the device is now
enabled and carries on accordingly. The IAM endpoint follows
AWS_ENDPOINT_URL_IAM like every SDK.`,
		Example: `  awsmfa mfa enroll --profile work
  awsmfa mfa enroll --profile work --device-name work-phone --qr-png ~/mfa.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMFAEnroll(cmd.Context(), g, o, streams, deps)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Profile, "profile", "p", "", "profile whose stored keys enrol the device (required)")
	f.StringVar(&o.DeviceName, "device-name", "", "name of the new device in IAM (default: the IAM user name)")
	f.StringVar(&o.QRPNG, "qr-png", "", "also save the QR code as a PNG file (mode 0600)")
	return cmd
}

func runMFAEnroll(ctx context.Context, g *globalOptions, o *mfaEnrollOptions, streams IOStreams, deps Deps) error {
	if o.Profile == "" {
		return errors.New("no profile given; pass --profile NAME")
	}
	// Before a device is made: the file is written only if it is new.
	if _, err := os.Lstat(o.QRPNG); o.QRPNG != "" && err == nil {
		return qrFileExists(o.QRPNG)
	}
	keys, err := storedKeys(ctx, g, o.Profile, deps)
	if err != nil {
		return err
	}
	client, err := iamClient(ctx, o.Profile, keys)
	if err != nil {
		return err
	}
	got, err := client.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		return explainAWSError("IAM GetUser", err, o.Profile, keys)
	}
	if got.User == nil || aws.ToString(got.User.UserName) == "" || strings.HasSuffix(aws.ToString(got.User.Arn), ":root") {
		return fmt.Errorf("the keys of profile %q belong to %s, not to an IAM user; awsmfa enrols MFA devices for IAM users", o.Profile, userARN(got.User))
	}
	userName, userArn := aws.ToString(got.User.UserName), aws.ToString(got.User.Arn)
	name := o.DeviceName
	if name == "" {
		name = userName
	}
	created, err := client.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if apiErrorCode(err) == "EntityAlreadyExists" {
		return fmt.Errorf("IAM already has a virtual MFA device named %q in this account (an earlier enrolment?); pass --device-name with another name, or delete the old one with: aws iam delete-virtual-mfa-device --serial-number %s", name, mfaARN(userArn, name))
	}
	if err != nil {
		return explainAWSError("IAM CreateVirtualMFADevice", err, o.Profile, keys)
	}
	dev := created.VirtualMFADevice
	if dev == nil || aws.ToString(dev.SerialNumber) == "" || len(dev.Base32StringSeed) == 0 {
		return errors.New("IAM CreateVirtualMFADevice answered without the device's serial number and secret; run awsmfa mfa enroll again")
	}
	e := &enrolment{client: client, serial: aws.ToString(dev.SerialNumber), userName: userName, profile: o.Profile, keys: keys, streams: streams}
	code1, code2, err := e.askCodes(ctx, o.QRPNG, string(dev.Base32StringSeed), dev.QRCodePNG)
	if err == nil {
		err = e.enable(ctx, code1, code2)
	}
	var undecided *undecidedEnableError
	switch {
	case errors.As(err, &undecided):
		return err // the device may be in use: nothing to delete
	case err != nil:
		return e.abandon(ctx, err)
	}
	fmt.Fprintf(streams.Out, "Enabled MFA device %s for IAM user %s.\n", shownSerial(e.serial), shownName(userName))
	return writeMFASerial(streams, o.Profile, e.serial)
}

// enrolment is one device between CreateVirtualMFADevice and EnableMFADevice.
type enrolment struct {
	client   *iam.Client
	serial   string
	userName string
	profile  string
	keys     cache.Keys
	streams  IOStreams
}

// askCodes shows the secret and asks for two consecutive codes.
func (e *enrolment) askCodes(ctx context.Context, qrPNG, seed string, png []byte) (code1, code2 string, err error) {
	userName := e.userName
	out := e.streams.Out
	account := accountOfARN(e.serial)
	issuer := "Amazon Web Services"
	uri := "otpauth://totp/" + url.PathEscape(issuer+":"+userName+"@"+account) + "?secret=" + seed + "&issuer=" + url.QueryEscape(issuer)
	fmt.Fprintf(out, "Created virtual MFA device %s for IAM user %s.\n", shownSerial(e.serial), shownName(userName))
	fmt.Fprintln(out, "Scan this QR code with your authenticator app (Microsoft Authenticator, Google Authenticator, 1Password, ...):")
	if err := qrterm.Write(out, uri); err != nil {
		return "", "", err
	}
	fmt.Fprintf(out, "No camera? Enter this secret key by hand (time-based, 6 digits): %s\n", seed)
	if qrPNG != "" {
		if err := writeNewPrivateFile(qrPNG, png); err != nil {
			return "", "", fmt.Errorf("saving the QR code: %w; choose another --qr-png path", err)
		}
		fmt.Fprintf(out, "Saved the QR code to %s (mode 0600); delete it once scanned: it holds the device's secret.\n", qrPNG)
	}

	q := newQuestions(e.streams)
	if code1, err = askCode(ctx, q, "Enter the code the app shows now: "); err != nil {
		return "", "", err
	}
	fmt.Fprintln(e.streams.ErrOut, "Now wait until the app shows the next code (a new one every 30 seconds).")
	for try := 1; ; try++ {
		if code2, err = askCode(ctx, q, "Enter the next code: "); err != nil {
			return "", "", err
		}
		if code2 != code1 {
			return code1, code2, nil
		}
		if try == maxCodeTries {
			return "", "", errors.New("the same code was entered twice every time; AWS needs two consecutive codes")
		}
		fmt.Fprintln(e.streams.ErrOut, "That is the same code again: AWS needs two consecutive codes. Wait until the app shows a new one, then enter it.")
	}
}

// enable assigns the device to the user with the two codes. When the call
// fails in a way that leaves open whether IAM carried it out (a 5xx, a
// connection that broke, a timeout), IAM is asked whether it now lists the
// device for the user: the call is not repeated, since the codes would be
// spent. If IAM cannot tell either, enable returns an
// *undecidedEnableError, and the device must not be deleted.
func (e *enrolment) enable(ctx context.Context, code1, code2 string) error {
	_, err := e.client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName:            aws.String(e.userName),
		SerialNumber:        aws.String(e.serial),
		AuthenticationCode1: aws.String(code1),
		AuthenticationCode2: aws.String(code2),
	}, func(o *iam.Options) { o.Retryer = awsclient.OneTimeCode(o.Retryer) })
	if err != nil && awsclient.MayHaveRun(err) {
		enabled, checkErr := e.listedForUser(ctx)
		if checkErr != nil {
			return &undecidedEnableError{serial: e.serial, userName: e.userName, profile: e.profile, enableErr: err, checkErr: checkErr}
		}
		if enabled {
			fmt.Fprintf(e.streams.ErrOut, "The answer to EnableMFADevice was lost (%v), but IAM lists the device as enabled for %s.\n", err, shownName(e.userName))
			return nil
		}
	}
	if apiErrorCode(err) == "InvalidAuthenticationCode" {
		return errors.New("IAM did not accept the two codes (Authentication code for device is not valid.): enter two consecutive codes of the device you just scanned, and check that the phone sets its clock automatically")
	}
	if err != nil {
		return explainAWSError("IAM EnableMFADevice", err, e.profile, e.keys)
	}
	return nil
}

// listedForUser asks IAM whether the device is among the user's MFA
// devices. Like abandon, it uses a fresh context: after Ctrl-C during
// EnableMFADevice the command's own is already cancelled.
func (e *enrolment) listedForUser(ctx context.Context) (bool, error) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	devices, err := listMFADevices(cctx, e.client, e.userName)
	if err != nil {
		return false, err
	}
	for _, d := range devices {
		if aws.ToString(d.SerialNumber) == e.serial {
			return true, nil
		}
	}
	return false, nil
}

// undecidedEnableError is an EnableMFADevice whose outcome is unknown: its
// reply was lost, and so was the answer to whether IAM lists the device.
type undecidedEnableError struct {
	serial, userName, profile string
	enableErr, checkErr       error
}

func (u *undecidedEnableError) Error() string {
	return fmt.Sprintf("MFA enrolment outcome unknown: IAM EnableMFADevice failed (%v) without telling whether it enabled the device, "+
		"and asking IAM with ListMFADevices failed too (%v); the device was not deleted. Check with: aws iam list-mfa-devices --user-name %s; "+
		"if it lists %s, add `mfa_serial = %s` to the profile %q; if not, delete the device with: aws iam delete-virtual-mfa-device --serial-number %s",
		u.enableErr, u.checkErr, shownName(u.userName), shownSerial(u.serial), shownSerial(u.serial), u.profile, shownSerial(u.serial))
}

func (u *undecidedEnableError) Unwrap() []error { return []error{u.enableErr, u.checkErr} }

// abandon deletes the device that was never enabled, says so, and returns
// why the enrolment stopped.
func (e *enrolment) abandon(ctx context.Context, cause error) error {
	e.deleteDevice(ctx)
	switch {
	case errors.Is(cause, context.Canceled), errors.Is(cause, prompt.ErrCanceled):
		return errors.New("MFA enrolment cancelled; run awsmfa mfa enroll again when you are ready")
	case errors.Is(cause, errAborted):
		return errors.New("MFA enrolment stopped: the input ended before two codes were entered; run awsmfa mfa enroll in a terminal")
	}
	return fmt.Errorf("MFA enrolment failed: %w; run awsmfa mfa enroll again", cause)
}

// deleteDevice deletes the device and says how that went. A device IAM
// finds assigned (DeleteConflict) was enabled after all, by an answer that
// got lost or is not visible yet: the user may keep it or take it apart.
func (e *enrolment) deleteDevice(ctx context.Context) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	_, err := e.client.DeleteVirtualMFADevice(cctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(e.serial)})
	switch {
	case err == nil, apiErrorCode(err) == "NoSuchEntity": // a retried delete whose first attempt went through
		fmt.Fprintf(e.streams.ErrOut, "Deleted the unassigned virtual MFA device %s; nothing was changed.\n", shownSerial(e.serial))
	case apiErrorCode(err) == "DeleteConflict":
		fmt.Fprintf(e.streams.ErrOut, "Could not delete the virtual MFA device %s: IAM says it is assigned to a user (%v), so it was probably enabled after all. "+
			"To use it, add `mfa_serial = %s` to the profile %q; to remove it, deactivate it first: aws iam deactivate-mfa-device --user-name %s --serial-number %s, "+
			"then delete it: aws iam delete-virtual-mfa-device --serial-number %s\n",
			shownSerial(e.serial), err, shownSerial(e.serial), e.profile, shownName(e.userName), shownSerial(e.serial), shownSerial(e.serial))
	default:
		fmt.Fprintf(e.streams.ErrOut, "Could not delete the unassigned virtual MFA device %s (%v); delete it with: aws iam delete-virtual-mfa-device --serial-number %s\n", shownSerial(e.serial), err, shownSerial(e.serial))
	}
}

// cleanupContext bounds a call that must run even after Ctrl-C has
// cancelled the command's context.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// askCode asks for a six-digit code until one is typed, or maxCodeTries.
func askCode(ctx context.Context, q *questions, question string) (string, error) {
	for try := 1; ; try++ {
		answer, err := q.ask(ctx, question)
		if err != nil {
			return "", err
		}
		code, err := prompt.ParseCode(answer)
		if err == nil {
			return code, nil
		}
		if try == maxCodeTries {
			return "", fmt.Errorf("%d answers in a row were not 6-digit codes", maxCodeTries)
		}
		fmt.Fprintln(q.out, err)
	}
}

// writeMFASerial sets mfa_serial in the profile, keeping a backup.
func writeMFASerial(streams IOStreams, profile, serial string) error {
	path, err := awsconfig.ConfigPath()
	if err == nil {
		var f *awsconfig.File
		if f, err = awsconfig.Load(path); err == nil {
			old, _ := f.Get(profile, "mfa_serial")
			if err = f.Set(profile, "mfa_serial", serial); err == nil {
				if err = f.Save(path); err == nil {
					fmt.Fprintf(streams.Out, "Wrote mfa_serial = %s into profile %q in %s%s.\n", shownSerial(serial), profile, path, backupNote(f, old))
					return nil
				}
			}
		}
	}
	return fmt.Errorf("the MFA device %s is enabled, but writing it into the AWS config failed: %w; add `mfa_serial = %s` to the profile %q by hand", shownSerial(serial), err, shownSerial(serial), profile)
}

func backupNote(f *awsconfig.File, old string) string {
	var notes []string
	if old != "" {
		notes = append(notes, "it was "+old)
	}
	if b := f.LastBackup(); b != "" {
		notes = append(notes, "backup: "+b)
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// iamClient is an IAM client for the profile's settings (region, endpoint
// settings) that signs with keys.
func iamClient(ctx context.Context, profile string, keys cache.Keys) (*iam.Client, error) {
	p, err := awsProfile(ctx, profile)
	if err != nil {
		return nil, err
	}
	client, err := p.IAM(ctx, awsclient.Static(keys.AccessKeyID, keys.SecretAccessKey, ""))
	if err != nil {
		return nil, process.ConfigError(profile, err)
	}
	return client, nil
}

// listMFADevices lists the MFA devices of userName ("" for the caller
// itself), every page of them.
func listMFADevices(ctx context.Context, client *iam.Client, userName string) ([]iamtypes.MFADevice, error) {
	in := &iam.ListMFADevicesInput{}
	if userName != "" {
		in.UserName = aws.String(userName)
	}
	var devices []iamtypes.MFADevice
	for pages := iam.NewListMFADevicesPaginator(client, in); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		devices = append(devices, page.MFADevices...)
	}
	return devices, nil
}

// userARN is the ARN GetUser returned, for messages.
func userARN(u *iamtypes.User) string {
	if u == nil {
		return "a principal IAM did not describe"
	}
	return aws.ToString(u.Arn)
}

// storedKeys opens the keyring and reads the profile's long-term keys.
func storedKeys(ctx context.Context, g *globalOptions, profile string, deps Deps) (cache.Keys, error) {
	store, err := g.openStoreInteractive(ctx, deps)
	if err != nil {
		return cache.Keys{}, err
	}
	keys, err := store.Keys(profile)
	if errors.Is(err, cache.ErrNotFound) {
		return cache.Keys{}, fmt.Errorf("no long-term keys stored for profile %q; store them first with: awsmfa setup --profile %s", profile, profile)
	}
	if err != nil {
		return cache.Keys{}, fmt.Errorf("reading the long-term keys of profile %q: %w", profile, err)
	}
	return keys, nil
}

// writeNewPrivateFile writes data into a new file readable by the owner
// only. It never opens an existing file: O_EXCL also refuses a symbolic
// link planted at path, whose target would otherwise be overwritten.
func writeNewPrivateFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return qrFileExists(path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func qrFileExists(path string) error {
	return fmt.Errorf("%s already exists (or is a link); the QR code holds the device's secret, so awsmfa writes it only into a new file: choose another --qr-png path or delete that one", path)
}

// accountOfARN returns the account field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// mfaARN is the serial IAM gives a device named name in the user's account.
func mfaARN(userARN, name string) string {
	parts := strings.SplitN(userARN, ":", 6)
	if len(parts) < 5 {
		return "arn:aws:iam::ACCOUNT:mfa/" + name
	}
	return strings.Join(parts[:5], ":") + ":mfa/" + name
}

// shownSerial and shownName are a device serial and a user name that IAM or
// STS sent, as messages may repeat them: an endpoint can send anything,
// escape sequences included.
func shownSerial(s string) string { return redact.Show(redact.ARN, s) }
func shownName(s string) string   { return redact.Show(redact.Name, s) }
