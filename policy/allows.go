package policy

// Allows answers whether p lets the holder perform action on resource, with
// CAM's semantics: an explicit deny wins; otherwise some allow statement must
// match both the action and the resource. A "*" in a pattern matches any run
// of characters, "/" included; everything else matches exactly and
// case-sensitively ("?" is a literal character here).
//
// Effect is compared in any case, so a hand-built Policy with "Deny" still
// denies. Allows knows nothing of the request, so it is AllowsRequest with a
// nil RequestContext: an allow statement with a condition never matches, and
// a deny statement with a condition always counts, so a condition can make
// Allows report a grant narrower than CAM's, never a wider one.
func Allows(p Policy, action, resource string) bool {
	return AllowsRequest(p, action, resource, nil)
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if match(p, s) {
			return true
		}
	}
	return false
}

// match reports whether s matches pattern, where "*" matches any run of
// characters. It backtracks only to the last "*", so it runs in
// O(len(pattern)·len(s)) at worst, whatever a user-written policy holds.
func match(pattern, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pattern) && pattern[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
