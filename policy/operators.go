package policy

import (
	"math/big"
	"net/netip"
	"strings"
)

// knownOperator reports whether evalOperator understands op (without
// "_if_exist").
func knownOperator(op string) bool {
	switch op {
	case "string_equal", "string_not_equal", "string_like", "string_not_like",
		"numeric_equal", "numeric_not_equal", "numeric_less_than", "numeric_less_than_equal",
		"numeric_greater_than", "numeric_greater_than_equal", "ip_equal", "ip_not_equal":
		return true
	}
	return false
}

// evalOperator applies one operator to the request's value v and the
// policy's values.
func evalOperator(op, v string, values []string) verdict {
	switch op {
	case "string_equal", "string_not_equal":
		return anyOf(values, op == "string_not_equal", func(want string) (bool, bool) { return v == want, true })
	case "string_like", "string_not_like":
		return anyOf(values, op == "string_not_like", func(p string) (bool, bool) { return likeMatch(p, v), true })
	case "numeric_equal", "numeric_not_equal", "numeric_less_than", "numeric_less_than_equal",
		"numeric_greater_than", "numeric_greater_than_equal":
		got, ok := decimal(v)
		if !ok {
			return isFalse // the request's value is not a number
		}
		return anyOf(values, op == "numeric_not_equal", func(s string) (bool, bool) {
			want, ok := decimal(s)
			if !ok {
				return false, false
			}
			c := got.Cmp(want)
			switch op {
			case "numeric_less_than":
				return c < 0, true
			case "numeric_less_than_equal":
				return c <= 0, true
			case "numeric_greater_than":
				return c > 0, true
			case "numeric_greater_than_equal":
				return c >= 0, true
			}
			return c == 0, true
		})
	case "ip_equal", "ip_not_equal":
		addr, err := netip.ParseAddr(v)
		if err != nil {
			return isFalse // the request's value is not an address
		}
		addr = addr.Unmap()
		return anyOf(values, op == "ip_not_equal", func(s string) (bool, bool) {
			if p, err := netip.ParsePrefix(s); err == nil {
				return p.Contains(addr), true
			}
			if a, err := netip.ParseAddr(s); err == nil {
				return a.Unmap() == addr, true
			}
			return false, false
		})
	}
	return undecided
}

// maxDecimalDigits bounds the numbers the evaluator reads, far above any
// Content-Length, so that a hostile value cannot make it compute for long.
const maxDecimalDigits = 40

// decimal reads a plain decimal number (-12, 5242880, 1.5) exactly. Exponents,
// fractions like 1/2, hexadecimal and very long numbers are not numbers here.
func decimal(s string) (*big.Rat, bool) {
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(digits, ".")
	if len(digits) > maxDecimalDigits || !isDigits(whole) || (hasDot && !isDigits(frac)) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// anyOf reports whether some value matches (or, negated, none does);
// a value the test cannot read leaves the answer undecided.
func anyOf(values []string, negated bool, test func(string) (match, ok bool)) verdict {
	matched := false
	for _, v := range values {
		m, ok := test(v)
		if !ok {
			return undecided
		}
		matched = matched || m
	}
	return verdictOf(matched != negated)
}

// likeMatch is string_like: "*" matches any run of characters, "?" exactly one.
func likeMatch(pattern, s string) bool { return wildcard(pattern, s, true) }
