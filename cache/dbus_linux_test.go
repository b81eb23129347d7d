package cache

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// runChild re-executes the test binary in a helper mode in its own process
// group, with the D-Bus related environment fully controlled.
func runChild(t *testing.T, mode string, env []string, args ...string) (out string, pgid int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(childEnviron("DBUS_SESSION_BUS_ADDRESS", "DISABLE_KWALLET", "AWSMFA_KEYRING_BACKEND", "CHILD_BACKEND",
		"XDG_RUNTIME_DIR", "PATH", FilePassphraseEnv, FileDirEnv),
		append([]string{childEnv + "=" + mode, "XDG_RUNTIME_DIR=" + t.TempDir(),
			FilePassphraseEnv + "=pw", "HIT_DIR=" + t.TempDir()}, env...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, b)
	}
	return string(b), cmd.Process.Pid
}

// liveInGroup counts processes (not zombies) left in process group pgid.
func liveInGroup(t *testing.T, pgid int) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state ppid pgrp ...
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" {
			n++
		}
	}
	return n
}

func TestNoDBusLaunchWithoutBus(t *testing.T) {
	if _, err := os.Stat("/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"); err == nil {
		t.Skip("a session bus exists at /run/user/<uid>/bus; godbus would use it")
	}
	bin, marker := writeFakeDBusLaunch(t)
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")

	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"default backend", nil, nil, `backend=file bus="" busset=false kwallet="" kwalletset=false`},
		{"empty bus address kept empty", []string{"DBUS_SESSION_BUS_ADDRESS=", "DISABLE_KWALLET=0"}, nil,
			`backend=file bus="" busset=true kwallet="0" kwalletset=true`},
		{"autolaunch address", []string{"DBUS_SESSION_BUS_ADDRESS=autolaunch:"}, nil, `backend=file bus="autolaunch:" busset=true`},
		{"secret-service from env", []string{"AWSMFA_KEYRING_BACKEND=secret-service"}, nil,
			"open error: keyring backend secret-service needs a D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is unset"},
		{"kwallet from flag", []string{"AWSMFA_KEYRING_BACKEND=file", "CHILD_BACKEND=kwallet"}, []string{"child", "--keyring-backend", "kwallet"},
			"open error: keyring backend kwallet needs a D-Bus session bus"},
		{"secret-service from flag=", []string{"CHILD_BACKEND=secret-service"}, []string{"child", "--keyring-backend=secret-service"},
			"open error: keyring backend secret-service needs a D-Bus session bus"},
		// `awsmfa exec --profile work echo --keyring-backend wincred`: the
		// flag is echo's, and changes nothing of awsmfa's.
		{"flag after exec's command", nil, []string{"child", "exec", "--profile", "work", "echo", "--keyring-backend", "wincred"},
			`backend=file bus="" busset=false`},
		{"flag before exec's command", []string{"CHILD_BACKEND=secret-service"}, []string{"child", "exec", "--keyring-backend", "secret-service", "echo"},
			"open error: keyring backend secret-service needs a D-Bus session bus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, pgid := runChild(t, "filehit", append([]string{path}, c.env...), c.args...)
			if !strings.Contains(out, c.want) {
				t.Errorf("child said %q, want %q", out, c.want)
			}
			if b, err := os.ReadFile(marker); err == nil {
				t.Fatalf("dbus-launch ran: %q", b)
			}
			if n := liveInGroup(t, pgid); n != 0 {
				t.Fatalf("%d processes left behind", n)
			}
		})
	}

	// Control: the detector works. With the environment restored, godbus
	// itself reaches for dbus-launch.
	out, _ := runChild(t, "sessionbus", []string{path})
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("control: fake dbus-launch did not run (%s); the test proves nothing", out)
	}
}

// listenBus pretends to be a session bus and counts connections, closing
// each at once so a connecting client fails fast instead of hanging.
func listenBus(t *testing.T) (addr string, conns *atomic.Int32) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("unix sockets:", err)
	}
	t.Cleanup(func() { l.Close() })
	conns = new(atomic.Int32)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	return "unix:path=" + sock, conns
}

func TestFileBackendNeverConnectsToBus(t *testing.T) {
	bin, marker := writeFakeDBusLaunch(t)
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	addr, conns := listenBus(t)

	out, _ := runChild(t, "filehit", []string{path, "DBUS_SESSION_BUS_ADDRESS=" + addr, "AWSMFA_KEYRING_BACKEND=file"})
	// A client that connected could not have exited before the listener
	// accepted it: godbus waits for the auth reply, which comes only as the
	// close after Accept. So the count is final once the child has exited.
	if n := conns.Load(); n != 0 {
		t.Fatalf("file backend connected to the session bus %d times", n)
	}
	want := `backend=file bus="` + addr + `" busset=true kwallet="" kwalletset=false`
	if !strings.Contains(out, want) {
		t.Fatalf("child said %q, want %q", out, want)
	}

	// Control: selecting secret-service does reach the (fake) bus.
	out, _ = runChild(t, "filehit", []string{path, "DBUS_SESSION_BUS_ADDRESS=" + addr, "AWSMFA_KEYRING_BACKEND=secret-service"})
	if conns.Load() == 0 {
		t.Fatalf("control: secret-service did not connect (%s); the test proves nothing", out)
	}
	if !strings.Contains(out, "could not connect to the D-Bus session bus at "+addr) {
		t.Errorf("secret-service on a broken bus said %q", out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("dbus-launch ran")
	}
}

// writeFakeDBusLaunch puts a dbus-launch on a fresh PATH directory that only
// records that it ran (and fails, so godbus gives up).
func writeFakeDBusLaunch(t *testing.T) (binDir, marker string) {
	t.Helper()
	binDir = t.TempDir()
	marker = filepath.Join(t.TempDir(), "dbus-launch-ran")
	script := "#!/bin/sh\necho ran >> '" + marker + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(binDir, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return binDir, marker
}

// childEnviron is os.Environ minus the variables the tests control.
func childEnviron(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, d := range drop {
			if name == d {
				keep = false
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
