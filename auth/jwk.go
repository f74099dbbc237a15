package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The algorithms a token may use, each tied to one kind of key.
const (
	algHS256 = "HS256" // STS_JWT_SECRET only
	algRS256 = "RS256" // JWK kty RSA
	algES256 = "ES256" // JWK kty EC, crv P-256
	algEdDSA = "EdDSA" // JWK kty OKP, crv Ed25519
)

// publicKey is one usable JWKS key with the single algorithm it verifies.
type publicKey struct {
	kid string
	alg string
	key any // []byte (HS256), *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey (verifies)
}

// jwk holds the JWK members (RFC 7517, 7518, 8037) this package reads.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	D      string   `json:"d"`
}

// errSkip marks a well-formed key this package does not use (an encryption key, or an algorithm such as PS256
// or ES384): identity providers publish such keys beside their signing keys, so they are passed over quietly.
var errSkip = errors.New("auth: key not for RS256, ES256 or EdDSA signatures")

// parseJWKS returns the usable keys of a JWKS document and a problem for every key that is malformed or
// contradicts itself. A document with no usable key is a problem too, listing why each key was passed over.
func parseJWKS(data []byte) ([]publicKey, []error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, []error{fmt.Errorf("is not valid JSON (error at byte %d)", syn.Offset)}
		}
		return nil, []error{errors.New(`must be a JWKS object: {"keys": [{"kty": …}, …]}`)}
	}
	if doc.Keys == nil {
		return nil, []error{errors.New(`must be a JWKS object: {"keys": [{"kty": …}, …]}`)}
	}
	var (
		keys     []publicKey
		problems []error
		skipped  []string
	)
	for i, raw := range doc.Keys {
		var j jwk
		name := fmt.Sprintf("key %d", i)
		if err := json.Unmarshal(raw, &j); err != nil {
			problems = append(problems, fmt.Errorf("%s: is not a JWK object with string members", name))
			continue
		}
		if j.Kid != "" {
			name = fmt.Sprintf("key %d (kid %q)", i, j.Kid)
		}
		k, err := j.publicKey()
		switch {
		case errors.Is(err, errSkip):
			skipped = append(skipped, name+": "+strings.TrimPrefix(err.Error(), errSkip.Error()+": "))
		case err != nil:
			problems = append(problems, fmt.Errorf("%s: %w", name, err))
		case slices.ContainsFunc(keys, func(o publicKey) bool { return o.kid == k.kid && o.alg == k.alg }):
			problems = append(problems, fmt.Errorf("%s: another %s key has the same kid, so a token could not say which one signed it", name, k.alg))
		default:
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 && len(problems) == 0 {
		msg := "holds no RS256, ES256 or EdDSA signing key"
		if len(skipped) > 0 {
			msg += " (" + strings.Join(skipped, "; ") + ")"
		}
		problems = append(problems, errors.New(msg))
	}
	return keys, problems
}

// publicKey checks that kty, crv and alg agree and decodes the key. A key that agrees with itself but is not for
// our algorithms returns an error wrapping errSkip.
func (j jwk) publicKey() (publicKey, error) {
	if j.D != "" {
		return publicKey{}, errors.New(`holds private key material ("d"): publish only the public key, and replace this one, since it is now exposed`)
	}
	if j.Use != "" && j.Use != "sig" {
		return publicKey{}, fmt.Errorf("%w: use is %q", errSkip, j.Use)
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return publicKey{}, fmt.Errorf("%w: key_ops lacks \"verify\"", errSkip)
	}
	want, err := j.algorithm()
	if err != nil {
		return publicKey{}, err
	}
	var key any
	switch want {
	case algRS256:
		key, err = j.rsaKey()
	case algES256:
		key, err = j.ecKey()
	case algEdDSA:
		key, err = j.edKey()
	}
	if err != nil {
		return publicKey{}, err
	}
	return publicKey{kid: j.Kid, alg: want, key: key}, nil
}
