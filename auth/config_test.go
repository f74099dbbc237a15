package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestProblems(t *testing.T) {
	k := newKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatalf("rsa.GenerateKey: %v", err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatalf("ecdsa.GenerateKey: %v", err)
	}
	rsaKey := rsaJWK(&k.rsa.PublicKey, "r")
	offCurve := ecJWK(t, &k.ec.PublicKey, "e")
	offCurve["y"] = offCurve["x"]
	p384Raw, err := p384.PublicKey.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	p384Key := map[string]any{"kty": "EC", "crv": "P-384", "kid": "p", "x": b64(p384Raw[1:49]), "y": b64(p384Raw[49:])}
	withD := rsaJWK(&k.rsa.PublicKey, "d")
	withD["d"] = b64(k.rsa.D.Bytes())
	base := Config{Issuer: testIssuer, Audience: testAudience}
	with := func(edit func(*Config)) Config { c := base; edit(&c); return c }

	tests := []struct {
		name     string
		cfg      Config
		wantVars []string
		fragment string // in the first problem
	}{
		{"secret", with(func(c *Config) { c.Secret = testSecret }), nil, ""},
		{"inline JWKS", with(func(c *Config) { c.JWKS = jwks(t, rsaKey) }), nil, ""},
		{"JWKS URL", with(func(c *Config) { c.JWKSURL = "https://idp.example.com/.well-known/jwks.json" }), nil, ""},
		{"nothing set", Config{}, []string{"STS_JWT_ISSUER", "STS_JWT_AUDIENCE", "STS_JWT_SECRET"}, "STS_JWT_ISSUER"},
		{"no key source", base, []string{"STS_JWT_SECRET"}, "exactly one of"},
		{"secret and JWKS", with(func(c *Config) { c.Secret = testSecret; c.JWKS = jwks(t, rsaKey) }), []string{"STS_JWKS"}, "conflicts with STS_JWT_SECRET"},
		{"all three", with(func(c *Config) {
			c.Secret = testSecret
			c.JWKS = jwks(t, rsaKey)
			c.JWKSURL = "https://idp.example.com/jwks"
		}), []string{"STS_JWKS", "STS_JWKS_URL"}, "conflicts"},
		{"short secret", with(func(c *Config) { c.Secret = "hunter2-hunter2" }), []string{"STS_JWT_SECRET"}, "is 15 bytes"},
		{"negative leeway", with(func(c *Config) { c.Secret = testSecret; c.Leeway = -1 }), []string{"STS_JWT_LEEWAY_SECONDS"}, "negative"},
		{"JWKS not JSON", with(func(c *Config) { c.JWKS = `{"keys": [` }), []string{"STS_JWKS"}, "not valid JSON"},
		{"JWKS a bare key", with(func(c *Config) { c.JWKS = `{"kty":"RSA"}` }), []string{"STS_JWKS"}, "JWKS object"},
		{"JWKS a list", with(func(c *Config) { c.JWKS = `[]` }), []string{"STS_JWKS"}, "JWKS object"},
		{"JWKS empty", with(func(c *Config) { c.JWKS = `{"keys":[]}` }), []string{"STS_JWKS"}, "no RS256, ES256 or EdDSA"},
		{"JWKS only an encryption key", with(func(c *Config) { c.JWKS = jwks(t, rsaJWK(&k.rsa.PublicKey, "enc", "use", "enc")) }),
			[]string{"STS_JWKS"}, `use is "enc"`},
		{"JWKS only a P-384 key", with(func(c *Config) { c.JWKS = jwks(t, p384Key) }), []string{"STS_JWKS"}, `crv "P-384"`},
		{"JWKS oct key", with(func(c *Config) { c.JWKS = `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}` }), []string{"STS_JWKS"}, "belongs in STS_JWT_SECRET"},
		{"JWKS extra unsupported keys are passed over", with(func(c *Config) {
			c.JWKS = jwks(t, rsaKey, p384Key, rsaJWK(&k.rsa2.PublicKey, "ps", "alg", "PS256"))
		}), nil, ""},
		{"RSA key with alg ES256", with(func(c *Config) { c.JWKS = jwks(t, rsaJWK(&k.rsa.PublicKey, "r", "alg", "ES256")) }),
			[]string{"STS_JWKS"}, `alg "ES256" does not match kty "RSA"`},
		{"RSA key with alg HS256", with(func(c *Config) { c.JWKS = jwks(t, rsaJWK(&k.rsa.PublicKey, "r", "alg", "HS256")) }),
			[]string{"STS_JWKS"}, `does not match kty`},
		{"RSA key with alg none", with(func(c *Config) { c.JWKS = jwks(t, rsaJWK(&k.rsa.PublicKey, "r", "alg", "none")) }),
			[]string{"STS_JWKS"}, `does not match kty`},
		{"EC P-256 key with alg ES384", with(func(c *Config) { c.JWKS = jwks(t, ecJWK(t, &k.ec.PublicKey, "e", "alg", "ES384")) }),
			[]string{"STS_JWKS"}, `needs crv "P-384"`},
		{"EC P-384 key with alg ES256", with(func(c *Config) { p := maps(p384Key, "alg", "ES256"); c.JWKS = jwks(t, p) }),
			[]string{"STS_JWKS"}, `needs crv "P-256"`},
		{"OKP key with alg EdDSA is fine", with(func(c *Config) { c.JWKS = jwks(t, edJWK(k.ed.Public().(ed25519.PublicKey), "o", "alg", "EdDSA")) }), nil, ""},
		{"OKP key with alg RS256", with(func(c *Config) { c.JWKS = jwks(t, edJWK(k.ed.Public().(ed25519.PublicKey), "o", "alg", "RS256")) }),
			[]string{"STS_JWKS"}, `does not match kty "OKP"`},
		{"EC key without crv", with(func(c *Config) { e := ecJWK(t, &k.ec.PublicKey, "e"); delete(e, "crv"); c.JWKS = jwks(t, e) }),
			[]string{"STS_JWKS"}, `needs "crv"`},
		{"key without kty", with(func(c *Config) { c.JWKS = `{"keys":[{"n":"AQAB"}]}` }), []string{"STS_JWKS"}, `no "kty"`},
		{"point off the curve", with(func(c *Config) { c.JWKS = jwks(t, offCurve) }), []string{"STS_JWKS"}, "not on the P-256 curve"},
		{"RSA 1024", with(func(c *Config) { c.JWKS = jwks(t, rsaJWK(&small.PublicKey, "s")) }), []string{"STS_JWKS"}, "1024 bits"},
		{"RSA even exponent", with(func(c *Config) { c.JWKS = jwks(t, maps(rsaJWK(&k.rsa.PublicKey, "r"), "e", "Ag")) }), []string{"STS_JWKS"}, "odd"},
		{"padded base64", with(func(c *Config) { c.JWKS = jwks(t, maps(rsaJWK(&k.rsa.PublicKey, "r"), "e", "AQAB==")) }), []string{"STS_JWKS"}, "unpadded"},
		{"Ed25519 key too short", with(func(c *Config) { c.JWKS = jwks(t, maps(edJWK(k.ed.Public().(ed25519.PublicKey), "o"), "x", "AAAA")) }),
			[]string{"STS_JWKS"}, "32 bytes"},
		{"private key material", with(func(c *Config) { c.JWKS = jwks(t, withD) }), []string{"STS_JWKS"}, "private key"},
		{"duplicate kid", with(func(c *Config) { c.JWKS = jwks(t, rsaKey, rsaJWK(&k.rsa2.PublicKey, "r")) }), []string{"STS_JWKS"}, "same kid"},
		{"two bad keys, two problems", with(func(c *Config) {
			c.JWKS = jwks(t, rsaKey, withD, rsaJWK(&small.PublicKey, "s"))
		}), []string{"STS_JWKS", "STS_JWKS"}, "private key"},
		{"URL over http", with(func(c *Config) { c.JWKSURL = "http://idp.example.com/jwks" }), []string{"STS_JWKS_URL"}, "https://"},
		{"URL without host", with(func(c *Config) { c.JWKSURL = "https:///jwks" }), []string{"STS_JWKS_URL"}, "no host"},
		{"URL relative", with(func(c *Config) { c.JWKSURL = "idp.example.com/jwks" }), []string{"STS_JWKS_URL"}, "https://"},
		{"URL with a password", with(func(c *Config) { c.JWKSURL = "https://u:pw-canary@idp.example.com/jwks" }), []string{"STS_JWKS_URL"}, "password"},
		{"URL unparsable", with(func(c *Config) { c.JWKSURL = "https://idp.example.com/%zz" }), []string{"STS_JWKS_URL"}, "not a URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.cfg.Problems()
			var vars []string
			for _, err := range ps {
				var p *Problem
				if !errors.As(err, &p) {
					t.Fatalf("problem %v is a %T; want *Problem", err, err)
				}
				if p.Error() != p.Var+": "+p.Message {
					t.Errorf("Error() = %q; want Var: Message", p.Error())
				}
				for _, s := range []string{tc.cfg.Secret, "pw-canary", b64(k.rsa.D.Bytes())} {
					if s != "" && strings.Contains(p.Error(), s) {
						t.Errorf("problem %q leaks a secret", p.Error())
					}
				}
				vars = append(vars, p.Var)
			}
			if !slices.Equal(vars, tc.wantVars) {
				t.Fatalf("Problems() vars = %v; want %v (problems: %v)", vars, tc.wantVars, ps)
			}
			if len(ps) > 0 && !strings.Contains(ps[0].Error(), tc.fragment) {
				t.Errorf("Problems()[0] = %q; want it to contain %q", ps[0], tc.fragment)
			}
			_, err := NewVerifier(tc.cfg, Options{})
			if got := err != nil; got != (len(tc.wantVars) > 0) {
				t.Errorf("NewVerifier error = %v; want an error %v", err, len(tc.wantVars) > 0)
			}
		})
	}
}

// maps returns a copy of m with name/value pairs set.
func maps(m map[string]any, kv ...string) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return withExtra(c, kv)
}
