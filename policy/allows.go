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

// match is the resource and action matcher: "*" matches any run of characters, "?" is itself.
func match(pattern, s string) bool { return wildcard(pattern, s, false) }

// wildcard reports whether s matches pattern, where "*" matches any run of characters and, when anyOne is set,
// "?" matches exactly one; everything else matches itself, case-sensitively. It backtracks only to the last "*",
// so it runs in O(len(pattern)·len(s)) at worst, whatever a user-written policy holds.
func wildcard(pattern, s string, anyOne bool) bool {
	p, r := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == r[si] || anyOne && p[pi] == '?'):
			pi++
			si++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
