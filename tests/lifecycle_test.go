package tests

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

// TestLifecycleScripts runs the scripts of the commands around process:
// setup, mfa enroll, list, remove, doctor and completion. They get the same
// stand-in as every script, reachable as IAM too, and the iamstub command.
func TestLifecycleScripts(t *testing.T) {
	params := scriptParams("testdata/lifecycle")
	setup := params.Setup
	params.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		// One listener answers both services; requests are told apart by
		// their SigV4 scope, as AWS tells them apart by host name.
		env.Setenv("AWS_ENDPOINT_URL_IAM", env.Getenv("STUB_URL"))
		return nil
	}
	params.Cmds["iamstub"] = cmdIAMStub
	params.Cmds["perm"] = cmdPerm
	testscript.Run(t, params)
}

// cmdIAMStub drives the stand-in's IAM side:
//
//	iamstub seed SEED            the next CreateVirtualMFADevice hands out SEED
//	iamstub codes SEED [OFFSET...] print the codes SEED shows on the stand-in's
//	                             clock now plus each OFFSET (default: 0 30s), one
//	                             a line: what a user types into mfa enroll
//	iamstub device SERIAL [USER] the device exists (assigned to USER; "-" for none)
func cmdIAMStub(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: iamstub seed|codes|device ...")
	}
	srv := stubOf(ts)
	if neg && args[0] != "device" {
		ts.Fatalf("iamstub %s does something; it cannot be negated", args[0])
	}
	switch args[0] {
	case "seed":
		srv.SetNextVirtualMFASeed(args[1])
	case "codes":
		now := ts.Value(clockKey{}).(*stsstub.ManualClock).Now()
		offsets := args[2:]
		if len(offsets) == 0 {
			offsets = []string{"0", "30s"}
		}
		for _, o := range offsets {
			d, err := time.ParseDuration(o)
			ts.Check(err)
			code, err := totp.GenerateCodeCustom(args[1], now.Add(d), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			ts.Check(err)
			fmt.Fprintln(ts.Stdout(), code)
		}
	case "device":
		user, exists := srv.VirtualMFADevice(args[1])
		ok := exists
		if exists && len(args) > 2 {
			want := args[2]
			if want == "-" {
				want = ""
			}
			ok = user == want
		}
		if ok == neg {
			ts.Fatalf("iamstub device %s: exists %v, assigned to %q", args[1], exists, user)
		}
	default:
		ts.Fatalf("iamstub: unknown subcommand %q", args[0])
	}
}

// cmdPerm checks a file's permission bits: perm FILE 0600.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	info, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := info.Mode().Perm(); (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}
