package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// minRSABits is the smallest RSA modulus accepted; shorter keys are within reach of factoring.
const minRSABits = 2048

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
