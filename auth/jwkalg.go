package auth

import (
	"errors"
	"fmt"
	"strings"
)

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

// curves lists, for each key type that names a curve, the curves JOSE defines and the algorithm this package
// verifies with each ("" for a curve it knows but does not verify).
var curves = map[string]map[string]string{
	"EC":  {"P-256": algES256, "P-384": "", "P-521": "", "secp256k1": ""},
	"OKP": {"Ed25519": algEdDSA, "Ed448": "", "X25519": "", "X448": ""},
}

// impliedAlg returns the algorithm kty and crv imply, or "" for a valid key type this package does not verify.
func (j jwk) impliedAlg() (string, error) {
	switch j.Kty {
	case "":
		return "", errors.New(`has no "kty"`)
	case "RSA":
		return algRS256, nil
	case "oct":
		return "", fmt.Errorf("%w: kty oct is a shared secret, which belongs in STS_JWT_SECRET, never in a JWKS", errSkip)
	}
	known, ok := curves[j.Kty]
	if !ok {
		return "", fmt.Errorf("%w: kty %q", errSkip, j.Kty)
	}
	if j.Crv == "" {
		return "", fmt.Errorf(`kty %s needs "crv"`, j.Kty)
	}
	alg, ok := known[j.Crv]
	if !ok {
		return "", fmt.Errorf("crv %q is not an %s curve", j.Crv, j.Kty)
	}
	return alg, nil
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
