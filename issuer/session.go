package issuer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Limits of the names SessionName and SessionTag derive. STS takes a RoleSessionName of 2 to 128 characters of
// [\w+=,.@-] (64 is kept here, so that CloudAudit's columns stay readable) and session tag values of at most 256
// characters (STS's Tag type). STS documents no alphabet for tag values; [A-Za-z0-9_.:/=+@-], what Tencent
// Cloud's tag services accept without spaces, is what is sent.
const (
	maxSessionName = 64
	minSessionName = 2
	maxTagValue    = 256
	hashSuffix     = 1 + 16 // "-" and 16 hex digits (64 bits) of SHA-256(sub)
)

// SessionName derives AssumeRole's RoleSessionName from sub (a caller's, or the invocation's request id), so
// that CAM's audit trail shows who each set of temporary keys was minted for. A sub of 2 to 64 allowed characters is used as it is. Any other is cut, its
// characters outside [\w+=,.@-] replaced by '-', and given a hash of the whole sub, so that two users never share
// a session name however alike their subs begin. It is deterministic.
func SessionName(sub string) string {
	return fitName(sub, minSessionName, maxSessionName, func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("_+=,.@-", c) >= 0
	})
}

// SessionTag derives the value of AssumeRole's "sub" session tag from sub, by SessionName's rule within STS's
// limits for a tag value: up to 256 characters of [A-Za-z0-9_.:/=+@-] are sent as they are, and a longer or
// stranger sub is cut and given a hash of the whole, rather than refused by STS after the caller authenticated.
func SessionTag(sub string) string {
	return fitName(sub, 1, maxTagValue, func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("_.:/=+@-", c) >= 0
	})
}

// fitName returns s when it is minLen to maxLen bytes of allowed ASCII characters; otherwise s's first bytes,
// each byte outside allowed (every byte of a multi-byte rune) replaced by '-', cut so that "-" and 16 hex digits
// of SHA-256(s) fit after them.
func fitName(s string, minLen, maxLen int, allowed func(byte) bool) string {
	ok := len(s) >= minLen && len(s) <= maxLen
	for i := 0; ok && i < len(s); i++ {
		ok = allowed(s[i])
	}
	if ok {
		return s
	}
	keep := min(len(s), maxLen-hashSuffix)
	b := []byte(s[:keep])
	for i, c := range b {
		if !allowed(c) {
			b[i] = '-'
		}
	}
	sum := sha256.Sum256([]byte(s))
	return string(b) + "-" + hex.EncodeToString(sum[:8])
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
