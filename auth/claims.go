package auth

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// maxUnixSeconds caps numeric dates (year 5138) so that a huge exp cannot overflow time arithmetic.
const maxUnixSeconds = 1e11

// checkClaims enforces exp (required), nbf and iat (when present), all with the leeway, then iss and aud.
func (v *Verifier) checkClaims(c Claims) error {
	now := v.now()
	exp, ok, err := c.date("exp")
	switch {
	case err != nil:
		return err
	case !ok:
		return unauthorized("token has no exp: tokens must expire")
	case !now.Before(exp.Add(v.leeway)):
		return unauthorized("token expired")
	}
	if nbf, ok, err := c.date("nbf"); err != nil {
		return err
	} else if ok && now.Before(nbf.Add(-v.leeway)) {
		return unauthorized("token not valid yet (nbf is in the future)")
	}
	if iat, ok, err := c.date("iat"); err != nil {
		return err
	} else if ok && now.Before(iat.Add(-v.leeway)) {
		return unauthorized("token issued in the future (iat)")
	}

	switch iss, ok := c["iss"]; {
	case !ok:
		return unauthorized("token has no iss")
	case iss != v.issuer:
		return unauthorized("wrong issuer")
	}
	switch aud := c["aud"].(type) {
	case nil:
		return unauthorized("token has no aud")
	case string:
		if aud != v.audience {
			return unauthorized("wrong audience")
		}
	case []any:
		if !slices.ContainsFunc(aud, func(a any) bool { s, ok := a.(string); return ok && s == v.audience }) {
			return unauthorized("wrong audience")
		}
	default:
		return unauthorized("aud is neither a string nor a list of strings")
	}
	return nil
}

// date reads a NumericDate claim (RFC 7519 §2: seconds since the epoch, fractions allowed).
func (c Claims) date(name string) (time.Time, bool, error) {
	raw, ok := c[name]
	if !ok {
		return time.Time{}, false, nil
	}
	f, ok := raw.(float64)
	if !ok {
		return time.Time{}, false, unauthorized(fmt.Sprintf("%s is not a number", name))
	}
	f = math.Max(-maxUnixSeconds, math.Min(f, maxUnixSeconds))
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}
