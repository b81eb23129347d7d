// Package nodump keeps awsmfa's memory out of core dumps. While it waits
// for a code awsmfa holds the long-term secret key and the keyring
// passphrase: a dump of it (a crash, a SIGQUIT, gcore) would write them to
// disk, where the dump's reader finds them.
package nodump

// Disable turns core dumps of this process off where the OS allows it:
// on Linux it lowers RLIMIT_CORE's soft limit to 0 and marks the process
// not dumpable (PR_SET_DUMPABLE 0, which also keeps other processes of the
// user from reading its memory through ptrace or /proc/PID/mem); on other
// Unixes it lowers RLIMIT_CORE; elsewhere it does nothing. The hard limit
// is kept, so a program awsmfa starts (exec's command), which inherits the
// soft limit of 0 that most systems default to anyway, may raise it again.
func Disable() error { return disable() }
