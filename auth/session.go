package auth

import "strings"

// Bounds of the RoleSessionName SessionName derives.
const (
	maxSessionName = 64
	minSessionName = 2
)

// SessionName derives AssumeRole's RoleSessionName from sub, so that CAM's audit trail shows who each set of
// temporary keys was minted for. Characters outside [\w+=,.@-], which STS refuses, become '-'; the result is cut
// to 64 bytes and padded with '-' to at least 2. It is deterministic; the full sub travels in the session's Tags.
func SessionName(sub string) string {
	var b strings.Builder
	for _, r := range sub {
		if b.Len() == maxSessionName {
			break
		}
		if r < 0x80 && (isAlnum(byte(r)) || strings.ContainsRune("_+=,.@-", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	for b.Len() < minSessionName {
		b.WriteByte('-')
	}
	return b.String()
}
