package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// errMalformed and errBadSignature are verifySigned's two ways to refuse a token; Verify words them for the caller.
var (
	errMalformed    = errors.New("malformed token")
	errBadSignature = errors.New("bad signature")
)

// segment is the base64url a JWS's parts are written in: unpadded, and strict (no stray bits in the last
// character, no line breaks), so that one token has one spelling.
var segment = base64.RawURLEncoding.Strict()

// verifySigned checks the signature of a compact JWS with key, whose algorithm the token's header names, and
// returns its claims. It does what golang-jwt's Parser did here (WithValidMethods of key's algorithm,
// WithStrictDecoding, WithoutClaimsValidation: the claims are checked by Verify), step for step, with the standard
// library's cryptography, so that the function's binary does not carry golang-jwt (about 220 KB of it, most of it
// signing code the function never runs). FuzzVerifySignedAgreesWithGolangJWT holds the two to the same answers:
// the header and the claims decode as JSON objects before anything is verified (errMalformed), the signature
// decodes (errMalformed), then it verifies (errBadSignature).
func verifySigned(token string, key publicKey) (map[string]any, error) {
	head, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, errMalformed
	}
	body, sig64, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig64, ".") {
		return nil, errMalformed
	}
	raw, err := segment.DecodeString(head)
	if err != nil {
		return nil, errMalformed
	}
	var header map[string]any
	if json.Unmarshal(raw, &header) != nil {
		return nil, errMalformed
	}
	if raw, err = segment.DecodeString(body); err != nil {
		return nil, errMalformed
	}
	// Decoded into the map through a copy of it, as golang-jwt decodes into its MapClaims: "null" empties the copy
	// and leaves claims as they were, empty.
	claims := map[string]any{}
	into := claims
	if json.Unmarshal(raw, &into) != nil {
		return nil, errMalformed
	}
	alg, ok := header["alg"].(string)
	if !ok || !knownAlg(alg) {
		return nil, errMalformed
	}
	sig, err := segment.DecodeString(sig64)
	if err != nil {
		return nil, errMalformed
	}
	if alg != key.alg {
		return nil, errBadSignature // not the one method allowed
	}
	if !verifies(token[:len(head)+1+len(body)], sig, key) {
		return nil, errBadSignature
	}
	return claims, nil
}

// knownAlg reports whether golang-jwt knows alg as a signing method: a token naming another is unverifiable, not
// merely signed with a method not allowed.
func knownAlg(alg string) bool {
	switch alg {
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "none":
		return true
	}
	return false
}

// verifies checks sig over signed with key, by key's algorithm.
func verifies(signed string, sig []byte, key publicKey) bool {
	switch key.alg {
	case algHS256:
		secret, ok := key.key.([]byte)
		if !ok {
			return false
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(signed))
		return hmac.Equal(sig, mac.Sum(nil))
	case algRS256:
		pub, ok := key.key.(*rsa.PublicKey)
		if !ok {
			return false
		}
		sum := sha256.Sum256([]byte(signed))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
	case algES256:
		pub, ok := key.key.(*ecdsa.PublicKey)
		if !ok || len(sig) != 64 { // r and s, 32 bytes each (RFC 7518 §3.4)
			return false
		}
		sum := sha256.Sum256([]byte(signed))
		return ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case algEdDSA:
		pub, ok := key.key.(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return false
		}
		return ed25519.Verify(pub, []byte(signed), sig)
	}
	return false
}
