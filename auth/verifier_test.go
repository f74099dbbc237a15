package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyHS256(t *testing.T) {
	clock := newClock()
	now := clock.Now()
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, Secret: testSecret, Leeway: time.Minute},
		Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	hs := func(edit map[string]any) string {
		return sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", claimsAt(now, edit))
	}
	k := newKeys(t)
	noneTok := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claimsAt(now, nil))
	good := hs(nil)

	tests := []struct {
		name     string
		token    string
		want     error
		fragment string
	}{
		{"good", good, nil, ""},
		{"expired", hs(map[string]any{"exp": now.Add(-61 * time.Second).Unix()}), ErrUnauthorized, "expired"},
		{"expired within leeway", hs(map[string]any{"exp": now.Add(-59 * time.Second).Unix()}), nil, ""},
		{"exp exactly at leeway", hs(map[string]any{"exp": now.Add(-60 * time.Second).Unix()}), ErrUnauthorized, "expired"},
		{"nbf in the future", hs(map[string]any{"nbf": now.Add(2 * time.Minute).Unix()}), ErrUnauthorized, "not valid yet"},
		{"nbf within leeway", hs(map[string]any{"nbf": now.Add(59 * time.Second).Unix()}), nil, ""},
		{"iat in the future", hs(map[string]any{"iat": now.Add(2 * time.Minute).Unix()}), ErrUnauthorized, "issued in the future"},
		{"iat within leeway", hs(map[string]any{"iat": now.Add(30 * time.Second).Unix()}), nil, ""},
		{"missing exp", hs(map[string]any{"exp": nil}), ErrUnauthorized, "no exp"},
		{"exp a string", hs(map[string]any{"exp": "tomorrow"}), ErrUnauthorized, "exp is not a number"},
		{"huge exp", hs(map[string]any{"exp": 1e300}), nil, ""},
		{"wrong iss", hs(map[string]any{"iss": "https://evil.example.com/"}), ErrUnauthorized, "wrong issuer"},
		{"missing iss", hs(map[string]any{"iss": nil}), ErrUnauthorized, "no iss"},
		{"iss a number", hs(map[string]any{"iss": 7}), ErrUnauthorized, "wrong issuer"},
		{"wrong aud", hs(map[string]any{"aud": "other-service"}), ErrUnauthorized, "wrong audience"},
		{"aud list with ours", hs(map[string]any{"aud": []string{"other", testAudience}}), nil, ""},
		{"aud list without ours", hs(map[string]any{"aud": []string{"other", "more"}}), ErrUnauthorized, "wrong audience"},
		{"aud list with a non-string", hs(map[string]any{"aud": []any{1, map[string]any{}}}), ErrUnauthorized, "wrong audience"},
		{"aud a number", hs(map[string]any{"aud": 3}), ErrUnauthorized, "aud is neither"},
		{"missing aud", hs(map[string]any{"aud": nil}), ErrUnauthorized, "no aud"},
		{"bad signature", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 40)), "", claimsAt(now, nil)), ErrUnauthorized, "bad signature"},
		{"tampered claims", tamper(t, good), ErrUnauthorized, "bad signature"},
		{"alg none", noneTok, ErrUnauthorized, "none is never allowed"},
		{"alg none with the secret's signature", swapHeader(good, `{"alg":"none","typ":"JWT"}`), ErrUnauthorized, "none is never allowed"},
		{"alg HS384", sign(t, jwt.SigningMethodHS384, []byte(testSecret), "", claimsAt(now, nil)), ErrUnauthorized, "HS384 not allowed"},
		{"alg RS256 with a secret configured", sign(t, jwt.SigningMethodRS256, k.rsa, "", claimsAt(now, nil)), ErrUnauthorized, "RS256 not allowed"},
		{"alg invented", swapHeader(good, `{"alg":"XY999-secret-alg"}`), ErrUnauthorized, "algorithm not allowed"},
		{"no alg", swapHeader(good, `{"typ":"JWT"}`), ErrUnauthorized, "no alg"},
		{"crit header", swapHeader(good, `{"alg":"HS256","crit":["exp"]}`), ErrUnauthorized, "crit"},
		{"header not JSON", swapHeader(good, `alg=HS256`), ErrUnauthorized, "malformed"},
		{"two parts", good[:strings.LastIndex(good, ".")], ErrUnauthorized, "malformed"},
		{"four parts", good + ".abc", ErrUnauthorized, "malformed"},
		{"claims not base64", strings.Replace(good, ".", ".*", 1), ErrUnauthorized, "malformed"},
		{"empty", "", ErrUnauthorized, "missing"},
		{"too long", good + strings.Repeat("A", maxTokenBytes), ErrUnauthorized, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tc.token)
			wantErr(t, err, tc.want, tc.fragment)
			assertNoLeak(t, err, tc.token)
			if tc.want == nil {
				if sub, _ := c.String("sub"); sub != canarySub {
					t.Errorf("sub = %q; want %q", sub, canarySub)
				}
			}
		})
	}
}

// tamper changes the claims of a signed token, keeping its signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	c := claimsAt(epoch, map[string]any{"sub": "admin"})
	forged := rawToken(t, `{"alg":"HS256"}`, c, nil)
	return parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]
}

// swapHeader replaces a token's header.
func swapHeader(token, header string) string {
	return b64([]byte(header)) + token[strings.Index(token, "."):]
}

func TestVerifyJWKS(t *testing.T) {
	clock := newClock()
	now := clock.Now()
	k := newKeys(t)
	set := jwks(t,
		rsaJWK(&k.rsa.PublicKey, "rsa-1", "use", "sig"),
		ecJWK(t, &k.ec.PublicKey, "ec-1", "alg", "ES256"),
		edJWK(k.ed.Public().(ed25519.PublicKey), "ed-1"),
	)
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, JWKS: set, Leeway: time.Minute}, Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	c := claimsAt(now, nil)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	tests := []struct {
		name     string
		token    string
		want     error
		fragment string
	}{
		{"RS256", sign(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", c), nil, ""},
		{"ES256", sign(t, jwt.SigningMethodES256, k.ec, "ec-1", c), nil, ""},
		{"EdDSA", sign(t, jwt.SigningMethodEdDSA, k.ed, "ed-1", c), nil, ""},
		{"RS256 without kid, one RSA key", sign(t, jwt.SigningMethodRS256, k.rsa, "", c), nil, ""},
		{"EdDSA without kid, one OKP key", sign(t, jwt.SigningMethodEdDSA, k.ed, "", c), nil, ""},
		{"RS256 by another key under our kid", sign(t, jwt.SigningMethodRS256, k.rsa2, "rsa-1", c), ErrUnauthorized, "bad signature"},
		{"RS256 by another key without kid", sign(t, jwt.SigningMethodRS256, k.rsa2, "", c), ErrUnauthorized, "bad signature"},
		{"unknown kid", sign(t, jwt.SigningMethodRS256, k.rsa, "rsa-9", c), ErrUnauthorized, "unknown kid"},
		{"ES256 under the RSA key's kid", sign(t, jwt.SigningMethodES256, k.ec, "rsa-1", c), ErrUnauthorized, "ES256 not allowed"},
		{"RS384 under the RSA key's kid", sign(t, jwt.SigningMethodRS384, k.rsa, "rsa-1", c), ErrUnauthorized, "RS384 not allowed"},
		{"PS256 under the RSA key's kid", sign(t, jwt.SigningMethodPS256, k.rsa, "rsa-1", c), ErrUnauthorized, "PS256 not allowed"},
		{"key confusion: HS256 keyed with the RSA public PEM", sign(t, jwt.SigningMethodHS256, pubPEM, "rsa-1", c), ErrUnauthorized, "HS256 not allowed"},
		{"key confusion: HS256 keyed with the RSA public DER, no kid", sign(t, jwt.SigningMethodHS256, pubDER, "", c), ErrUnauthorized, "HS256 not allowed"},
		{"key confusion: HS256 keyed with the RSA modulus", sign(t, jwt.SigningMethodHS256, k.rsa.N.Bytes(), "rsa-1", c), ErrUnauthorized, "HS256 not allowed"},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", c), ErrUnauthorized, "none"},
		{"expired", sign(t, jwt.SigningMethodES256, k.ec, "ec-1", claimsAt(now.Add(-time.Hour), nil)), ErrUnauthorized, "expired"},
		{"kid not a string", rawToken(t, `{"alg":"RS256","kid":7}`, c, []byte("sig")), ErrUnauthorized, "kid is not a string"},
		{"ES256 signature of the wrong length", rawToken(t, `{"alg":"ES256","kid":"ec-1"}`, c, make([]byte, 63)), ErrUnauthorized, "bad signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tc.token)
			wantErr(t, err, tc.want, tc.fragment)
			assertNoLeak(t, err, tc.token)
			if tc.want == nil {
				if sub, ok := got.String("sub"); !ok || sub != canarySub {
					t.Errorf("String(sub) = %q, %v; want %q, true", sub, ok, canarySub)
				}
			}
		})
	}
}

func TestVerifyWithoutKid(t *testing.T) {
	now := epoch
	k := newKeys(t)
	c := claimsAt(now, nil)
	tests := []struct {
		name     string
		set      string
		token    string
		want     error
		fragment string
	}{
		{"two RSA keys: ambiguous", jwks(t, rsaJWK(&k.rsa.PublicKey, "a"), rsaJWK(&k.rsa2.PublicKey, "b")),
			sign(t, jwt.SigningMethodRS256, k.rsa, "", c), ErrUnauthorized, "several keys"},
		{"RSA and EC keys: one per algorithm", jwks(t, rsaJWK(&k.rsa.PublicKey, "a"), ecJWK(t, &k.ec.PublicKey, "b")),
			sign(t, jwt.SigningMethodES256, k.ec, "", c), nil, ""},
		{"no key of the token's algorithm", jwks(t, rsaJWK(&k.rsa.PublicKey, "a")),
			sign(t, jwt.SigningMethodEdDSA, k.ed, "", c), ErrUnauthorized, "no key for it"},
		{"key without kid, token with kid", jwks(t, rsaJWK(&k.rsa.PublicKey, "")),
			sign(t, jwt.SigningMethodRS256, k.rsa, "a", c), ErrUnauthorized, "unknown kid"},
		{"same kid, two algorithms: the token's alg picks", jwks(t, rsaJWK(&k.rsa.PublicKey, "k"), ecJWK(t, &k.ec.PublicKey, "k")),
			sign(t, jwt.SigningMethodES256, k.ec, "k", c), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, JWKS: tc.set}, Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			_, err = v.Verify(context.Background(), tc.token)
			wantErr(t, err, tc.want, tc.fragment)
			assertNoLeak(t, err, tc.token)
		})
	}
}

func TestClaimsString(t *testing.T) {
	c := Claims{"sub": "alice", "n": 1.0, "l": []any{"a"}}
	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"sub", "alice", true},
		{"n", "", false},
		{"l", "", false},
		{"missing", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := c.String(tc.name)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("String(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
