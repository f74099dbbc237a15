package policy

import (
	"bytes"
	"encoding/json"
	"slices"
)

// statements splits actions so that each condition sits only on the actions
// it applies to, content statement first. The actions are those
// UsableActions kept, so every action in the content statement carries
// every content condition c sets (see sizeConditioned and typeConditioned).
func statements(actions, resources []string, c Conditions) ([]Statement, error) {
	var content, other []string
	for _, a := range actions {
		if contentConditioned(a, c) {
			content = append(content, a)
		} else {
			other = append(other, a)
		}
	}
	var out []Statement
	for _, part := range []struct {
		actions     []string
		withContent bool
	}{{content, true}, {other, false}} {
		if len(part.actions) == 0 {
			continue
		}
		cond, err := conditionJSON(c, part.withContent)
		if err != nil {
			return nil, err
		}
		out = append(out, Statement{Effect: "allow", Action: part.actions, Resource: slices.Clone(resources),
			Condition: cond})
	}
	return out, nil
}

// camCondition is a CAM condition block. Its fields are in the order they are
// written, so the text is the same every time; the value shapes follow
// Tencent's examples: content-length a number, content types and IPs lists.
type camCondition struct {
	NumericLessThanEqual *contentLengthValue `json:"numeric_less_than_equal,omitempty"`
	StringLike           *contentTypeValue   `json:"string_like,omitempty"`
	IPEqual              *sourceIPValue      `json:"ip_equal,omitempty"`
}

type contentLengthValue struct {
	ContentLength int64 `json:"cos:content-length"`
}

type contentTypeValue struct {
	ContentType []string `json:"cos:content-type"`
}

type sourceIPValue struct {
	IP []string `json:"qcs:ip"`
}

// conditionJSON renders the conditions of one statement, nil when there are
// none; withContent adds the size and type conditions.
func conditionJSON(c Conditions, withContent bool) (json.RawMessage, error) {
	var block camCondition
	if withContent && c.MaxContentLength > 0 {
		block.NumericLessThanEqual = &contentLengthValue{ContentLength: c.MaxContentLength}
	}
	if withContent && len(c.ContentTypes) > 0 {
		block.StringLike = &contentTypeValue{ContentType: c.ContentTypes}
	}
	if c.SourceIP != "" {
		block.IPEqual = &sourceIPValue{IP: []string{c.SourceIP}}
	}
	if block == (camCondition{}) {
		return nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as Policy.JSON, so that Parse(JSON()) gives the same bytes back
	if err := enc.Encode(block); err != nil {
		return nil, invalid(ErrInvalidPolicy, "policy: encode condition: %v", err)
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
