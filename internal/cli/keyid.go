package cli

// looksLikeAccessKeyID reports whether s has the shape of an AWS access key
// id: 16 to 128 upper-case ASCII letters and digits. It is a loop, not a
// regular expression, because a compiled `[A-Z0-9]{16,128}` unrolls into
// more than a thousand allocations in package init, which every
// credential_process call (a cache hit included) would pay.
func looksLikeAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
