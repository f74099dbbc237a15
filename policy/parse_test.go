package policy

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	res := "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/a/*"
	tests := []struct {
		name string
		in   string
		want Policy
	}{
		{"Build's own shape",
			`{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["` + res + `"]}]}`,
			Policy{Version: "2.0", Statement: []Statement{{Effect: "allow", Action: []string{"name/cos:GetObject"}, Resource: []string{res}}}}},
		{"strings for lists, capitals, one statement object, sid",
			`{"Version":"2.0","Statement":{"Sid":"x","Effect":"Allow","Action":"name/cos:*","Resource":"*"}}`,
			Policy{Version: "2.0", Statement: []Statement{{Effect: "allow", Action: []string{"name/cos:*"}, Resource: []string{"*"}}}}},
		{"deny, condition kept compact, null condition dropped",
			`{"version":"2.0","statement":[
			  {"effect":"DENY","action":["*"],"resource":["*"],"condition":{ "ip_not_equal" : {"qcs:ip":["10.0.0.0/8"]} }},
			  {"effect":"allow","action":["*"],"resource":["*"],"condition":null}]}`,
			Policy{Version: "2.0", Statement: []Statement{
				{Effect: "deny", Action: []string{"*"}, Resource: []string{"*"},
					Condition: json.RawMessage(`{"ip_not_equal":{"qcs:ip":["10.0.0.0/8"]}}`)},
				{Effect: "allow", Action: []string{"*"}, Resource: []string{"*"}},
			}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse = %#v; want %#v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	stmt := `{"effect":"allow","action":"*","resource":"*"}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"not JSON", `nope`, `policy: not a JSON object: invalid character 'o' in literal null (expecting 'u')`},
		{"a list", `[]`, `policy: not a JSON object: does not start with {`},
		{"trailing data", `{"version":"2.0","statement":[` + stmt + `]} {}`, `policy: not a JSON object: data after the object`},
		{"empty", ``, `policy: not a JSON object: EOF`},
		{"principal at the top", `{"version":"2.0","principal":{"qcs":["*"]},"statement":[` + stmt + `]}`,
			`policy: a "principal" element is not allowed in an STS policy`},
		{"principal in a statement",
			`{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*"}]}`,
			`policy: statement 1: a "principal" element is not allowed in an STS policy`},
		{"no statement", `{"version":"2.0"}`, `policy: no statements`},
		{"empty statement list", `{"version":"2.0","statement":[]}`, `policy: no statements`},
		{"null statement", `{"version":"2.0","statement":null}`, `policy: no statements`},
		{"no version", `{"statement":[` + stmt + `]}`, `policy: missing "version"`},
		{"old version", `{"version":"1.0","statement":[` + stmt + `]}`, `policy: version must be "2.0"`},
		{"numeric version", `{"version":2.0,"statement":[` + stmt + `]}`, `policy: version must be "2.0"`},
		{"unknown top element", `{"version":"2.0","statement":[` + stmt + `],"extra":1}`, `policy: unknown element "extra"`},
		{"repeated element in another case", `{"version":"2.0","Version":"2.0","statement":[` + stmt + `]}`,
			`policy: element "version" given twice`},
		{"repeated effect", `{"version":"2.0","statement":[{"effect":"deny","effect":"allow","action":"*","resource":"*"}]}`,
			`policy: statement 1: element "effect" given twice`},
		{"unknown statement element", `{"version":"2.0","statement":[` + stmt + `,{"effect":"allow","notaction":"*","resource":"*"}]}`,
			`policy: statement 2: unknown element "notaction"`},
		{"bad effect", `{"version":"2.0","statement":[{"effect":"permit","action":"*","resource":"*"}]}`,
			`policy: statement 1: effect "permit": want allow or deny`},
		{"effect not a string", `{"version":"2.0","statement":[{"effect":true,"action":"*","resource":"*"}]}`,
			`policy: statement 1: "effect" must be a string`},
		{"missing effect", `{"version":"2.0","statement":[{"action":"*","resource":"*"}]}`,
			`policy: statement 1: missing "effect"`},
		{"missing action", `{"version":"2.0","statement":[{"effect":"allow","resource":"*"}]}`,
			`policy: statement 1: missing "action"`},
		{"missing resource", `{"version":"2.0","statement":[{"effect":"allow","action":"*"}]}`,
			`policy: statement 1: missing "resource"`},
		{"empty action list", `{"version":"2.0","statement":[{"effect":"allow","action":[],"resource":"*"}]}`,
			`policy: statement 1: "action" is empty`},
		{"empty resource string", `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":""}]}`,
			`policy: statement 1: "resource" holds an empty string`},
		{"null in a list", `{"version":"2.0","statement":[{"effect":"allow","action":["*",null],"resource":"*"}]}`,
			`policy: statement 1: "action" holds an empty string`},
		{"number action", `{"version":"2.0","statement":[{"effect":"allow","action":1,"resource":"*"}]}`,
			`policy: statement 1: "action" must be a string or a list of strings`},
		{"null resource", `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":null}]}`,
			`policy: statement 1: "resource" must be a string or a list of strings`},
		{"condition not an object", `{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":[]}]}`,
			`policy: statement 1: "condition" must be an object`},
		{"statement not an object", `{"version":"2.0","statement":["allow"]}`,
			`policy: statement 1: not a JSON object: does not start with {`},
		{"statement a number", `{"version":"2.0","statement":3}`,
			`policy: "statement" must be an object or a list of objects`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.in)
			checkErr(t, err, tc.wantErr, ErrInvalidPolicy)
			if !reflect.DeepEqual(p, Policy{}) {
				t.Errorf("Parse = %#v; want the zero Policy", p)
			}
		})
	}
}
