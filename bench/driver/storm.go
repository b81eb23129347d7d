package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type stormResult struct {
	wall, sts, prompt time.Duration
	prompts, stsCalls int
	printed           int
}

// stsTook is awsmfa's --debug line for the STS call.
var stsTook = regexp.MustCompile(`GetSessionToken took ([0-9.]+[a-zµ]+)`)

// storms runs tries cold-cache storms and returns the one with the median
// overhead (wall minus STS minus prompt). A storm that does not end with
// exactly one prompt and one STS call is an error, not a number.
//
// After each storm, while its session is cached, it runs a floor storm: n
// floor readers of that session started the same way. It returns their
// median wall time too, the least any reader on this backend could take
// for n processes at once. Storms and floor storms alternate, as
// interleave does, so load from other work on the machine hits both alike.
func (w *workspace) storms(benchBin string, floor command, n, tries int) (stormResult, time.Duration, error) {
	var all []stormResult
	var floors []time.Duration
	for range tries {
		r, err := w.storm(benchBin, n)
		if err != nil {
			return stormResult{}, 0, err
		}
		if r.prompts != 1 || r.stsCalls != 1 || r.printed != n {
			return r, 0, fmt.Errorf("storm of %d: %d prompts, %d GetSessionToken calls, %d printed credentials; want 1, 1, %d", n, r.prompts, r.stsCalls, r.printed, n)
		}
		all = append(all, r)
		f, err := floorStorm(floor, n)
		if err != nil {
			return stormResult{}, 0, err
		}
		floors = append(floors, f)
	}
	slices.SortFunc(all, func(a, b stormResult) int {
		return int((a.wall - a.sts - a.prompt) - (b.wall - b.sts - b.prompt))
	})
	slices.Sort(floors)
	return all[len(all)/2], floors[len(floors)/2], nil
}

// floorStorm starts n floor readers together and returns the wall time
// until the last exits. Every reader must print the session: one that
// failed would end early and flatter the floor.
func floorStorm(floor command, n int) (time.Duration, error) {
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmds[i], outs[i], errs[i] = floor.process()
	}
	wall, exits, err := startTogether(cmds)
	if err != nil {
		return 0, fmt.Errorf("floor storm of %d: %w", n, err)
	}
	for i, exit := range exits {
		if err := floor.judge(exit, outs[i], errs[i]); err != nil {
			return 0, fmt.Errorf("floor storm of %d, reader %d: %w", n, i+1, err)
		}
	}
	return wall, nil
}

// startTogether starts every command without waiting for any to finish and
// waits for all of them; the wall time runs from the first start to the
// last exit. Both storms start their processes this way, so they compare.
// exits holds each command's Wait error, nil for a clean exit.
func startTogether(cmds []*exec.Cmd) (wall time.Duration, exits []error, err error) {
	exits = make([]error, len(cmds))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			wg.Wait() // reap those already started
			return 0, nil, fmt.Errorf("starting process %d of %d (%s): %w; check the bench binaries were built", i+1, len(cmds), c.Path, err)
		}
		wg.Go(func() { exits[i] = c.Wait() })
	}
	// A reader that never exits would hang the whole run: on secret-service a
	// gnome-keyring restarted mid-storm comes up locked, and the floor (plain
	// 99designs/keyring) waits on its unlock prompt forever.
	var timedOut atomic.Bool
	stop := time.AfterFunc(stormLimit, func() {
		timedOut.Store(true)
		for _, c := range cmds {
			_ = c.Process.Kill()
		}
	})
	wg.Wait()
	stop.Stop()
	if timedOut.Load() {
		return 0, nil, fmt.Errorf("%d processes (%s) had not all exited after %v, so they were killed; on secret-service check that gnome-keyring is still running with its collection unlocked", len(cmds), cmds[0].Path, stormLimit)
	}
	return time.Since(start), exits, nil
}

// stormLimit bounds one storm; a healthy one takes well under a second.
const stormLimit = time.Minute

func (w *workspace) storm(benchBin string, n int) (stormResult, error) {
	if _, err := w.store.ClearSessions(profile); err != nil {
		return stormResult{}, err
	}
	if _, err := w.promptLog(); err != nil {
		return stormResult{}, err
	}
	w.stub.Reset()
	w.clock.Advance(30 * time.Second) // a fresh TOTP step
	// awsmfa remembers when STS last took a code from the device and waits
	// for the next 30-second code window; this storm plays a user whose last
	// code was long ago. (The stand-in's clock moved, awsmfa's did not.)
	if err := os.RemoveAll(filepath.Join(w.dir, "cache", "awsmfa", "codes")); err != nil {
		return stormResult{}, err
	}

	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = exec.Command(benchBin, "process", "--profile", profile, "--prompt", "bench", "--debug")
		cmds[i].Env = w.env
		outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], errs[i]
	}
	// Exit statuses are not judged here: storms counts the processes that
	// printed credentials.
	wall, _, err := startTogether(cmds)
	if err != nil {
		return stormResult{}, err
	}
	r := stormResult{wall: wall, stsCalls: w.stub.Calls("GetSessionToken")}

	for i := range cmds {
		if bytes.HasPrefix(outs[i].Bytes(), []byte(`{"Version":1,`)) {
			r.printed++
		}
		if m := stsTook.FindSubmatch(errs[i].Bytes()); m != nil {
			d, err := time.ParseDuration(string(m[1]))
			if err != nil {
				return r, err
			}
			r.sts += d
		}
	}
	prompts, err := w.promptLog()
	if err != nil {
		return r, err
	}
	r.prompts = len(prompts)
	for _, d := range prompts {
		r.prompt += d
	}
	return r, nil
}
