package policy

import (
	"bytes"
	"encoding/json"
)

// Version is the only CAM policy syntax version there is.
const Version = "2.0"

// Policy is a CAM policy document (docs/contract.md §6). Its element names are lower case
// and it has no principal: STS attaches the policy to the credentials it
// mints, and a principal there is an error.
type Policy struct {
	Version   string      `json:"version"`
	Statement []Statement `json:"statement"`
}

// Statement is one CAM statement. Effect is "allow" or "deny" (Parse lowers
// it). Condition is the CAM condition block as JSON: written by Build from
// Conditions, kept verbatim (compacted) by Parse, and read by AllowsRequest.
type Statement struct {
	Effect    string          `json:"effect"`
	Action    []string        `json:"action"`
	Resource  []string        `json:"resource"`
	Condition json.RawMessage `json:"condition,omitempty"`
}

// JSON encodes p compactly and deterministically (struct order, no maps), so
// that the same grant always yields byte-identical text: dry runs, golden
// files and credential caching all compare it. HTML escaping is off because
// the text goes to STS and to people, never into a page.
func (p Policy) JSON() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return "", invalid(ErrInvalidPolicy, "policy: encode: %v", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
