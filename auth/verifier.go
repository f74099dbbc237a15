package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxTokenBytes bounds the work an unauthenticated caller can cause; real tokens are a few hundred bytes.
const maxTokenBytes = 16 << 10

// Options are the seams and tunables of a Verifier; the zero value is production's.
type Options struct {
	HTTPClient *http.Client     // for STS_JWKS_URL; nil → a client with a 5 s timeout that follows only https redirects
	Now        func() time.Time // nil → time.Now
	MinRefetch time.Duration    // an unknown kid triggers at most one refetch per MinRefetch (default 1 minute)
	TTL        time.Duration    // a fetched JWKS is refreshed after TTL (default 10 minutes) on next use
}

// Verifier checks bearer tokens against one configuration. It is safe for concurrent use and meant to be kept
// across warm invocations, because the JWKS fetched from STS_JWKS_URL is cached in it.
type Verifier struct {
	issuer, audience string
	leeway           time.Duration
	now              func() time.Time
	secret           []byte      // HS256 mode
	keys             []publicKey // STS_JWKS mode
	remote           *remoteSet  // STS_JWKS_URL mode
}

// NewVerifier builds a Verifier from c, or returns every problem of c joined (each a *Problem).
func NewVerifier(c Config, o Options) (*Verifier, error) {
	if ps := c.Problems(); len(ps) > 0 {
		return nil, errors.Join(ps...)
	}
	v := &Verifier{issuer: c.Issuer, audience: c.Audience, leeway: c.Leeway, now: o.Now}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case c.Secret != "":
		v.secret = []byte(c.Secret)
	case c.JWKS != "":
		v.keys, _ = parseJWKS([]byte(c.JWKS)) // Problems has already parsed it without fault
	default:
		u, _ := parseJWKSURL(c.JWKSURL) // likewise checked by Problems
		v.remote = newRemoteSet(u, o, v.now)
	}
	return v, nil
}

// Verify checks token's signature with the configured key and its exp, nbf, iat, iss and aud claims, and returns
// the claims. Every failure the token causes wraps ErrUnauthorized; a JWKS that cannot be fetched wraps
// ErrJWKSUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	if token == "" {
		return nil, unauthorized("missing bearer token")
	}
	if len(token) > maxTokenBytes {
		return nil, unauthorized(fmt.Sprintf("token longer than %d bytes", maxTokenBytes))
	}
	h, err := parseHeader(token)
	if err != nil {
		return nil, err
	}
	key, err := v.selectKey(ctx, h)
	if err != nil {
		return nil, err
	}
	// The claims are checked below, so that every message is ours and none quotes the token.
	claims, err := verifySigned(token, key)
	if err != nil {
		return nil, unauthorized(err.Error())
	}
	c := Claims(claims)
	if err := v.checkClaims(c); err != nil {
		return nil, err
	}
	return c, nil
}

// header is the part of a JOSE header that selects the key.
type header struct {
	alg, kid string
	hasKid   bool
}

// parseHeader decodes the token's header before any key is chosen, so that a wrong algorithm is reported as
// such. It never quotes what it read, except algorithm names this package itself knows.
func parseHeader(token string) (header, error) {
	seg, _, ok := strings.Cut(token, ".")
	if !ok || strings.Count(token, ".") != 2 {
		return header{}, unauthorized("malformed token: a JWT has three dot-separated parts")
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return header{}, unauthorized("malformed token: header is not base64url")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return header{}, unauthorized("malformed token: header is not a JSON object")
	}
	var h header
	if h.alg, ok = m["alg"].(string); !ok {
		return header{}, unauthorized("malformed token: header has no alg")
	}
	if kid, present := m["kid"]; present {
		if h.kid, ok = kid.(string); !ok {
			return header{}, unauthorized("malformed token: kid is not a string")
		}
		h.hasKid = true
	}
	if _, present := m["crit"]; present {
		// RFC 7515 §4.1.11: extensions listed in crit must be understood, and this package understands none.
		return header{}, unauthorized("token header lists critical extensions (crit), which are not supported")
	}
	return h, nil
}

// selectKey returns the one key that may verify a token with header h: the secret for HS256, else the JWKS key
// named by kid whose algorithm matches, else, without a kid, the only key of the token's algorithm.
func (v *Verifier) selectKey(ctx context.Context, h header) (publicKey, error) {
	if v.secret != nil {
		if h.alg != algHS256 {
			return publicKey{}, algNotAllowed(h.alg, "STS_JWT_SECRET accepts HS256 only")
		}
		return publicKey{alg: algHS256, key: v.secret}, nil
	}
	if h.alg != algRS256 && h.alg != algES256 && h.alg != algEdDSA {
		return publicKey{}, algNotAllowed(h.alg, "a JWKS accepts RS256, ES256 and EdDSA only")
	}
	keys := v.keys
	if v.remote != nil {
		var err error
		if keys, err = v.remote.keysFor(ctx, h); err != nil {
			return publicKey{}, err
		}
	}
	var found []publicKey
	for _, k := range keys {
		if h.hasKid && k.kid == h.kid || !h.hasKid && k.alg == h.alg {
			found = append(found, k)
		}
	}
	switch {
	case h.hasKid && len(found) == 0:
		return publicKey{}, unauthorized("unknown kid")
	case h.hasKid:
		for _, k := range found {
			if k.alg == h.alg {
				return k, nil
			}
		}
		return publicKey{}, algNotAllowed(h.alg, "the key named by kid is for "+found[0].alg)
	case len(found) == 0:
		return publicKey{}, algNotAllowed(h.alg, "the JWKS holds no key for it")
	case len(found) > 1:
		return publicKey{}, unauthorized("token has no kid and several keys could verify it")
	}
	return found[0], nil
}

// unauthorized wraps ErrUnauthorized with a message that must never hold any part of the token.
func unauthorized(msg string) error {
	return fmt.Errorf("%w: %s", ErrUnauthorized, msg)
}

// algNotAllowed names the algorithm only when it is one of the fixed JOSE names, never arbitrary header text.
func algNotAllowed(alg, why string) error {
	switch alg {
	case "none":
		return unauthorized("algorithm none is never allowed")
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "Ed25519":
		return unauthorized(fmt.Sprintf("algorithm %s not allowed: %s", alg, why))
	}
	return unauthorized("algorithm not allowed: " + why)
}
