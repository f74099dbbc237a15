package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
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

// minRSABits is the smallest RSA modulus accepted; shorter keys are within reach of factoring.
const minRSABits = 2048

// publicKey is one usable JWKS key with the single algorithm it verifies.
type publicKey struct {
	kid string
	alg string
	key any // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey, as golang-jwt expects
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

// algorithm returns the token algorithm the key verifies: the one its kty and crv imply, which its "alg", when
// present, must agree with. A key that agrees with itself but is for another algorithm wraps errSkip.
func (j jwk) algorithm() (string, error) {
	natural, err := j.impliedAlg()
	if err != nil {
		return "", err
	}
	if j.Alg == "" || j.Alg == natural || natural == algEdDSA && j.Alg == "Ed25519" {
		if natural == "" {
			return "", fmt.Errorf("%w: kty %q crv %q", errSkip, j.Kty, j.Crv)
		}
		return natural, nil
	}
	if fam := algFamily(j.Alg); fam != "" && fam != j.Kty {
		return "", fmt.Errorf("alg %q does not match kty %q", j.Alg, j.Kty)
	}
	if crv := algCurve(j.Alg); crv != "" && crv != j.Crv {
		return "", fmt.Errorf("alg %q needs crv %q, not %q", j.Alg, crv, j.Crv)
	}
	return "", fmt.Errorf("%w: alg %q", errSkip, j.Alg)
}

// algCurve returns the curve a curve-specific JOSE algorithm requires, or "".
func algCurve(alg string) string {
	switch alg {
	case "ES256":
		return "P-256"
	case "ES384":
		return "P-384"
	case "ES512":
		return "P-521"
	case "ES256K":
		return "secp256k1"
	case "Ed25519", "Ed448":
		return alg
	}
	return ""
}

// impliedAlg returns the algorithm kty and crv imply, or "" for a valid key type this package does not verify.
func (j jwk) impliedAlg() (string, error) {
	switch j.Kty {
	case "":
		return "", errors.New(`has no "kty"`)
	case "RSA":
		return algRS256, nil
	case "EC":
		switch j.Crv {
		case "P-256":
			return algES256, nil
		case "P-384", "P-521", "secp256k1":
			return "", nil
		case "":
			return "", errors.New(`kty EC needs "crv"`)
		}
		return "", fmt.Errorf("crv %q is not an EC curve", j.Crv)
	case "OKP":
		switch j.Crv {
		case "Ed25519":
			return algEdDSA, nil
		case "Ed448", "X25519", "X448":
			return "", nil
		case "":
			return "", errors.New(`kty OKP needs "crv"`)
		}
		return "", fmt.Errorf("crv %q is not an OKP curve", j.Crv)
	case "oct":
		return "", fmt.Errorf("%w: kty oct is a shared secret, which belongs in STS_JWT_SECRET, never in a JWKS", errSkip)
	}
	return "", fmt.Errorf("%w: kty %q", errSkip, j.Kty)
}

// algFamily returns the kty a JOSE algorithm name belongs to, or "" for a name it does not know.
func algFamily(alg string) string {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"), strings.HasPrefix(alg, "RSA"):
		return "RSA"
	case strings.HasPrefix(alg, "ES"), strings.HasPrefix(alg, "ECDH"):
		return "EC"
	case alg == "EdDSA", alg == "Ed25519", alg == "Ed448":
		return "OKP"
	case strings.HasPrefix(alg, "HS"), alg == "dir", strings.HasPrefix(alg, "A1"), strings.HasPrefix(alg, "A2"):
		return "oct"
	case alg == "none":
		return "none"
	}
	return ""
}

// rsaKey decodes n and e, refusing moduli under minRSABits and exponents that are even, tiny or huge.
func (j jwk) rsaKey() (*rsa.PublicKey, error) {
	n, err := decodeMember("n", j.N)
	if err != nil {
		return nil, err
	}
	e, err := decodeMember("e", j.E)
	if err != nil {
		return nil, err
	}
	mod := new(big.Int).SetBytes(n)
	if mod.BitLen() < minRSABits {
		return nil, fmt.Errorf("RSA modulus has %d bits; at least %d are required", mod.BitLen(), minRSABits)
	}
	if len(e) > 4 {
		return nil, errors.New(`RSA exponent "e" is too large`)
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New(`RSA exponent "e" must be odd and at least 3`)
	}
	return &rsa.PublicKey{N: mod, E: exp}, nil
}

// ecKey decodes a P-256 point, which must lie on the curve: an off-curve point invites invalid-curve attacks.
func (j jwk) ecKey() (*ecdsa.PublicKey, error) {
	x, err := decodeMember("x", j.X)
	if err != nil {
		return nil, err
	}
	y, err := decodeMember("y", j.Y)
	if err != nil {
		return nil, err
	}
	if len(x) != 32 || len(y) != 32 {
		return nil, errors.New(`P-256 "x" and "y" must be 32 bytes each`)
	}
	k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, errors.New("the point is not on the P-256 curve")
	}
	return k, nil
}

// edKey decodes an Ed25519 public key.
func (j jwk) edKey() (ed25519.PublicKey, error) {
	x, err := decodeMember("x", j.X)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf(`Ed25519 "x" must be %d bytes`, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(x), nil
}

// decodeMember decodes a base64url member (RFC 7518 forbids padding).
func decodeMember(name, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("missing %q", name)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not unpadded base64url", name)
	}
	return b, nil
}
