package cli

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/cache"
	"github.com/awsmfa/awsmfa/internal/awsclient"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/redact"
	"github.com/awsmfa/awsmfa/process"
)

// profileDoctor runs the checks of one profile.
type profileDoctor struct {
	r          *report
	name       string
	cfg, creds *awsconfig.File
	store      *cache.Store
	timeout    time.Duration
	// profile is the profile as the SDK resolved it; nil when it could not.
	profile *awsclient.Profile
}

func (d *profileDoctor) run(ctx context.Context) {
	fmt.Fprintf(d.r.w, "-- profile %s\n", d.name)
	if !d.checkProfile(ctx) {
		return
	}
	d.checkRecursion()
	keys, haveKeys := d.checkKeys()
	clockOK := d.checkSTS(ctx)
	if haveKeys && clockOK && d.checkCallerIdentity(ctx, keys) {
		d.checkKeyAge(ctx, keys)
	}
	d.checkSession()
}

// checkProfile resolves the profile by the AWS SDKs' rules and checks
// its mfa_serial; it reports whether the profile exists at all.
func (d *profileDoctor) checkProfile(ctx context.Context) bool {
	if d.cfg == nil {
		return false
	}
	path, _ := awsconfig.ConfigPath()
	if !d.cfg.HasProfile(d.name) {
		d.r.fail("profile", "no [profile %s] in %s; create it with: awsmfa setup --profile %s", d.name, redact.Show(redact.Path, path), d.name)
		return false
	}
	var serial string
	p, err := awsclient.Load(ctx, d.name)
	var missing *awsclient.ProfileNotFoundError
	var badSource config.SharedConfigAssumeRoleError
	switch {
	case errors.As(err, &missing) || errors.As(err, &badSource):
		d.r.fail("profile", "%v", process.ConfigError(d.name, err)) // says what to fix
		return false
	case err != nil:
		// A setting the SDKs refuse, often an AWS_* variable: every AWS
		// call fails, but the checks below still tell something.
		d.r.fail("settings", "%v", process.ConfigError(d.name, err))
		serial, _ = d.cfg.Get(d.name, "mfa_serial")
	default:
		d.profile = p
		serial = p.Shared.MFASerial
		d.r.ok("profile", "resolves as the AWS SDKs would; region %s", regionSource(p))
	}

	switch {
	case serial == "":
		d.r.fail("mfa_serial", "profile %q has no mfa_serial; enrol a device with: awsmfa mfa enroll --profile %s (or add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE)", d.name, d.name)
	case !mfaSerialPattern().MatchString(serial):
		d.r.warn("mfa_serial", "%s is not an MFA device ARN; fine for a hardware token's serial number, otherwise use arn:aws:iam::ACCOUNT:mfa/DEVICE", redact.Show(redact.ARN, serial))
	default:
		d.r.ok("mfa_serial", "%s", redact.Show(redact.ARN, serial))
	}
	return true
}

// checkRecursion finds layouts where clients bypass awsmfa, or awsmfa ends
// up serving the wrong profile or calling itself. The credential_process
// line and the profile it names are the file's: a message shows them only
// as redact allows.
func (d *profileDoctor) checkRecursion() {
	p := d.name
	line, hasLine := d.cfg.Get(p, "credential_process")
	served, isAwsmfa := awsmfaProfile(line)
	shownLine, shownServed := redact.Quote(redact.Command, line), redact.Quote(redact.Name, served)
	problems := 0
	fail := func(format string, args ...any) { problems++; d.r.fail("recursion", format, args...) }
	switch {
	case !hasLine:
		fail("profile %q has no credential_process, so no client runs awsmfa for it; add credential_process = %s (awsmfa setup does)", p, suggestedLine(p))
	case isAwsmfa && served == "":
		fail("credential_process %s names no profile; add --profile %s (no client tells awsmfa which profile ran it)", shownLine, p)
	case isAwsmfa && served != p:
		fail("credential_process of profile %q serves profile %s: clients asking for %q get that profile's credentials; change it to %s", p, shownServed, p, suggestedLine(p))
	case !isAwsmfa:
		problems++
		d.r.warn("recursion", "credential_process of profile %q runs %s, not awsmfa; awsmfa's checks below may not apply", p, shownLine)
	}
	if hasLine {
		for _, key := range []string{"role_arn", "source_profile", "credential_source"} {
			if _, ok := d.cfg.Get(p, key); ok {
				fail("profile %q has both %s and credential_process: botocore (AWS CLI, boto3) assumes the role itself before running credential_process, and the Go SDK refuses source_profile with credential_process; keep only credential_process here and let role profiles name this one as source_profile", p, key)
			}
		}
	}
	// One line per file is enough: the fix is the same for both keys.
	for _, key := range []string{"aws_access_key_id", "aws_secret_access_key"} {
		if _, ok := d.cfg.Get(p, key); ok {
			fail("profile %q in the config file has %s: clients use these static keys instead of awsmfa; delete the line (awsmfa keeps the keys in the keyring)", p, key)
			break
		}
	}
	for _, key := range []string{"aws_access_key_id", "aws_secret_access_key"} {
		if d.creds == nil {
			break
		}
		if _, ok := d.creds.Get(p, key); ok {
			credPath, _ := awsconfig.CredentialsPath()
			fail("%s has %s for profile %q: clients use these static keys instead of awsmfa; delete the [%s] section there (awsmfa keeps the keys in the keyring)", redact.Show(redact.Path, credPath), key, p, p)
			break
		}
	}
	if v, ok := d.cfg.Get(p, "mfa_process"); ok && callsAwsmfa(v) {
		fail("mfa_process of profile %q runs awsmfa, which would ask itself for the code; use a code generator such as ykman or pass otp", p)
	}
	if problems == 0 {
		d.r.ok("recursion", "only credential_process (awsmfa for %q) supplies credentials", p)
	}
	if isAwsmfa {
		d.checkCommand(p, splitCommandLine(line)[0])
	}
}

// checkCommand makes sure clients can start the line's program: not found
// is a FAIL; found only through a PATH entry that clients not started from
// the shell (IDEs, GUI apps, systemd units) may lack is a WARN.
func (d *profileDoctor) checkCommand(p, name string) {
	path, err := resolveCommand(name)
	shown := redact.Quote(redact.Command, name)
	switch {
	case err != nil:
		d.r.fail("command", "credential_process of profile %q runs %s, which cannot be started (%v); clients fail with \"No such file or directory\": run awsmfa setup --profile %s again, which writes this binary's absolute path", p, shown, err, p)
	case filepath.IsAbs(name) || inSystemDir(path):
		d.r.ok("command", "credential_process starts %s", redact.Quote(redact.Command, path))
	default:
		d.r.warn("command", "credential_process runs %s, found at %s through this shell's PATH; IDEs, GUI apps and systemd units may have a shorter PATH: run awsmfa setup --profile %s again to write the absolute path", shown, redact.Quote(redact.Command, path), p)
	}
}

func (d *profileDoctor) checkKeys() (cache.Keys, bool) {
	if d.store == nil {
		return cache.Keys{}, false
	}
	keys, err := d.store.Keys(d.name)
	switch {
	case errors.Is(err, cache.ErrNotFound):
		d.r.fail("keys", "no long-term keys stored for profile %q in the %s keyring; store them with: awsmfa setup --profile %s", d.name, d.store.Backend(), d.name)
		return cache.Keys{}, false
	case err != nil:
		d.r.fail("keys", "%v", err)
		return cache.Keys{}, false
	}
	d.r.ok("keys", "access key %s stored in the %s keyring", keys.MaskedID(), d.store.Backend())
	return keys, true
}

// stsClient is an STS client for the profile's settings, signing with
// keys, that tries once: doctor reports, it does not insist.
func (d *profileDoctor) stsClient(ctx context.Context, keys cache.Keys) (*sts.Client, error) {
	p := d.profile
	if p == nil {
		var err error
		if p, err = awsProfile(ctx, d.name); err != nil {
			return nil, err
		}
	}
	cfg, err := p.Config(ctx)
	if err != nil {
		return nil, process.ConfigError(d.name, err)
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.Credentials = awsclient.Static(keys.AccessKeyID, keys.SecretAccessKey, "")
		o.RetryMaxAttempts = 1
	}), nil
}

// checkSTS sends one unsigned request to the profile's STS endpoint: any
// answer proves it reachable, and its Date header shows the clock skew. It
// reports whether the clock is close enough for signed requests.
func (d *profileDoctor) checkSTS(ctx context.Context) bool {
	client, err := d.stsClient(ctx, cache.Keys{})
	if err != nil {
		d.r.fail("sts", "%v", err)
		return false
	}
	if d.profile != nil {
		if err := d.profile.CheckSTSEndpoint(); err != nil {
			d.r.fail("sts", "%v", err)
			return false
		}
	}
	endpoint := awsclient.STSEndpoint(ctx, client)
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	probe, err := probeSTS(ctx, client)
	if err != nil {
		d.r.fail("sts", "cannot reach STS at %s: %v; check the network, proxy settings, AWS_CA_BUNDLE and AWS_ENDPOINT_URL_STS / endpoint_url", endpoint, awsclient.RootCause(err))
		return false
	}
	sent, received := probe.Sent, probe.Received
	d.r.ok("sts", "STS at %s answered in %v", endpoint, received.Sub(sent).Round(time.Millisecond))
	if !probe.Dated {
		d.r.warn("clock", "STS at %s sent no usable Date header, so the clock could not be compared", endpoint)
		return true
	}
	// Date has whole seconds: compare its middle with the middle of the round trip.
	skew := probe.ServerDate.Add(500 * time.Millisecond).Sub(sent.Add(received.Sub(sent) / 2))
	return d.reportSkew(skew)
}

func (d *profileDoctor) reportSkew(skew time.Duration) bool {
	abs := skew.Abs().Round(time.Second)
	way := "behind"
	if skew < 0 {
		way = "ahead of"
	}
	switch {
	case abs > skewFail:
		d.r.fail("clock", "this computer's clock is %v %s STS's: AWS refuses signed requests beyond 5 minutes and MFA codes will not match; synchronise the clock (enable NTP)", abs, way)
		return false
	case abs > skewWarn:
		d.r.warn("clock", "this computer's clock is %v %s STS's: MFA codes may be refused; synchronise the clock (enable NTP)", abs, way)
	default:
		d.r.ok("clock", "within %v of STS's", max(abs, time.Second))
	}
	return true
}

// checkCallerIdentity proves the stored key works, without an MFA code.
func (d *profileDoctor) checkCallerIdentity(ctx context.Context, keys cache.Keys) bool {
	client, err := d.stsClient(ctx, keys)
	if err != nil {
		d.r.fail("key valid", "%v", err)
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		d.r.fail("key valid", "%v", explainAWSError("STS GetCallerIdentity", err, d.name, keys))
		return false
	}
	d.r.ok("key valid", "STS accepts access key %s as %s", keys.MaskedID(), aws.ToString(out.Arn))
	return true
}

func (d *profileDoctor) checkSession() {
	if d.store == nil {
		return
	}
	sessions, err := d.store.ListSessions(d.name)
	if err != nil {
		d.r.warn("session", "%v", err)
		return
	}
	for _, s := range sessions {
		// Not "unreadable (awsmfa clear …)": the passphrase is what to fix.
		if errors.Is(s.Err, cache.ErrWrongPassphrase) {
			d.r.warn("session", "%v", s.Err)
			return
		}
	}
	summary := sessionSummary(sessions, d.name, time.Now())
	switch {
	case summary == "none":
		d.r.ok("session", "none cached; the next AWS call asks for an MFA code")
	case strings.HasPrefix(summary, "unreadable"):
		d.r.warn("session", "%s", summary)
	default:
		d.r.ok("session", "%s", summary)
	}
}

// regionSource is the region, as redact allows it to be shown, and, when
// it is not the profile's own, where it comes from.
func regionSource(p *awsclient.Profile) string {
	shown := redact.Show(redact.Region, p.Region)
	switch {
	case !p.RegionSet:
		return shown + " (default)"
	case os.Getenv("AWS_REGION") != "":
		return shown + " (from AWS_REGION)"
	case os.Getenv("AWS_DEFAULT_REGION") != "":
		return shown + " (from AWS_DEFAULT_REGION)"
	}
	return shown
}

// suggestedLine is the credential_process line setup would write for p, or
// why it writes none.
func suggestedLine(p string) string {
	line, err := credentialProcessLine("awsmfa", p)
	if err != nil {
		return "an `awsmfa process --profile` line, but " + err.Error()
	}
	return line
}
