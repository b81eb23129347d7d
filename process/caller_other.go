//go:build !unix

package process

// callerID is the same for every caller on Windows, which has no process
// groups a console gives each command: there a command typed again within
// GiveUpMemory of a cancel is refused too, as the message says.
func callerID() string { return "" }
