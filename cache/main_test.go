package cache

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// childEnv selects a helper mode when the test binary re-executes itself.
const childEnv = "AWSMFA_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		// No test writes into the real home directory.
		os.Exit(testenv.RunWithTempHome(m))
	case "lock":
		os.Exit(childLock())
	case "filehit":
		os.Exit(childFileHit())
	case "sessionbus":
		os.Exit(childSessionBus())
	case "secret-service":
		// Runs the real test under dbus-run-session, see secretservice_test.go.
		os.Exit(m.Run())
	default:
		fmt.Fprintln(os.Stderr, "unknown", childEnv)
		os.Exit(2)
	}
}

// childLock takes the lock, says so on stdout and waits to be killed.
func childLock() int {
	key := NewSessionKey(os.Getenv("LOCK_PROFILE"), "x")
	if _, err := Lock(context.Background(), os.Getenv("LOCK_DIR"), key, time.Minute); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	// Block until the parent kills us; stdin stays open until then.
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

// childFileHit is a credential_process-like run: open the store chosen at
// startup, write a session and read it back, then report the environment
// dbusenv restored.
func childFileHit() int {
	// The command line's parsed --keyring-backend arrives in Config; the
	// raw arguments are only what dbusenv reads.
	backend := os.Getenv("CHILD_BACKEND")
	st, err := Open(Config{Backend: backend, FileDir: os.Getenv("HIT_DIR")})
	if err != nil {
		fmt.Println("open error:", err)
		return 0
	}
	key := NewSessionKey("work", "serial")
	sess := Session{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}
	if err := st.SetSession(key, sess); err != nil {
		fmt.Println("set error:", err)
		return 1
	}
	if _, err := st.Session(key); err != nil {
		fmt.Println("get error:", err)
		return 1
	}
	addr, set := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
	kw, kwset := os.LookupEnv("DISABLE_KWALLET")
	fmt.Printf("backend=%s bus=%q busset=%v kwallet=%q kwalletset=%v\n", st.Backend(), addr, set, kw, kwset)
	return 0
}

// childSessionBus is the control for the dbus-launch detector: with the
// environment restored and no bus, godbus itself runs dbus-launch.
func childSessionBus() int {
	_, err := dbus.SessionBusPrivate()
	fmt.Println("sessionbus:", err)
	return 0
}
