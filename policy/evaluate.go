package policy

import (
	"encoding/json"
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
