package handler

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseJSONParams(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    params
		wantErr string // substring of the InvalidParameter message; "" means success
	}{
		{"empty", ``, params{}, ""},
		{"null", `null`, params{}, "must be a JSON object"},
		{"invalid UTF-8", "{\"keys\":[\"a\xffb\"]}", params{}, "not valid UTF-8"},
		{"empty object", `{}`, params{}, ""},
		{"all fields", `{"scope":"default","prefixes":["a/"],"keys":["a/b.png"],"actions":["upload"],"durationSeconds":900,"format":"sts","dryRun":true}`,
			params{Scope: "default", Prefixes: []string{"a/"}, Keys: []string{"a/b.png"}, Actions: []string{"upload"},
				HasPrefixes: true, HasKeys: true, HasActions: true, DurationSeconds: 900, HasDuration: true, Format: "sts", DryRun: true}, ""},
		{"empty list is named", `{"prefixes":[]}`, params{Prefixes: []string{}, HasPrefixes: true}, ""},
		{"unknown field", `{"prefix":["a/"]}`, params{}, `unknown parameter "prefix"`},
		{"repeated field", `{"scope":"a","scope":"b"}`, params{}, `"scope" is given more than once`},
		{"malformed", `{"prefixes":["a/"]`, params{}, "not valid JSON"},
		{"trailing garbage", `{} {}`, params{}, "unexpected data after the object"},
		{"not an object", `["a/"]`, params{}, "must be a JSON object"},
		{"string for list", `{"prefixes":"a/"}`, params{}, `"prefixes" must be a list of strings`},
		{"number in list", `{"keys":["a",1]}`, params{}, `"keys" must be a list of strings`},
		{"null list", `{"actions":null}`, params{}, `parameter "actions" is null`},
		{"null string", `{"scope":null}`, params{}, `parameter "scope" is null`},
		{"null bool", `{"dryRun":null}`, params{}, `parameter "dryRun" is null`},
		{"null number", `{"durationSeconds":null}`, params{}, `parameter "durationSeconds" is null`},
		{"null object", `{"claims":null}`, params{}, `parameter "claims" is null`},
		{"null item", `{"keys":["a",null]}`, params{}, `parameter "keys": item 1 is null`},
		{"byte order mark", "\uFEFF{}", params{}, "byte order mark"},
		{"list at the limit", `{"keys":[` + strings.Repeat(`"k",`, MaxListItems-1) + `"k"]}`,
			params{Keys: slices.Repeat([]string{"k"}, MaxListItems), HasKeys: true}, ""},
		{"list over the limit", `{"keys":[` + strings.Repeat(`"k",`, MaxListItems) + `"k"]}`, params{}, `"keys" lists more than 100 items`},
		{"hint names every parameter", `{"scpoe":"x"}`, params{},
			"scope, prefixes, keys, actions, durationSeconds, format, dryRun, maxContentLength, contentTypes and claims"},
		{"fractional duration", `{"durationSeconds":900.5}`, params{}, `"durationSeconds" must be a whole number`},
		{"string duration", `{"durationSeconds":"900"}`, params{}, `"durationSeconds" must be a whole number`},
		{"huge duration", `{"durationSeconds":1e400}`, params{}, `"durationSeconds" must be a whole number`},
		{"string bool", `{"dryRun":"true"}`, params{}, `"dryRun" must be true or false`},
		{"number scope", `{"scope":1}`, params{}, `"scope" must be a string`},
		{"conditions", `{"maxContentLength":5,"contentTypes":["image/png"]}`, params{MaxContentLength: 5, HasMaxContentLength: true, ContentTypes: []string{"image/png"}, HasContentTypes: true}, ""},
		{"claims", `{"claims":{"sub":"x"}}`, params{Claims: map[string]any{"sub": "x"}, HasClaims: true}, ""},
		{"claims not an object", `{"claims":"sub"}`, params{}, `"claims" must be an object`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseJSONParams([]byte(tc.in))
			checkParams(t, got, err, tc.want, tc.wantErr)
		})
	}
}

func TestParseQueryParams(t *testing.T) {
	tests := []struct {
		name    string
		in      string // the queryString object
		want    params
		wantErr string
	}{
		{"none", `{}`, params{}, ""},
		{"string list", `{"prefixes":"a/"}`, params{Prefixes: []string{"a/"}, HasPrefixes: true}, ""},
		{"repeated list", `{"prefixes":["a/","b/"]}`, params{Prefixes: []string{"a/", "b/"}, HasPrefixes: true}, ""},
		{"comma list", `{"actions":"upload,download"}`, params{Actions: []string{"upload", "download"}, HasActions: true}, ""},
		{"empty items skipped", `{"actions":",upload,,download,"}`, params{Actions: []string{"upload", "download"}, HasActions: true}, ""},
		{"space after a comma", `{"actions":"upload, download"}`, params{}, `item " download" begins or ends with white space`},
		{"no-break space", `{"keys":"uploads/report\u00a0"}`, params{}, "white space"},
		{"em space in a repeated item", `{"keys":["a","b\u2003"]}`, params{}, "white space"},
		{"inner space kept", `{"keys":"a b"}`, params{Keys: []string{"a b"}, HasKeys: true}, ""},
		{"list at the limit", `{"keys":"` + strings.Repeat("k,", MaxListItems-1) + `k"}`,
			params{Keys: slices.Repeat([]string{"k"}, MaxListItems), HasKeys: true}, ""},
		{"list over the limit", `{"keys":["k","` + strings.Repeat("k,", MaxListItems-1) + `k"]}`, params{}, `"keys" lists more than 100 items`},
		{"null value", `{"scope":null}`, params{}, `"scope" is null`},
		{"bare bool", `{"dryRun":true}`, params{DryRun: true}, ""},
		{"bool words", `{"dryRun":"0"}`, params{}, ""},
		{"bool one", `{"dryRun":"1"}`, params{DryRun: true}, ""},
		{"duration", `{"durationSeconds":"600"}`, params{DurationSeconds: 600, HasDuration: true}, ""},
		{"format", `{"format":"sts"}`, params{Format: "sts"}, ""},
		{"repeated single", `{"scope":["a","b"]}`, params{}, `"scope" is given more than once`},
		{"repeated single of one", `{"scope":["a"]}`, params{Scope: "a"}, ""},
		{"bare list", `{"prefixes":true}`, params{}, `"prefixes" has no value`},
		{"empty list", `{"keys":""}`, params{}, `"keys" has no value`},
		{"bare string", `{"scope":true}`, params{}, `"scope" has no value`},
		{"bad bool", `{"dryRun":"yes"}`, params{}, `"dryRun" must be true, false, 1 or 0`},
		{"bad int", `{"durationSeconds":"15m"}`, params{}, `"durationSeconds" must be a whole number`},
		{"unknown", `{"bucket":"x"}`, params{}, `unknown parameter "bucket"`},
		{"object value", `{"scope":{"a":1}}`, params{}, "must be a string, a list of strings or true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var q map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tc.in), &q); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			got, err := parseQueryParams(q)
			checkParams(t, got, err, tc.want, tc.wantErr)
		})
	}
}

func checkParams(t *testing.T, got params, err error, want params, wantErr string) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("err = %v; want none", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("params = %+v\nwant %+v", got, want)
		}
		return
	}
	if err == nil {
		t.Fatalf("params = %+v, no error; want InvalidParameter containing %q", got, wantErr)
	}
	e := asError(err)
	if e.Code != CodeInvalidParameter || !strings.Contains(e.Message, wantErr) {
		t.Fatalf("err = %v; want InvalidParameter containing %q", err, wantErr)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Shape
	}{
		{`{"httpMethod":"GET","requestContext":{"requestId":"r"}}`, ShapeAPIGateway},
		{`{"httpMethod":"POST","headers":{}}`, ShapeFunctionURL},
		{`{"httpMethod":"GET","requestContext":null}`, ShapeFunctionURL},
		{`{"prefixes":["a/"]}`, ShapeDirect},
		{`{"httpMethod":1}`, ShapeDirect},
		{`{}`, ShapeDirect},
		{``, ShapeDirect},
		{`[1]`, ShapeDirect},
		{`{bad`, ShapeDirect},
	}
	for _, tc := range tests {
		if got := classify([]byte(tc.in)); got != tc.want {
			t.Errorf("classify(%s) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeHTTPEvent(t *testing.T) {
	raw := `{"httpMethod":"POST","headers":{"Origin":"https://a.example","X-SCF-Remote-Addr":"203.0.113.7","authorization":["a","b"],"accept":"*/*"},
		"body":"eyJkcnlSdW4iOnRydWV9","isBase64Encoded":true,"queryString":{}}`
	ev, err := decodeHTTPEvent([]byte(raw), ShapeFunctionURL)
	if err != nil {
		t.Fatalf("decodeHTTPEvent: %v", err)
	}
	if ev.Method != "POST" || ev.Headers["origin"] != "https://a.example" || ev.SourceIP != "203.0.113.7" || ev.Headers["authorization"] != "a,b" {
		t.Errorf("event = %+v", ev)
	}
	if _, kept := ev.Headers["accept"]; kept {
		t.Errorf("Headers = %v; want only the headers the function reads", ev.Headers)
	}
	if string(ev.Body) != `{"dryRun":true}` {
		t.Errorf("Body = %q; want the base64-decoded body", ev.Body)
	}
	if _, err := decodeHTTPEvent([]byte(`{"httpMethod":"POST","body":"%%%","isBase64Encoded":true}`), ShapeFunctionURL); err == nil {
		t.Error("bad base64 accepted")
	}
	gw := `{"httpMethod":"GET","requestContext":{"requestId":"gw-1","sourceIp":"10.0.2.14"},"headers":{"x-scf-remote-addr":"1.2.3.4"}}`
	ev, err = decodeHTTPEvent([]byte(gw), ShapeAPIGateway)
	if err != nil || ev.RequestID != "gw-1" || ev.SourceIP != "10.0.2.14" {
		t.Errorf("API Gateway event = %+v, %v; want the requestContext's id and source IP", ev, err)
	}
}

// TestHeaderCaseDuplicates: header names are case-insensitive, so an event may carry one twice. The same value
// twice is one header; different values are refused, since which a map hands over last is chance.
func TestHeaderCaseDuplicates(t *testing.T) {
	tests := []struct {
		name    string
		headers string
		wantIP  string
		wantErr string
	}{
		{"platform's only", `{"x-scf-remote-addr":"203.0.113.7"}`, "203.0.113.7", ""},
		{"same value in two spellings", `{"x-scf-remote-addr":"203.0.113.7","X-Scf-Remote-Addr":"203.0.113.7"}`, "203.0.113.7", ""},
		{"two addresses", `{"x-scf-remote-addr":"203.0.113.7","X-Scf-Remote-Addr":"198.51.100.9"}`, "", "header x-scf-remote-addr is given twice"},
		{"three spellings, one differs", `{"X-SCF-REMOTE-ADDR":"1.1.1.1","x-scf-remote-addr":"203.0.113.7","X-Scf-Remote-Addr":"203.0.113.7"}`, "", "x-scf-remote-addr"},
		{"two tokens", `{"Authorization":"Bearer a","authorization":"Bearer b","x-scf-remote-addr":"203.0.113.7"}`, "", "header authorization is given twice"},
		{"two origins", `{"Origin":"https://a.example","ORIGIN":"https://b.example"}`, "", "header origin is given twice"},
		{"unread headers may differ", `{"Accept":"a","accept":"b","x-scf-remote-addr":"203.0.113.7"}`, "203.0.113.7", ""},
		// A list of several addresses is joined, and so is no address at all: bindSourceIp refuses it (403).
		{"a list of addresses", `{"x-scf-remote-addr":["203.0.113.7","198.51.100.9"]}`, "203.0.113.7,198.51.100.9", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 { // map order varies between runs; the answer must not
				ev, err := decodeHTTPEvent([]byte(`{"httpMethod":"GET","headers":`+tc.headers+`}`), ShapeFunctionURL)
				if tc.wantErr != "" {
					if e := asError(err); err == nil || e.Code != CodeInvalidParameter || !strings.Contains(e.Message, tc.wantErr) {
						t.Fatalf("err = %v; want InvalidParameter containing %q", err, tc.wantErr)
					}
					continue
				}
				if err != nil || ev.SourceIP != tc.wantIP {
					t.Fatalf("event = %+v, %v; want source IP %q", ev, err, tc.wantIP)
				}
			}
		})
	}
}
