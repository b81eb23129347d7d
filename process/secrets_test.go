package process

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/secrettest"
	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// A secret that became the value of mfa_serial, role_arn, external_id,
// role_session_name or credential_source is in no error and no debug line, STS's messages
// (which quote the parameters they refuse) included; the error still says
// what went wrong and which setting to fix.
func TestErrorsDoNotRepeatSecretsFromSettings(t *testing.T) {
	const account = "arn:aws:iam::123456789012:"
	const work = "[profile work]\nmfa_serial = " + stsstub.DemoMFASerial + "\ncredential_process = awsmfa process --profile work\n"
	for _, tc := range []struct {
		name   string
		config string // SECRET stands for the secret
		// deviceIsSecret registers mfa_serial's value with STS, so that
		// the codes, not the device, are refused.
		deviceIsSecret bool
		answers        []string
		want           string // a regexp the error must match
	}{
		{name: "mfa_serial", config: "[profile work]\nmfa_serial = " + account + "mfa/SECRET\n",
			answers: []string{"123456"},
			want:    `^STS does not accept MFA device \(value not shown\) for the stored key .*; set mfa_serial in profile "work" to the ARN of a device assigned to that IAM user$`},
		{name: "mfa_serial continued", config: "[profile work]\nmfa_serial = " + stsstub.DemoMFASerial + "\n  SECRET\n",
			answers: []string{"123456"},
			want:    `^STS does not accept MFA device \(value not shown\) for the stored key`},
		{name: "mfa_serial whose codes are refused", config: "[profile work]\nmfa_serial = " + account + "mfa/SECRET\n",
			deviceIsSecret: true, answers: []string{"000000", "000000", "000000"},
			want: `^STS rejected 3 MFA codes for \(value not shown\) \(MultiFactorAuthentication failed with invalid MFA one time pass code\.\); check the device's clock`},
		{name: "role_arn", config: work + "[profile role]\nrole_arn = " + account + "role/SECRET\nsource_profile = work\n",
			want: `^STS refused to let profile "work" assume \(value not shown\): User: \S+ is not authorized to perform: sts:AssumeRole on resource: \(value not shown\); check role_arn and external_id in profile "role"`},
		{name: "role_arn continued", config: work + "[profile role]\nrole_arn = " + adminRole + "\n  SECRET\nsource_profile = work\n",
			want: `^STS refused to let profile "work" assume \(value not shown\): .*; check role_arn`},
		// STS quotes a parameter it refuses; these two are only sent.
		{name: "external_id continued", config: work + "[profile role]\nrole_arn = " + adminRole + "\nexternal_id = corp-1\n  SECRET\nsource_profile = work\n",
			want: `^STS refused AssumeRole for profile "role": 1 validation error detected: Value '\(value not shown\)' at 'externalId' failed to satisfy constraint: .*; fix role_arn, role_session_name or external_id$`},
		{name: "role_session_name continued", config: work + "[profile role]\nrole_arn = " + adminRole + "\nrole_session_name = alice\n  SECRET\nsource_profile = work\n",
			want: `^STS refused AssumeRole for profile "role": 1 validation error detected: Value '\(value not shown\)' at 'roleSessionName' failed to satisfy constraint: .*; fix role_arn, role_session_name or external_id$`},
		{name: "credential_source", config: "[profile role]\nrole_arn = " + adminRole + "\ncredential_source = SECRET\n",
			want: `^profile "role" uses credential_source = \(value not shown\), which awsmfa cannot serve; set source_profile to the profile that holds your IAM user's mfa_serial instead$`},
	} {
		for shape, secret := range secrettest.Shapes {
			t.Run(tc.name+"/"+shape, func(t *testing.T) {
				f := newFixture(t, stsstub.Role{ARN: adminRole})
				if err := os.WriteFile(f.configPath, []byte(strings.ReplaceAll(tc.config, "SECRET", secret)), 0o600); err != nil {
					t.Fatal(err)
				}
				if tc.deviceIsSecret {
					useDevice(t, f, account+"mfa/"+secret)
				}
				var debug []string
				o := f.opts
				o.Profile = "work"
				if strings.Contains(tc.config, "[profile role]") {
					o.Profile = "role"
				}
				o.Debugf = func(format string, args ...any) { debug = append(debug, fmt.Sprintf(format, args...)) }
				f.prompt.answers = tc.answers

				_, err := Credentials(context.Background(), o)
				if err == nil {
					t.Fatal("Credentials succeeded")
				}
				if part := secrettest.Repeated(err.Error(), secret); part != "" {
					t.Errorf("the error repeats %q of the secret: %v", part, err)
				}
				if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
					t.Errorf("error:\n%v\nwant match for\n%s", err, tc.want)
				}
				for _, line := range debug {
					if part := secrettest.Repeated(line, secret); part != "" {
						t.Errorf("a debug line repeats %q of the secret: %s", part, line)
					}
				}
			})
		}
	}
}

// useDevice points the fixture at a stand-in on which the demo user's MFA
// device is serial.
func useDevice(t *testing.T, f *fixture, serial string) {
	t.Helper()
	user := stsstub.DemoUser()
	user.MFADevices = map[string]string{serial: stsstub.DemoTOTPSecret}
	srv, err := stsstub.Start(stsstub.Config{Clock: f.clock, Users: []stsstub.User{user}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
	f.srv, f.prompt.srv = srv, srv
}
