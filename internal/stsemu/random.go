package stsemu

import (
	"crypto/rand"
	"encoding/hex"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString draws from crypto/rand: issued keys must be unguessable even
// here, or a test could pass by accident with a constant.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails (Go ≥ 1.24).
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// newCredentials mints a temporary key triple shaped like STS's: the
// SecretId starts with "AKID", the token is long and opaque.
func newCredentials() Credentials {
	return Credentials{
		TmpSecretId:  "AKID" + randomString(32),
		TmpSecretKey: randomString(32),
		Token:        randomString(96),
	}
}

// newRequestID is a random UUID (version 4), the form of STS's RequestId.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails (Go ≥ 1.24).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
