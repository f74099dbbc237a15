package cosemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The condition keys the emulator reads from a request, as Tencent's COS
// condition-key guide names them.
const (
	keyContentLength = "cos:content-length" // the request's Content-Length header
	keyContentType   = "cos:content-type"   // the request's Content-Type header
	keySourceIP      = "qcs:ip"             // the address the request comes from
)

// camPolicy is a CAM policy as COS evaluates it for a temporary key.
type camPolicy struct {
	statements []statement
}

type statement struct {
	deny       bool
	actions    []string
	resources  []string
	conditions []condition // all must hold
}

// condition is one operator on one key, with its listed values.
type condition struct {
	operator string // without _if_exist
	ifExist  bool
	key      string
	values   []string
}

// parsePolicy reads a policy the way CAM documents it: "version" 2.0, a
// "statement" (one object or a list), each with "effect" allow or deny,
// "action" and "resource" as a string or a list, and an optional
// "condition" object {operator: {key: value or [values]}}. Element names are
// lower case, as CAM requires. A principal, which STS refuses in a policy
// passed to it, is an error here too.
func parsePolicy(text string) (camPolicy, error) {
	doc, err := members([]byte(text), "version", "statement", "principal")
	if err != nil {
		return camPolicy{}, fmt.Errorf("policy: %w", err)
	}
	var version string
	if json.Unmarshal(doc["version"], &version) != nil || version != "2.0" {
		return camPolicy{}, errors.New(`policy: version must be "2.0"`)
	}
	if doc["principal"] != nil {
		return camPolicy{}, errors.New("policy: a policy passed to STS has no principal")
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(doc["statement"]); len(t) > 0 && t[0] == '{' {
		raws = []json.RawMessage{t}
	} else if err := json.Unmarshal(doc["statement"], &raws); err != nil || len(raws) == 0 {
		return camPolicy{}, errors.New("policy: statement must be an object or a non-empty list")
	}
	var p camPolicy
	for i, raw := range raws {
		st, err := parseStatement(raw)
		if err != nil {
			return camPolicy{}, fmt.Errorf("policy: statement %d: %w", i, err)
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

// members decodes a JSON object whose member names must be among allowed,
// compared exactly: CAM wants its element names in lower case, where
// encoding/json would match them in any case.
func members(raw []byte, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("not a JSON object")
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("unknown element %q (CAM's element names are lower case)", k)
		}
	}
	return m, nil
}

func parseStatement(raw json.RawMessage) (statement, error) {
	m, err := members(raw, "effect", "action", "resource", "condition")
	if err != nil {
		return statement{}, err
	}
	var effect string
	json.Unmarshal(m["effect"], &effect) //nolint:errcheck // an effect that is not a string is refused below
	var st statement
	switch strings.ToLower(effect) {
	case "allow":
	case "deny":
		st.deny = true
	default:
		return statement{}, fmt.Errorf("effect %s is neither allow nor deny", m["effect"])
	}
	if st.actions, err = stringOrList(m["action"]); err != nil {
		return statement{}, fmt.Errorf("action: %w", err)
	}
	if st.resources, err = stringOrList(m["resource"]); err != nil {
		return statement{}, fmt.Errorf("resource: %w", err)
	}
	var cond map[string]map[string]json.RawMessage
	if m["condition"] != nil && json.Unmarshal(m["condition"], &cond) != nil {
		return statement{}, errors.New("condition must be an object of operators, each an object of keys")
	}
	for op, keys := range cond {
		base, ifExist := strings.CutSuffix(op, "_if_exist")
		for key, v := range keys {
			values, err := conditionValues(v)
			if err != nil {
				return statement{}, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			st.conditions = append(st.conditions, condition{operator: base, ifExist: ifExist, key: key, values: values})
		}
	}
	return st, nil
}

// stringOrList reads a non-empty string or a non-empty list of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, errors.New("want a string or a non-empty list of strings")
	}
	return list, nil
}

// conditionValues reads a condition's value: a string, number or boolean,
// or a list of them, each kept as its text.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &items); err != nil {
			return nil, err
		}
	} else {
		items = []json.RawMessage{raw}
	}
	var out []string
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
			continue
		}
		var n json.Number
		if json.Unmarshal(it, &n) == nil {
			out = append(out, n.String())
			continue
		}
		var b bool
		if json.Unmarshal(it, &b) == nil {
			out = append(out, strconv.FormatBool(b))
			continue
		}
		return nil, fmt.Errorf("value %s is not a string, number or boolean", it)
	}
	if len(out) == 0 {
		return nil, errors.New("no value")
	}
	return out, nil
}

// allows answers CAM's question for one request: an explicit deny whose
// action, resource and conditions match wins; otherwise an allow statement
// must match all three; otherwise the request is refused. ctx holds the
// condition keys the request carries.
func (p camPolicy) allows(action, resource string, ctx map[string]string) bool {
	allowed := false
	for _, st := range p.statements {
		if !matchesAny(st.actions, action, true) || !matchesAny(st.resources, resource, false) {
			continue
		}
		holds, known := st.holds(ctx)
		switch {
		case st.deny && (holds || !known):
			// A deny the emulator cannot read is taken to apply: refusing
			// too much is visible, allowing too much is not.
			return false
		case !st.deny && holds && known:
			allowed = true
		}
	}
	return allowed
}

// holds evaluates every condition of st; known is false when one of them
// uses an operator the emulator does not implement.
func (st statement) holds(ctx map[string]string) (holds, known bool) {
	holds = true
	for _, c := range st.conditions {
		v, ok := c.eval(ctx)
		if !ok {
			return false, false
		}
		holds = holds && v
	}
	return holds, true
}

// eval applies one condition. As Tencent documents: a key the request does
// not carry makes the condition false, and true with _if_exist; a key's
// listed values are alternatives (any one matching is enough), and for the
// negated operators the request's value must match none of them.
func (c condition) eval(ctx map[string]string) (result, known bool) {
	got, present := ctx[c.key]
	negated, match, known := operator(c.operator)
	if !known {
		return false, false
	}
	if !present {
		return c.ifExist, true
	}
	matched := false
	for _, want := range c.values {
		if match(got, want) {
			matched = true
			break
		}
	}
	return matched != negated, true
}

// operator returns how an operator compares a request's value with one
// listed value, and whether the operator is a negation of that comparison.
func operator(name string) (negated bool, match func(got, want string) bool, known bool) {
	switch name {
	case "string_equal":
		return false, func(g, w string) bool { return g == w }, true
	case "string_not_equal":
		return true, func(g, w string) bool { return g == w }, true
	case "string_equal_ignore_case":
		return false, strings.EqualFold, true
	case "string_not_equal_ignore_case":
		return true, strings.EqualFold, true
	case "string_like":
		return false, func(g, w string) bool { return like(w, g) }, true
	case "string_not_like":
		return true, func(g, w string) bool { return like(w, g) }, true
	case "numeric_equal":
		return false, numeric(func(g, w float64) bool { return g == w }), true
	case "numeric_not_equal":
		return true, numeric(func(g, w float64) bool { return g == w }), true
	case "numeric_less_than":
		return false, numeric(func(g, w float64) bool { return g < w }), true
	case "numeric_less_than_equal":
		return false, numeric(func(g, w float64) bool { return g <= w }), true
	case "numeric_greater_than":
		return false, numeric(func(g, w float64) bool { return g > w }), true
	case "numeric_greater_than_equal":
		return false, numeric(func(g, w float64) bool { return g >= w }), true
	case "ip_equal":
		return false, ipMatch, true
	case "ip_not_equal":
		return true, ipMatch, true
	case "bool_equal":
		return false, strings.EqualFold, true
	}
	return false, nil, false
}

func numeric(cmp func(got, want float64) bool) func(string, string) bool {
	return func(g, w string) bool {
		x, err1 := strconv.ParseFloat(g, 64)
		y, err2 := strconv.ParseFloat(w, 64)
		return err1 == nil && err2 == nil && cmp(x, y)
	}
}

// ipMatch reports whether the address got lies in want, an address or a CIDR.
func ipMatch(got, want string) bool {
	a, err := netip.ParseAddr(got)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if p, err := netip.ParsePrefix(want); err == nil {
		return p.Masked().Contains(a)
	}
	b, err := netip.ParseAddr(want)
	return err == nil && b.Unmap() == a
}

// matchesAny matches s against CAM patterns, where "*" stands for any run of
// characters. Action names are compared without regard to case, as CAM
// does; resources exactly.
func matchesAny(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if glob(p, s, false) {
			return true
		}
	}
	return false
}

// like is string_like: "*" any run of characters, "?" exactly one.
func like(pattern, s string) bool { return glob(pattern, s, true) }

// glob matches by dynamic programming over runes: O(len(pattern)·len(s)),
// whatever the pattern.
func glob(pattern, s string, question bool) bool {
	p, r := []rune(pattern), []rune(s)
	prev := make([]bool, len(r)+1)
	prev[0] = true
	for i := 1; i <= len(p); i++ {
		cur := make([]bool, len(r)+1)
		cur[0] = prev[0] && p[i-1] == '*'
		for j := 1; j <= len(r); j++ {
			switch {
			case p[i-1] == '*':
				cur[j] = prev[j] || cur[j-1]
			case question && p[i-1] == '?' || p[i-1] == r[j-1]:
				cur[j] = prev[j-1]
			}
		}
		prev = cur
	}
	return prev[len(r)]
}
