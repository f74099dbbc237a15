package handler

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// skimCases are events whose shape skimShape must tell as classify does.
var skimCases = []string{
	`{"httpMethod":"GET","requestContext":{"requestId":"r"}}`,
	`{"requestContext":{"a":[1,{"b":"}"}]},"body":"x\"}","httpMethod":"POST"}`,
	`{"httpMethod":"POST","headers":{}}`,
	`{"httpMethod":"GET","requestContext":null}`,
	`{"httpMethod":"GET","requestContext":[]}`,
	`{"httpMethod":null,"requestContext":{}}`,
	`{"httpMethod":1}`,
	`{"HTTPMETHOD":"GET","RequestContext":{}}`,
	`{"httpMethod":"GET","httpMethod":2}`,
	`{"httpMethod":2,"httpMethod":"GET"}`,
	` { "body" : "{\"httpMethod\":\"GET\"}" , "x" : [ "]" , "\\" ] , "httpMethod" : "PUT" } `,
	`{"prefixes":["a/"]}`, `{}`, ``, `[1]`, `"x"`, `null`, `{"a":true,"httpMethod":"GET"}`,
	`{"a":-1.5e3,"httpMethod":"GET","requestContext":{"x":false}}`,
}

func TestSkimShapeAgreesWithClassify(t *testing.T) {
	for _, raw := range skimCases {
		if got, want := skimShape([]byte(raw)), classify([]byte(raw)); got != want {
			t.Errorf("skimShape(%s) = %q; classify says %q", raw, got, want)
		}
	}
}

// FuzzSkimShape: for any well-formed event whose member names are plain ASCII, skimShape, which answers the 400 of
// an event too large to read, tells the shape exactly as classify does, and it never reads past the end.
func FuzzSkimShape(f *testing.F) {
	for _, raw := range skimCases {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := skimShape(raw) // must not panic, whatever raw is
		if !json.Valid(raw) || bytes.ContainsRune(raw, '\\') || !utf8.Valid(raw) || !asciiNames(raw) {
			return
		}
		if want := classify(raw); got != want {
			t.Fatalf("skimShape(%s) = %q; classify says %q", raw, got, want)
		}
	})
}

// asciiNames reports whether every top-level member name of the object raw is ASCII: encoding/json folds a few
// non-ASCII letters (the Kelvin sign, the long s) onto ASCII ones when it matches names, which skimShape does not.
func asciiNames(raw []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return true
	}
	for name := range m {
		if strings.IndexFunc(name, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
			return false
		}
	}
	return true
}
