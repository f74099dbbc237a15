package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Parse reads a CAM policy written by a person, such as STS_POLICY used
// verbatim, so that the evaluator can answer questions about it. It is
// tolerant where CAM is (element names in any case, action and resource as a
// string or a list, effect in any case, statement as an object or a list) and
// strict where a lenient reading could make Allows answer wrongly: unknown or
// repeated elements, a "principal" anywhere (STS refuses it), a version other
// than "2.0", no statements, or a statement without effect, action or resource
// are errors. Effect is lowered; a condition is kept verbatim.
func Parse(policyJSON string) (Policy, error) {
	fields, err := objectFields([]byte(policyJSON), "")
	if err != nil {
		return Policy{}, err
	}
	var p Policy
	var haveStatement bool
	for _, f := range fields {
		switch f.name {
		case "version":
			if err := json.Unmarshal(f.value, &p.Version); err != nil || p.Version != Version {
				return Policy{}, invalid(ErrInvalidPolicy, "policy: version must be %q", Version)
			}
		case "statement":
			haveStatement = true
			if p.Statement, err = parseStatements(f.value); err != nil {
				return Policy{}, err
			}
		case "principal":
			return Policy{}, invalid(ErrInvalidPolicy, "policy: a \"principal\" element is not allowed in an STS policy")
		default:
			return Policy{}, invalid(ErrInvalidPolicy, "policy: unknown element %s", quote(f.name))
		}
	}
	switch {
	case p.Version == "":
		return Policy{}, invalid(ErrInvalidPolicy, "policy: missing \"version\"")
	case !haveStatement || len(p.Statement) == 0:
		return Policy{}, invalid(ErrInvalidPolicy, "policy: no statements")
	}
	return p, nil
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalid(ErrInvalidPolicy, "policy: \"statement\" must be an object or a list of objects")
	}
	out := make([]Statement, 0, len(list))
	for i, r := range list {
		s, err := parseStatement(r, fmt.Sprintf("statement %d", i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage, where string) (Statement, error) {
	fields, err := objectFields(raw, where)
	if err != nil {
		return Statement{}, err
	}
	var s Statement
	for _, f := range fields {
		switch f.name {
		case "effect":
			var e string
			if err := json.Unmarshal(f.value, &e); err != nil {
				return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: \"effect\" must be a string", where)
			}
			s.Effect = strings.ToLower(e)
			if s.Effect != "allow" && s.Effect != "deny" {
				return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: effect %s: want allow or deny", where, quote(e))
			}
		case "action":
			if s.Action, err = stringOrList(f.value, where, "action"); err != nil {
				return Statement{}, err
			}
		case "resource":
			if s.Resource, err = stringOrList(f.value, where, "resource"); err != nil {
				return Statement{}, err
			}
		case "condition":
			if s.Condition, err = condition(f.value, where); err != nil {
				return Statement{}, err
			}
		case "sid":
			// A label for people; it changes nothing CAM decides.
		case "principal":
			return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: a \"principal\" element is not allowed in an STS policy", where)
		default:
			return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: unknown element %s", where, quote(f.name))
		}
	}
	switch {
	case s.Effect == "":
		return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: missing \"effect\"", where)
	case s.Action == nil:
		return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: missing \"action\"", where)
	case s.Resource == nil:
		return Statement{}, invalid(ErrInvalidPolicy, "policy: %s: missing \"resource\"", where)
	}
	return s, nil
}

// stringOrList reads a CAM element that may be one string or a list of them.
func stringOrList(raw json.RawMessage, where, name string) ([]string, error) {
	var list []string
	// Unmarshal reads null as "leave it alone"; here it is a mistake.
	if !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			list = []string{one}
		} else if json.Unmarshal(raw, &list) != nil {
			list = nil
		}
	}
	if list == nil {
		return nil, invalid(ErrInvalidPolicy, "policy: %s: %q must be a string or a list of strings", where, name)
	}
	if len(list) == 0 {
		return nil, invalid(ErrInvalidPolicy, "policy: %s: %q is empty", where, name)
	}
	for _, v := range list {
		if v == "" {
			return nil, invalid(ErrInvalidPolicy, "policy: %s: %q holds an empty string", where, name)
		}
	}
	return list, nil
}

// condition keeps a condition block compacted; null counts as absent.
func condition(raw json.RawMessage, where string) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalid(ErrInvalidPolicy, "policy: %s: bad \"condition\": %v", where, err)
	}
	if buf.String() == "null" {
		return nil, nil
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, invalid(ErrInvalidPolicy, "policy: %s: \"condition\" must be an object", where)
	}
	return json.RawMessage(buf.Bytes()), nil
}

type field struct {
	name  string // lower case
	value json.RawMessage
}

// objectFields reads one JSON object with nothing after it, keeping its
// members in order with lower-cased names (where names it in messages, "" for
// the document itself), and refuses a name given twice in
// any case: CAM and encoding/json would each pick one, maybe not the same.
func objectFields(raw []byte, where string) ([]field, error) {
	prefix := "policy: "
	if where != "" {
		prefix += where + ": "
	}
	bad := func(err error) error {
		return invalid(ErrInvalidPolicy, "%snot a JSON object: %v", prefix, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, bad(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, bad(errors.New("does not start with {"))
	}
	var fields []field
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, bad(errors.New("member name is not a string"))
		}
		name := strings.ToLower(key)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, bad(err)
		}
		if seen[name] {
			return nil, invalid(ErrInvalidPolicy, "%selement %s given twice", prefix, quote(name))
		}
		seen[name] = true
		fields = append(fields, field{name: name, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad(errors.New("data after the object"))
	}
	return fields, nil
}
