package stsemu

import (
	"crypto/rand"
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
