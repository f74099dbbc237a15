package policy

import (
	"strings"
	"unicode/utf8"
)

// MaxKeyBytes is COS's limit on an object key. A longer key can never exist, so
// granting it would only hide a caller's mistake.
const MaxKeyBytes = 850

// ValidateKey reports whether k is an object key a grant may name (docs/contract.md §2):
// not empty, at most MaxKeyBytes of valid UTF-8 (U+FFFD refused too: it marks
// input that was not), no leading "/", no empty, "." or ".." segment, no
// control characters and no CAM wildcard ("*", "?").
//
// The segment rules exist because COS and the clients around it normalise
// paths differently: "a/../b" or "a//b" could name one object in the policy and
// another on the wire. The wildcard rule exists because the key is pasted into
// a CAM resource, where "*" would widen the grant.
func ValidateKey(k string) error {
	if err := checkText("key", k); err != nil {
		return err
	}
	if strings.HasSuffix(k, "/") {
		return invalid(ErrInvalidKey, "policy: key %s: ends in \"/\" (that is a folder prefix, not a key)", quote(k))
	}
	return checkSegments("key", k, k)
}

// ValidatePrefix reports whether p is a folder prefix a grant may name: a key
// (ValidateKey) that ends in "/". The trailing "/" is what makes containment a
// segment-boundary test: "home/u1/" can never be read as a prefix of "home/u10".
// WholeBucket is not a prefix; callers that accept it test for it first.
func ValidatePrefix(p string) error {
	if err := checkText("prefix", p); err != nil {
		return err
	}
	if !strings.HasSuffix(p, "/") {
		return invalid(ErrInvalidKey, "policy: prefix %s: must end in \"/\"", quote(p))
	}
	return checkSegments("prefix", p, strings.TrimSuffix(p, "/"))
}

// checkText applies the rules that do not depend on "/" structure.
func checkText(what, s string) error {
	switch {
	case s == "":
		return invalid(ErrInvalidKey, "policy: %s %s: empty", what, quote(s))
	case len(s) > MaxKeyBytes:
		return invalid(ErrInvalidKey, "policy: %s %s: %d bytes, longer than %d", what, quote(s), len(s), MaxKeyBytes)
	case !utf8.ValidString(s):
		return invalid(ErrInvalidKey, "policy: %s %s: not valid UTF-8", what, quote(s))
	}
	for i, r := range s {
		if isControl(r) {
			return invalid(ErrInvalidKey, "policy: %s %s: control character %U at byte %d", what, quote(s), r, i)
		}
		if r == '*' || r == '?' {
			return invalid(ErrInvalidKey, "policy: %s %s: CAM wildcard %q at byte %d", what, quote(s), r, i)
		}
		// U+FFFD is what decoders put where bytes were not UTF-8 or an escape was a lone surrogate: granting it
		// would name a key the caller never wrote.
		if r == utf8.RuneError {
			return invalid(ErrInvalidKey, "policy: %s %s: replacement character U+FFFD at byte %d (the input was not valid UTF-8)", what, quote(s), i)
		}
	}
	if strings.HasPrefix(s, "/") {
		return invalid(ErrInvalidKey, "policy: %s %s: leading \"/\"", what, quote(s))
	}
	return nil
}

// checkSegments rejects empty, "." and ".." segments of body; full is the
// value as the caller wrote it, for the message.
func checkSegments(what, full, body string) error {
	for seg := range strings.SplitSeq(body, "/") {
		switch seg {
		case "":
			return invalid(ErrInvalidKey, "policy: %s %s: empty path segment", what, quote(full))
		case ".", "..":
			return invalid(ErrInvalidKey, "policy: %s %s: %q path segment", what, quote(full), seg)
		}
	}
	return nil
}

// isControl reports C0 controls, DEL and C1 controls: none can be typed in a
// path, and some terminals and log viewers act on them.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7F && r <= 0x9F)
}
