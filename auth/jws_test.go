package auth

import (
	"crypto/ed25519"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// golangJWT is how Verify checked a signature before verifySigned: golang-jwt's parser, with the options it used.
// It stays here as the reference verifySigned is held to.
func golangJWT(token string, key publicKey) (map[string]any, error) {
	claims := jwt.MapClaims{}
	p := jwt.NewParser(jwt.WithValidMethods([]string{key.alg}), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	_, err := p.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return key.key, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, errBadSignature
	case err != nil:
		return nil, errMalformed
	}
	return claims, nil
}

var (
	jwsOnce  sync.Once
	jwsKeys  []publicKey // HS256, RS256, ES256, EdDSA, and an RS256 key that signed nothing
	jwsSeeds []string
)

// jwsFixtures signs a token with each key, and spoils each in the ways a token can be spoiled.
func jwsFixtures(t testing.TB) ([]publicKey, []string) {
	jwsOnce.Do(func() {
		k := newKeys(t)
		jwsKeys = []publicKey{
			{alg: algHS256, key: []byte(testSecret)},
			{alg: algRS256, key: &k.rsa.PublicKey},
			{alg: algES256, key: &k.ec.PublicKey},
			{alg: algEdDSA, key: k.ed.Public().(ed25519.PublicKey)},
			{alg: algRS256, key: &k.rsa2.PublicKey},
		}
		c := claimsAt(time.Unix(1795953336, 0), map[string]any{"n": 1.5, "list": []any{"a", 2.0}, "obj": map[string]any{"x": nil}})
		signed := []string{
			sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", c),
			sign(t, jwt.SigningMethodRS256, k.rsa, "r", c),
			sign(t, jwt.SigningMethodES256, k.ec, "e", c),
			sign(t, jwt.SigningMethodEdDSA, k.ed, "d", c),
		}
		jwsSeeds = append(jwsSeeds, signed...)
		for _, tok := range signed {
			h, b, s := splitParts(tok)
			jwsSeeds = append(jwsSeeds,
				h+"."+b+"."+s[:len(s)-2]+"AA", h+"."+b+"X."+s, h+"."+b+"."+s+"=", h+"."+b+"."+s+".", h+"."+b, tok+"\n",
				h+"."+b64([]byte("null"))+"."+s, h+"."+b64([]byte("[1]"))+"."+s, h+"."+b64([]byte(`{"sub":"x"} x`))+"."+s,
				b64([]byte(`{"alg":"HS384"}`))+"."+b+"."+s, b64([]byte(`{"alg":"none"}`))+"."+b+".",
				b64([]byte(`{"alg":"XX256"}`))+"."+b+"."+s, b64([]byte(`null`))+"."+b+"."+s, b64([]byte(`{"alg":7}`))+"."+b+"."+s,
				h+"."+b+"."+s[:len(s)-4], h+"."+b+".", "."+b+"."+s, h+".."+s, h+"."+b+"."+s+"A", strings.ToUpper(tok),
				b64([]byte(`{"alg":"HS384"}`))+"."+b+".!!", h+"."+b64([]byte(`{"a":1,"a":2}`))+"."+s,
			)
		}
	})
	return jwsKeys, jwsSeeds
}

func splitParts(tok string) (h, b, s string) {
	p := strings.SplitN(tok, ".", 3)
	return p[0], p[1], p[2]
}

func checkVerifySigned(t *testing.T, keys []publicKey, token string, which int) {
	t.Helper()
	key := keys[which%len(keys)]
	got, err := verifySigned(token, key)
	want, wantErr := golangJWT(token, key)
	if !errors.Is(err, wantErr) && (err != nil || wantErr != nil) {
		t.Fatalf("verifySigned(%q, %s key %d): %v; golang-jwt: %v", token, key.alg, which%len(keys), err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("verifySigned(%q): claims %v; golang-jwt: %v", token, got, want)
	}
}

// TestVerifySignedAgreesWithGolangJWT: every token, with every key, gets the answer golang-jwt gave: the claims of
// a good one, malformed or bad signature for the others; and the seeds take each answer.
func TestVerifySignedAgreesWithGolangJWT(t *testing.T) {
	keys, seeds := jwsFixtures(t)
	answers := map[error]int{}
	for _, tok := range seeds {
		for which := range keys {
			checkVerifySigned(t, keys, tok, which)
			_, err := verifySigned(tok, keys[which])
			answers[err]++
		}
	}
	if answers[nil] < 4 || answers[errMalformed] < 20 || answers[errBadSignature] < 20 {
		t.Errorf("answers %v; want the seeds to verify, be malformed and be badly signed, many times each", answers)
	}
}

// FuzzVerifySignedAgreesWithGolangJWT: for any token and key, verifySigned answers as golang-jwt did.
func FuzzVerifySignedAgreesWithGolangJWT(f *testing.F) {
	keys, seeds := jwsFixtures(f)
	for i, tok := range seeds {
		f.Add(tok, uint8(i))
	}
	f.Fuzz(func(t *testing.T, token string, which uint8) {
		checkVerifySigned(t, keys, token, int(which))
	})
}
