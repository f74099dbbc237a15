// Package auth authenticates callers with JSON Web Tokens (docs/contract.md §4, STS_AUTH=jwt) and fills scope templates
// such as ${jwt:sub} from the verified claims.
//
// The algorithm is pinned to the kind of key configured, never read from the token alone: an HS256 shared secret
// accepts HS256 only, and each JWKS key accepts the one algorithm its type implies. That closes the classic
// attacks where a token says "none", or says HS256 and is signed with a public key the attacker also has.
//
// No error from this package contains a token, any part of one, a claim value or the secret, because the
// handler logs errors and returns their messages to callers.
package auth

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnauthorized is wrapped by every error of Verify and BearerToken that the caller's token causes; the handler
// answers it with 401 Unauthorized. The message says what is wrong without quoting the token.
var ErrUnauthorized = errors.New("auth: unauthorized")

// ErrJWKSUnavailable is wrapped by Verify when the keys at STS_JWKS_URL cannot be fetched or used. The token may
// well be fine, so the handler answers it as an upstream failure rather than 401.
var ErrJWKSUnavailable = errors.New("auth: JWKS unavailable")

// Claims are a verified token's claims, decoded by encoding/json: strings, float64 numbers, bools, []any and
// map[string]any.
type Claims map[string]any

// String returns the claim called name when it is a string; sub, and any claim a template names, are read
// through it so that a number or a list never turns into a path segment.
func (c Claims) String(name string) (string, bool) {
	s, ok := c[name].(string)
	return s, ok
}

// BearerToken extracts the token from an Authorization header value ("Bearer <token>", the scheme matched
// case-insensitively as RFC 7235 requires). A missing header, another scheme or a token outside RFC 6750's
// token68 characters is an error wrapping ErrUnauthorized.
func BearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", fmt.Errorf("%w: missing Authorization header", ErrUnauthorized)
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		// The "scheme" may be a bare token when the client forgot the prefix, so it is not quoted.
		return "", fmt.Errorf("%w: Authorization header is not of the form \"Bearer <token>\"", ErrUnauthorized)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%w: empty bearer token", ErrUnauthorized)
	}
	if !isToken68(token) {
		return "", fmt.Errorf("%w: malformed bearer token", ErrUnauthorized)
	}
	return token, nil
}

// isToken68 reports whether s is RFC 7235's token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isAlnum(c) && !strings.ContainsRune("-._~+/", rune(c)) {
			return false
		}
	}
	return true
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
