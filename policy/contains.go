package policy

import "strings"

// WholeBucket is the scope prefix that grants every object in the bucket. It is
// honoured only where written explicitly: an empty prefix never means "all".
const WholeBucket = "*"

// Contains reports whether the scope prefix scopePrefix covers p, a key or a
// folder prefix. Containment is on segment boundaries: "home/u1/" contains
// "home/u1/", "home/u1/2026/" and "home/u1/x.png", but never "home/u10/".
// WholeBucket contains every valid key and prefix, and itself.
//
// Both values are validated: an invalid one is contained by nothing and
// contains nothing, so a string trick cannot pass where a clean path fails.
func Contains(scopePrefix, p string) bool {
	if scopePrefix == WholeBucket {
		return p == WholeBucket || ValidatePrefix(p) == nil || ValidateKey(p) == nil
	}
	if ValidatePrefix(scopePrefix) != nil {
		return false
	}
	if ValidatePrefix(p) != nil && ValidateKey(p) != nil {
		return false
	}
	return containsValid(scopePrefix, p)
}

// containsValid is Contains for values already validated. A prefix ends in
// "/", so a plain string prefix test is already a segment-boundary test.
func containsValid(scopePrefix, p string) bool {
	return scopePrefix == WholeBucket || strings.HasPrefix(p, scopePrefix)
}

// KeyAllowed reports whether the key k lies inside one of scopePrefixes or is
// equal to one of scopeKeys: the docs/contract.md §2 test for a requested key.
func KeyAllowed(scopePrefixes, scopeKeys []string, k string) bool {
	if ValidateKey(k) != nil {
		return false
	}
	for _, sk := range scopeKeys {
		if sk == k {
			return true
		}
	}
	return anyContains(scopePrefixes, k)
}

// PrefixAllowed reports whether the folder prefix p lies inside one of
// scopePrefixes. WholeBucket is allowed only by a WholeBucket scope.
func PrefixAllowed(scopePrefixes []string, p string) bool {
	if p != WholeBucket && ValidatePrefix(p) != nil {
		return false
	}
	return anyContains(scopePrefixes, p)
}

// anyContains is Contains over scopePrefixes for a p its caller has validated: p is checked once, not once per
// scope prefix, so a request's cost grows with its own length and the scope's, never their product.
func anyContains(scopePrefixes []string, p string) bool {
	for _, sp := range scopePrefixes {
		if sp == WholeBucket || ValidatePrefix(sp) == nil && containsValid(sp, p) {
			return true
		}
	}
	return false
}
