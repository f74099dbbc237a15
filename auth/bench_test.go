package auth

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerify measures one warm verification per algorithm, the cost added to every authenticated call.
func BenchmarkVerify(b *testing.B) {
	k := newKeys(b)
	c := claimsAt(epoch, nil)
	opts := Options{Now: func() time.Time { return epoch }}
	set := jwks(b, rsaJWK(&k.rsa.PublicKey, "r"), ecJWK(b, &k.ec.PublicKey, "e"), edJWK(k.ed.Public().(ed25519.PublicKey), "d"))
	hs, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, Secret: testSecret}, opts)
	if err != nil {
		b.Fatalf("NewVerifier: %v", err)
	}
	pub, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, JWKS: set}, opts)
	if err != nil {
		b.Fatalf("NewVerifier: %v", err)
	}
	cases := []struct {
		name  string
		v     *Verifier
		token string
	}{
		{"HS256", hs, sign(b, jwt.SigningMethodHS256, []byte(testSecret), "", c)},
		{"RS256", pub, sign(b, jwt.SigningMethodRS256, k.rsa, "r", c)},
		{"ES256", pub, sign(b, jwt.SigningMethodES256, k.ec, "e", c)},
		{"EdDSA", pub, sign(b, jwt.SigningMethodEdDSA, k.ed, "d", c)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tc.v.Verify(context.Background(), tc.token); err != nil {
					b.Fatalf("Verify: %v", err)
				}
			}
		})
	}
}
