package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/netip"
	"strings"
)

// The condition keys Build writes, for a RequestContext.
const (
	KeyContentLength = "cos:content-length" // the request's Content-Length, in decimal
	KeyContentType   = "cos:content-type"   // the request's Content-Type
	KeySourceIP      = "qcs:ip"             // the address the request comes from
)

// RequestContext describes one request to COS by its condition keys
// (KeyContentLength, KeyContentType, KeySourceIP, or any other CAM key) and
// their values. A key that is absent is a header the request does not carry.
type RequestContext map[string]string

// AllowsRequest answers whether p lets the holder perform action on resource
// in a request described by ctx, with CAM's semantics: an explicit deny wins;
// otherwise some allow statement must match the action, the resource and its
// conditions. Actions and resources match as in Allows.
//
// A statement's conditions must all hold: every operator, every key under it;
// a key's listed values are alternatives (for a negated operator such as
// ip_not_equal, the value must match none of them). The operators understood
// are string_equal, string_not_equal, string_like and string_not_like ("*"
// matches any run of characters, "?" one character), numeric_equal,
// numeric_not_equal, numeric_less_than(_equal) and
// numeric_greater_than(_equal), ip_equal and ip_not_equal (addresses and
// CIDRs), each also with CAM's "_if_exist" suffix.
//
// A key absent from ctx makes its condition false, and true with
// "_if_exist", as Tencent documents; that holds for deny statements too, so a
// deny conditioned on a header the request lacks does not apply, as in CAM.
// Where AllowsRequest cannot decide, it refuses: with a nil ctx (an unknown
// request), or a condition it cannot read (an unknown operator, a malformed
// value), an allow statement does not match and a deny statement does. So it
// may report a grant narrower than CAM's, never a wider one.
func AllowsRequest(p Policy, action, resource string, ctx RequestContext) bool {
	allowed := false
	for _, s := range p.Statement {
		if !matchAny(s.Action, action) || !matchAny(s.Resource, resource) {
			continue
		}
		switch strings.ToLower(s.Effect) {
		case "deny":
			if evalCondition(s.Condition, ctx) != isFalse {
				return false
			}
		case "allow":
			if evalCondition(s.Condition, ctx) == isTrue {
				allowed = true
			}
		}
	}
	return allowed
}

// verdict is the value of a condition: true, false, or not decidable here.
type verdict int

const (
	isTrue verdict = iota
	isFalse
	undecided
)

func verdictOf(b bool) verdict {
	if b {
		return isTrue
	}
	return isFalse
}

// evalCondition evaluates one statement's condition block against ctx.
func evalCondition(raw json.RawMessage, ctx RequestContext) verdict {
	if len(raw) == 0 {
		return isTrue
	}
	ops, err := members(raw)
	if err != nil {
		return undecided
	}
	if len(ops) == 0 {
		return isTrue // {} conditions nothing
	}
	if ctx == nil {
		return undecided
	}
	result := isTrue
	for _, op := range ops {
		keys, err := members(op.value)
		if err != nil || len(keys) == 0 {
			return undecided
		}
		base, ifExist := strings.CutSuffix(op.name, "_if_exist")
		if !knownOperator(base) {
			return undecided
		}
		for _, k := range keys {
			values, err := conditionValues(k.value)
			if err != nil {
				return undecided
			}
			v, present := ctx[k.name]
			var got verdict
			if present {
				got = evalOperator(base, v, values)
			} else {
				got = verdictOf(ifExist)
			}
			if got == undecided {
				return undecided
			}
			if got == isFalse {
				result = isFalse
			}
		}
	}
	return result
}

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

// likeMatch is string_like: "*" matches any run of characters, "?" exactly
// one, everything else itself, case-sensitively. Like match, it backtracks
// only to the last "*".
func likeMatch(pattern, s string) bool {
	p, r := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == r[si]):
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

// conditionValues reads a condition value: one string, number or boolean, or
// a non-empty list of them. Numbers keep their JSON text.
func conditionValues(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
			return nil, errors.New("want a non-empty list")
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			v, err := scalar(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, err := scalar(raw)
	if err != nil {
		return nil, err
	}
	return []string{v}, nil
}

func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", errors.New("empty value")
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case bytes.Equal(raw, []byte("true")), bytes.Equal(raw, []byte("false")):
		return string(raw), nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		var n json.Number
		err := json.Unmarshal(raw, &n)
		return n.String(), err
	}
	return "", errors.New("want a string, number or boolean")
}

type member struct {
	name  string
	value json.RawMessage
}

// members reads a JSON object's members in order, names exactly as written.
// A name given twice is an error: CAM and encoding/json might each keep a
// different one.
func members(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not an object")
	}
	var out []member
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok || seen[name] {
			return nil, errors.New("bad or repeated member name")
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{name: name, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return out, nil
}
