package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify feeds arbitrary strings to a secret-keyed and a JWKS-keyed Verifier: none may panic or verify, every
// error must wrap ErrUnauthorized, and no message may quote the input.
func FuzzVerify(f *testing.F) {
	k := newKeys(f)
	now := epoch
	c := claimsAt(now, nil)
	der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		f.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	seeds := []string{
		"", ".", "..", "...", "a.b.c", "eyJ.eyJ.", "Bearer x",
		sign(f, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), "", c),
		sign(f, jwt.SigningMethodHS256, der, "r", c),
		sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", c),
		sign(f, jwt.SigningMethodRS256, k.rsa2, "r", c),
		sign(f, jwt.SigningMethodES256, k.ec, "missing", c),
		rawToken(f, `{"alg":"HS256","crit":["b64"]}`, c, []byte("x")),
		rawToken(f, `{"alg":"EdDSA","kid":"e"}`, c, make([]byte, 64)),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	opts := Options{Now: func() time.Time { return now }}
	hs, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, Secret: testSecret}, opts)
	if err != nil {
		f.Fatalf("NewVerifier: %v", err)
	}
	set := jwks(f, rsaJWK(&k.rsa.PublicKey, "r"), ecJWK(f, &k.ec.PublicKey, "e"), edJWK(k.ed.Public().(ed25519.PublicKey), "d"))
	pub, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, JWKS: set}, opts)
	if err != nil {
		f.Fatalf("NewVerifier: %v", err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		for _, v := range []*Verifier{hs, pub} {
			claims, err := v.Verify(context.Background(), token)
			if err == nil {
				t.Fatalf("Verify(%q) = %v, nil; want an error", token, claims)
			}
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("Verify(%q) = %v; want it to wrap %v", token, err, ErrUnauthorized)
			}
			// The fixed messages hold no ".", so a dotted input found in one was copied from the token.
			if strings.Contains(token, ".") && len(token) >= 8 && strings.Contains(err.Error(), token) {
				t.Fatalf("Verify error %q quotes the token", err)
			}
		}
	})
}

// FuzzSubstitute checks that whatever a claim holds, an accepted substitution placed exactly one safe segment
// where the template asked for it, and that a refused value is never quoted.
func FuzzSubstitute(f *testing.F) {
	for _, s := range [][2]string{
		{"avatars/${jwt:v}/", "alice"}, {"u/${jwt:v}${jwt:v}/", "."}, {"u/${jwt:v}./", "."}, {"${jwt:v}", ".."},
		{"u/${jwt:v}/", "a/b"}, {"u/${jwt:v}/", "ü"}, {"u/${jwt:n}/", "x"}, {"u/${jwt:v", "x"}, {"${env:v}", "x"},
		{"u/${jwt:v}/", strings.Repeat("a", 129)}, {"plain", "x"}, {"${jwt:v}/${jwt:v}", "..."},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		c := Claims{"v": value, "n": 1.0}
		out, err := Substitute(tmpl, c)
		if err != nil {
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("Substitute(%q) = %v; want it to wrap %v", tmpl, err, ErrTemplate)
			}
			if len(value) >= 8 && !strings.Contains(tmpl, value) && strings.Contains(err.Error(), value) {
				t.Fatalf("Substitute error %q quotes the claim's value", err)
			}
			return
		}
		if verr := ValidateTemplate(tmpl); verr != nil {
			t.Fatalf("Substitute(%q) succeeded but ValidateTemplate = %v", tmpl, verr)
		}
		if !strings.Contains(tmpl, "${") {
			if out != tmpl {
				t.Fatalf("Substitute(%q) = %q; want it unchanged", tmpl, out)
			}
			return
		}
		// Only ${jwt:v} can have succeeded ("n" is a number), so the value was used and must be one safe segment.
		if !safeSegment(value) || strings.ContainsAny(value, "/${}*?") || value == "." || value == ".." {
			t.Fatalf("Substitute(%q) accepted unsafe value %q", tmpl, value)
		}
		if want := strings.ReplaceAll(tmpl, "${jwt:v}", value); out != want {
			t.Fatalf("Substitute(%q) = %q; want %q", tmpl, out, want)
		}
		for seg := range strings.SplitSeq(out, "/") {
			if (seg == "." || seg == "..") && !strings.Contains("/"+tmpl+"/", "/"+seg+"/") {
				t.Fatalf("Substitute(%q) made segment %q out of %q", tmpl, seg, value)
			}
		}
	})
}
