// Package uuid makes random UUIDs (version 4, RFC 9562), the form of SCF's and STS's request ids, for the local
// tools and the emulators that stand in for them.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random UUID in its canonical form, xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx with N one of 8, 9, a, b.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // the RFC's variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
