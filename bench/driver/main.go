// Command driver measures awsmfa against the floor (bench/floor) on one
// keyring backend and prints Markdown rows. bench/run.sh builds every binary
// and runs it once per backend; see bench/RESULTS.md.
//
// The keyring backend is chosen by AWSMFA_KEYRING_BACKEND in the driver's own
// environment, because the driver opens the same keyring itself (to seed
// other sessions and find the item the floor reads) and the cache package
// picks the backend at init.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/stsstub"
)

type options struct {
	backend    string
	awsmfa     string // the real binary, timed on cache hits
	benchBin   string // awsmfa plus the "bench" prompt, for priming and the storm
	floor      string
	awsVault   string // optional peer
	runs       int
	storm      int
	stormTries int
	primeOnly  bool   // leave a primed workspace behind and print its environment
	mfaCodeFor string // print the stand-in's code for this device and exit
}

func main() {
	var o options
	flag.StringVar(&o.awsmfa, "awsmfa", "", "awsmfa binary built from the repository root")
	flag.StringVar(&o.benchBin, "bench-awsmfa", "", "bench/benchawsmfa binary")
	flag.StringVar(&o.floor, "floor", "", "bench/floor binary")
	flag.StringVar(&o.awsVault, "aws-vault", "", "optional aws-vault binary to compare against (never downloaded)")
	flag.IntVar(&o.runs, "runs", 101, "timed runs per measurement (the median is reported)")
	flag.IntVar(&o.storm, "storm", 64, "processes in the cold-cache storm")
	flag.IntVar(&o.stormTries, "storm-tries", 5, "storms to run (the median is reported)")
	flag.BoolVar(&o.primeOnly, "prime-only", false, "prime a workspace, print its environment and exit, leaving it for profiling a cache hit by hand")
	flag.StringVar(&o.mfaCodeFor, "mfa-code-for", "", "print the code the STS stand-in at $BENCH_STUB_URL shows for this MFA device and exit (aws-vault's mfa_process)")
	flag.Parse()
	if o.mfaCodeFor != "" {
		if err := printMFACode(o.mfaCodeFor); err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			os.Exit(1)
		}
		return
	}
	o.backend = os.Getenv("AWSMFA_KEYRING_BACKEND")
	if o.backend == "" || o.awsmfa == "" || o.benchBin == "" || o.floor == "" {
		fmt.Fprintln(os.Stderr, "driver: set AWSMFA_KEYRING_BACKEND and pass -awsmfa, -bench-awsmfa and -floor; run bench/run.sh")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "driver (%s): %v\n", o.backend, err)
		os.Exit(1)
	}
}

func run(o options) error {
	w, err := newWorkspace(o.backend)
	if err != nil {
		return err
	}
	defer w.close()

	if err := w.prime(o.benchBin); err != nil {
		return err
	}
	if o.primeOnly {
		for _, kv := range w.env {
			fmt.Println(kv)
		}
		fmt.Println("BENCH_PROFILE=" + profile) // the profile to run awsmfa process for
		w.keep = true
		return nil
	}
	item, err := w.sessionItemKey()
	if err != nil {
		return err
	}
	hit := command{path: o.awsmfa, args: []string{"process", "--profile", profile}, env: w.env}
	floor := command{path: o.floor, args: []string{o.backend, item}, env: w.floorEnv()}

	// The peer first, while the keyring holds few items: aws-vault lists
	// every item of the keyring on each call, and on secret-service it
	// shares awsmfa's collection.
	var peer string
	if o.awsVault != "" {
		if peer, err = measurePeer(o, w, hit); err != nil {
			return err
		}
	}

	// Cache hit vs floor, with 1, 100 and 1,000 other sessions cached.
	fmt.Printf("\n### backend `%s`\n\n", o.backend)
	fmt.Println("| other sessions cached | awsmfa hit (median) | floor (median) | ratio | awsmfa peak RSS | floor peak RSS |")
	fmt.Println("|---|---|---|---|---|---|")
	var first, firstFloor time.Duration
	for _, others := range []int{1, 100, 1000} {
		if err := w.seedOthers(others); err != nil {
			return err
		}
		a, f, err := interleave(hit, floor, o.runs)
		if err != nil {
			return err
		}
		if first == 0 {
			first, firstFloor = a.median, f.median
		}
		aRSS, err := hit.peakRSS()
		if err != nil {
			return err
		}
		fRSS, err := floor.peakRSS()
		if err != nil {
			return err
		}
		fmt.Printf("| %d | %s | %s | **%.2f×** | %s | %s |\n", others, ms(a.median), ms(f.median),
			float64(a.median)/float64(f.median), aRSS, fRSS)
		if others == 1000 {
			// The floor's own growth is the backend's: what awsmfa adds is
			// the ratio column staying flat.
			fmt.Printf("\nScaling: hit with 1,000 other sessions / with 1 = **%.2f×** (floor: %.2f×).\n",
				float64(a.median)/float64(first), float64(f.median)/float64(firstFloor))
		}
	}

	if peer != "" {
		fmt.Printf("\n%s\n", peer)
	}
	if o.backend == "file" {
		line, err := compareRemembered(o, w, hit)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s\n", line)
	}

	res, floorWall, err := w.storms(o.benchBin, floor, o.storm, o.stormTries)
	if err != nil {
		return err
	}
	overhead := res.wall - res.sts - res.prompt
	fmt.Printf("\nCold-cache storm, %d processes started together (median of %d): wall %s, minus STS %s and prompt %s = **%s**; prompts %d, GetSessionToken calls %d, processes that printed credentials %d.\n",
		o.storm, o.stormTries, ms(res.wall), ms(res.sts), ms(res.prompt), ms(overhead), res.prompts, res.stsCalls, res.printed)
	fmt.Printf("\nFloor storm, %d floor readers of the cached item started together (median of %d): **%s**; storm / floor storm = **%.2f×**.\n",
		o.storm, o.stormTries, ms(floorWall), float64(overhead)/float64(floorWall))
	return nil
}

// measurePeer compares with aws-vault with one other session cached, as in
// the table's first row, and returns the line to print. A backend aws-vault
// cannot open is a line saying so; any other failure is an error.
func measurePeer(o options, w *workspace, hit command) (string, error) {
	if err := w.seedOthers(1); err != nil {
		return "", err
	}
	line, err := comparePeer(o, w, hit)
	var unavailable *peerUnavailableError
	if errors.As(err, &unavailable) {
		return "aws-vault comparison not measured: " + unavailable.reason + ".", nil
	}
	if err != nil {
		return "", fmt.Errorf("aws-vault comparison: %w", err)
	}
	return line, nil
}

// compareRemembered times a cache hit on the file keyring unlocked once
// (`awsmfa unlock`: the passphrase in the kernel keyring) against one with
// AWSMFA_FILE_PASSPHRASE, and counts the prompts of those hits: 0.
func compareRemembered(o options, w *workspace, withEnv command) (string, error) {
	var env []string
	var passphrase string
	for _, kv := range w.env {
		if v, ok := strings.CutPrefix(kv, "AWSMFA_FILE_PASSPHRASE="); ok {
			passphrase = v
			continue
		}
		env = append(env, kv)
	}
	unlock := exec.Command(o.benchBin, "unlock")
	unlock.Env = append(env[:len(env):len(env)], "AWSMFA_PROMPT=bench", "BENCH_PASSPHRASE="+passphrase)
	if out, err := unlock.CombinedOutput(); err != nil {
		return "", fmt.Errorf("awsmfa unlock: %v: %s", err, out)
	}
	defer func() {
		lock := exec.Command(o.benchBin, "lock")
		lock.Env = env
		// The passphrase must not outlive the benchmark in the kernel keyring.
		if out, err := lock.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "driver: awsmfa lock: %v: %s\n", err, out)
		}
	}()
	// No passphrase anywhere and no way to ask (no terminal, no display):
	// a hit that needed to ask would fail. Both sides run alike.
	remembered := command{path: o.awsmfa, args: withEnv.args, env: append(env[:len(env):len(env)], "AWSMFA_PROMPT=terminal", "DISPLAY="), noTerminal: true}
	withEnv.noTerminal = true
	r, e, err := interleave(remembered, withEnv, o.runs)
	if err != nil {
		return "", fmt.Errorf("hits with the remembered passphrase: %w", err)
	}
	return fmt.Sprintf("File keyring unlocked once (`awsmfa unlock`, passphrase in the kernel keyring): %d hits with no passphrase in the environment and no terminal, 0 prompts; hit %s vs %s with `AWSMFA_FILE_PASSPHRASE`, ratio **%.2f×**.",
		o.runs, ms(r.median), ms(e.median), float64(r.median)/float64(e.median)), nil
}

// printMFACode prints the code the stand-in's device shows now.
func printMFACode(serial string) error {
	code, err := stsstub.AdminCode(context.Background(), os.Getenv("BENCH_STUB_URL"), serial)
	if err != nil {
		return fmt.Errorf("reading the MFA code off the STS stand-in: %w", err)
	}
	fmt.Println(code)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
