package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Warnings lists what a reader of g should know before trusting it, one
// sentence each, in a stable order: a whole-bucket grant, the actions its
// conditions leave out (UsableActions) and why, and conditions that hold
// less than they seem (on appends, or on a grant with no upload they apply
// to). It judges g as written and never fails; Build reports what is invalid.
func Warnings(g Grant) []string {
	var out []string
	if slices.Contains(g.Prefixes, WholeBucket) {
		out = append(out, fmt.Sprintf("the grant covers the whole bucket %s (prefix %q): every object in it, not one folder",
			g.Bucket, WholeBucket))
	}
	c := g.Conditions
	actions, dropped := UsableActions(lenientActions(g.Actions), c)
	var reasons []string
	byReason := map[string][]string{}
	for _, d := range dropped {
		if byReason[d.Reason] == nil {
			reasons = append(reasons, d.Reason)
		}
		byReason[d.Reason] = append(byReason[d.Reason], strings.TrimPrefix(d.Action, ActionPrefix))
	}
	for _, r := range reasons {
		names := byReason[r]
		verb := "is"
		if len(names) > 1 {
			verb = "are"
		}
		out = append(out, fmt.Sprintf("%s %s left out of the grant: %s", strings.Join(names, ", "), verb, r))
	}
	has := func(carries func(string) bool) bool {
		return slices.ContainsFunc(actions, func(a string) bool { return carries(strings.TrimPrefix(a, ActionPrefix)) })
	}
	if c.MaxContentLength > 0 {
		if !has(sizeConditioned) {
			out = append(out, "maxContentLength has no effect: the grant has no upload that carries the object "+
				"(PutObject, PostObject, AppendObject)")
		}
		if slices.Contains(actions, ActionPrefix+"AppendObject") {
			out = append(out, fmt.Sprintf("maxContentLength limits each AppendObject request, not the object: "+
				"repeated appends can grow it past %d bytes", c.MaxContentLength))
		}
	}
	if len(c.ContentTypes) > 0 && !has(typeConditioned) {
		out = append(out, "contentTypes has no effect: the grant has no upload that declares the object's type "+
			"(PutObject, AppendObject, InitiateMultipartUpload)")
	}
	if p, err := netip.ParsePrefix(c.SourceIP); err == nil && p.Bits() == 0 {
		out = append(out, fmt.Sprintf("sourceIP %s matches every address and restricts nothing", c.SourceIP))
	}
	return out
}

// lenientActions expands what it can of names, skipping what ExpandActions
// would refuse, so that Warnings speaks about an imperfect grant too.
func lenientActions(names []string) []string {
	var out []string
	for _, n := range names {
		if got, err := ExpandActions([]string{n}); err == nil {
			out = append(out, got...)
		}
	}
	return out
}

// DescribeConditions explains every condition in p, one sentence each, for a
// person reading a dry run: what it demands, the CAM operator and key, and
// for Build's own conditions where COS enforces them. Sentences follow the
// statements, operators and keys in the policy's order; a sentence that
// several statements share is given once.
func DescribeConditions(p Policy) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for i, s := range p.Statement {
		if len(s.Condition) == 0 {
			continue
		}
		ops, err := members(s.Condition)
		if err != nil {
			add(fmt.Sprintf("statement %d has a condition this evaluator cannot read; it counts as never allowing and always denying", i+1))
			continue
		}
		for _, op := range ops {
			keys, err := members(op.value)
			if err != nil {
				add(fmt.Sprintf("statement %d: operator %s has no readable keys", i+1, op.name))
				continue
			}
			for _, k := range keys {
				values, err := conditionValues(k.value)
				if err != nil {
					add(fmt.Sprintf("statement %d: %s on %s has no readable value", i+1, op.name, k.name))
					continue
				}
				add(describe(s, op.name, k.name, values))
			}
		}
	}
	return out
}

// describe words one condition of statement s.
func describe(s Statement, op, key string, values []string) string {
	allow := strings.EqualFold(s.Effect, "allow")
	short := make([]string, len(s.Action))
	for i, a := range s.Action {
		short[i] = strings.TrimPrefix(a, ActionPrefix)
	}
	actions := strings.Join(short, ", ")
	switch {
	case allow && op == "numeric_less_than_equal" && key == KeyContentLength && len(values) == 1:
		return fmt.Sprintf("uploads may be at most %s bytes (%s on %s, on %s)",
			values[0], op, key, actions)
	case allow && op == "string_like" && key == KeyContentType:
		return fmt.Sprintf("uploads must declare a Content-Type matching %s (%s on %s, on %s)",
			strings.Join(values, " or "), op, key, actions)
	case allow && op == "ip_equal" && key == KeySourceIP:
		return fmt.Sprintf("requests must come from %s (%s on %s)", ipPhrase(values), op, key)
	}
	base, ifExist := strings.CutSuffix(op, "_if_exist")
	phrase, known := map[string]string{
		"string_equal": "is", "string_not_equal": "is not", "string_like": "matches", "string_not_like": "does not match",
		"numeric_equal": "equals", "numeric_not_equal": "does not equal", "numeric_less_than": "is less than",
		"numeric_less_than_equal": "is at most", "numeric_greater_than": "is more than",
		"numeric_greater_than_equal": "is at least", "ip_equal": "is in", "ip_not_equal": "is not in",
	}[base]
	if !known {
		phrase = "satisfies " + op
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	when := "only when"
	if !allow {
		when = "when"
	}
	absent := ""
	if ifExist {
		absent = ", or the request has no " + key
	}
	return fmt.Sprintf("%s %s %s %s %s %s%s (%s on %s)", strings.ToLower(s.Effect), actions, when, key, phrase,
		strings.Join(quoted, " or "), absent, op, key)
}

// ipPhrase words the values of an ip_equal condition.
func ipPhrase(values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = v
		if strings.Contains(v, "/") {
			parts[i] = "an address in " + v
		}
	}
	return strings.Join(parts, " or ")
}
