package cache

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// On Linux the file keyring's passphrase is remembered in the kernel's user
// keyring: a "user" key with a timeout, in kernel memory (never on disk,
// never swapped), readable by this user's processes only, whatever started
// them (a terminal, an IDE, a systemd unit, cron). The kernel drops it when
// the timeout ends; `awsmfa lock` drops it at once.

// Permissions of the remembered key: everything for the possessor, and for
// processes of the same user view, read, search (to find it), write and
// setattr (to replace it and renew its timeout); nothing for group and others.
const rememberPerm = 0x3f<<24 | (0x01|0x02|0x04|0x08|0x20)<<16

func canRemember() error {
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false); err != nil {
		return fmt.Errorf("the kernel keyring is not available (%v; a container's seccomp profile may block keyctl)", err)
	}
	return nil
}

func rememberPassphrase(name, pass string, ttl time.Duration) error {
	id, err := unix.AddKey("user", name, []byte(pass), unix.KEY_SPEC_USER_KEYRING)
	if err != nil {
		return fmt.Errorf("adding the passphrase to the kernel keyring: %w", err)
	}
	if err := unix.KeyctlSetperm(id, rememberPerm); err != nil {
		_ = invalidate(id)
		return fmt.Errorf("restricting the remembered passphrase: %w", err)
	}
	secs := max(int(ttl/time.Second), 1)
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, secs, 0, 0); err != nil {
		_ = invalidate(id)
		return fmt.Errorf("setting the remembered passphrase's timeout: %w", err)
	}
	return nil
}

func recallPassphrase(name string) (string, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil {
		return "", err
	}
	if n > len(buf) || n == 0 {
		return "", errors.New("the remembered passphrase is not usable")
	}
	return string(buf[:n]), nil
}

func forgetPassphrase(name string) error {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if errors.Is(err, unix.ENOKEY) || errors.Is(err, unix.EKEYEXPIRED) {
		return nil
	}
	if err != nil {
		return err
	}
	return invalidate(id)
}

func invalidate(id int) error {
	_, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
	if err != nil {
		// Kernels before 3.5: unlinking it from the user keyring drops it too.
		_, err = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
	}
	return err
}

// rememberedUntil tells whether a passphrase is remembered under name, and
// until when (from /proc/keys; zero if that cannot be read).
func rememberedUntil(name string) (time.Time, bool) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if err != nil {
		return time.Time{}, false
	}
	return keyExpiry(id), true
}

// keyExpiry reads the key's remaining time from /proc/keys, where the
// fifth column is "perm", or the time left such as "11h", "59m", "30s".
func keyExpiry(id int) time.Time {
	data, err := os.ReadFile("/proc/keys")
	if err != nil {
		return time.Time{}
	}
	want := fmt.Sprintf("%08x", id)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != want {
			continue
		}
		left := f[3]
		if len(left) < 2 {
			return time.Time{}
		}
		n, err := strconv.Atoi(left[:len(left)-1])
		if err != nil {
			return time.Time{}
		}
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[left[len(left)-1]]
		if unit == 0 {
			return time.Time{}
		}
		return time.Now().Add(time.Duration(n) * unit)
	}
	return time.Time{}
}
