package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	params.Cmds["browse"] = cmdBrowse
	testscript.Run(t, params)
}

// cmdIAMStub drives the stand-in's IAM side:
//
//	iamstub seed SEED            the next CreateVirtualMFADevice hands out SEED
//	iamstub codes SEED [OFFSET...] print the codes SEED shows on the stand-in's
//	                             clock now plus each OFFSET (default: 0 30s), one
//	                             a line: what a user types into mfa enroll
//	iamstub device SERIAL [USER] the device exists (assigned to USER; "-" for none)
//	iamstub keys USER            print USER's access keys, oldest first, one
//	                             "ID Active|Inactive" a line
//	iamstub add-key USER         give USER another access key (print its ID)
//	iamstub key-delay DURATION   new keys are refused for DURATION (stand-in clock)
//	iamstub age-key ID DURATION  the key was created DURATION earlier
func cmdIAMStub(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: iamstub seed|codes|device|keys|add-key|key-delay|age-key ...")
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
	case "keys":
		for _, k := range srv.AccessKeys(args[1]) {
			status := "Inactive"
			if k.Active {
				status = "Active"
			}
			fmt.Fprintln(ts.Stdout(), k.ID, status)
		}
	case "add-key":
		k, err := srv.AddAccessKey(args[1])
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), k.ID)
	case "age-key":
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		ts.Check(srv.AgeAccessKey(args[1], d))
	case "key-delay":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		srv.SetNewKeyDelay(d)
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

// cmdBrowse opens the URL in FILE (its first line) in headless Chromium and
// prints the page's DOM: browse FILE. Chromium gets a profile directory of
// its own under the script's work directory and no network besides the URL.
func cmdBrowse(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: browse FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	target, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "chromium", "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
		"--user-data-dir="+ts.MkAbs("chromium-profile"), "--dump-dom", target)
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = ts.Stdout(), &stderr
	if err := cmd.Run(); err != nil {
		ts.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
}
