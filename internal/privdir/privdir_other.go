//go:build !unix

package privdir

import (
	"io/fs"
	"os"
)

// NoFollow is 0 where open has no such flag; CheckRegular covers links.
const NoFollow = 0

const nonBlock = 0

// checkPrivate trusts the directory: on Windows ACLs, not modes, decide,
// and the user's profile directories are private by default.
func checkPrivate(dir, what string) error { return nil }

func checkOwnFile(string, fs.FileInfo) error { return nil }

// RestrictFile leaves f alone: on Windows ACLs, not modes, decide who
// reads a file.
func RestrictFile(*os.File) (bool, error) { return false, nil }
