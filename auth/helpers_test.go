package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Fixed values shared by the tests.
const (
	testIssuer   = "https://idp.example.com/"
	testAudience = "cos-sts"
	testSecret   = "0123456789abcdef0123456789abcdef-hs256-secret"
	canarySub    = "canary-subject-7d1f"
)

// epoch is the fake clock's starting time.
var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keys are freshly generated signing keys of each supported kind.
type keys struct {
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	ed   ed25519.PrivateKey
	rsa2 *rsa.PrivateKey // a second RSA key, for ambiguity and wrong-key cases
}

func newKeys(t testing.TB) keys {
	t.Helper()
	r1, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("rsa.GenerateKey: %v", err)
	}
	r2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("rsa.GenerateKey: %v", err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("ecdsa.GenerateKey: %v", err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("ed25519.GenerateKey: %v", err)
	}
	return keys{rsa: r1, ec: ec, ed: ed, rsa2: r2}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK, ecJWK and edJWK build public JWKs; extra members (alg, use, …) are merged in.
func rsaJWK(k *rsa.PublicKey, kid string, extra ...string) map[string]any {
	return withExtra(map[string]any{"kty": "RSA", "kid": kid, "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}, extra)
}

func ecJWK(t testing.TB, k *ecdsa.PublicKey, kid string, extra ...string) map[string]any {
	t.Helper()
	raw, err := k.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatalf("PublicKey.Bytes: %v", err)
	}
	return withExtra(map[string]any{"kty": "EC", "crv": "P-256", "kid": kid, "x": b64(raw[1:33]), "y": b64(raw[33:])}, extra)
}

func edJWK(k ed25519.PublicKey, kid string, extra ...string) map[string]any {
	return withExtra(map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(k)}, extra)
}

// withExtra sets name/value pairs on m; a kid of "" is removed so that keys without kid can be built.
func withExtra(m map[string]any, extra []string) map[string]any {
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	if m["kid"] == "" {
		delete(m, "kid")
	}
	return m
}

func jwks(t testing.TB, ks ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": ks})
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return string(b)
}

// claimsAt returns valid claims for a token issued at now; edit modifies them (delete a key by setting nil).
func claimsAt(now time.Time, edit map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": canarySub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	for k, v := range edit {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign makes a token with method, key and kid ("" for none).
func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("SignedString(%s): %v", m.Alg(), err)
	}
	return s
}

// rawToken assembles a token from a header JSON, claims and signature bytes, for shapes a library refuses to make.
func rawToken(t testing.TB, header string, c jwt.MapClaims, sig []byte) string {
	t.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return b64([]byte(header)) + "." + b64(body) + "." + b64(sig)
}

// assertNoLeak fails when err's message holds the token, a sizeable part of it, the secret or the subject.
func assertNoLeak(t *testing.T, err error, token string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	secrets := []string{testSecret, canarySub}
	if token != "" {
		secrets = append(secrets, token)
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 {
			secrets = append(secrets, part)
		}
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q leaks %q", msg, s)
		}
	}
}

// wantErr checks err against a wanted sentinel (nil for success) and message fragment.
func wantErr(t *testing.T, err, want error, fragment string) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("err = %v; want nil", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("err = %v; want %v", err, want)
	case want != nil && !strings.Contains(err.Error(), fragment):
		t.Errorf("err = %q; want it to contain %q", err, fragment)
	}
}
