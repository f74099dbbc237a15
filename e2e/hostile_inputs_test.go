package e2e_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestHostileNullIsRefusedEverywhere: {"dryRun": null} used to mint real credentials, because null decoded as
// false, while a null elsewhere was a 400. Null is a 400 for every parameter and every list item, and the
// message names null, so the caller learns what to remove.
func TestHostileNullIsRefusedEverywhere(t *testing.T) {
	h := newHarness(t, nil)
	for i, name := range []string{"scope", "prefixes", "keys", "actions", "durationSeconds", "format", "dryRun",
		"maxContentLength", "contentTypes", "claims"} {
		for _, shape := range []struct {
			how   string
			event []byte
		}{{"POST", hostilePost(`{"` + name + `":null}`)}, {"direct", []byte(`{"` + name + `":null}`)}} {
			r := hostileCall(t, h, shape.event, fmt.Sprintf("null-%d-%s", i, shape.how), nil)
			wantError(t, shape.how+" "+name+": null", r, 400, "InvalidParameter", name, "null")
		}
	}
	for i, body := range []string{`{"prefixes":["uploads/a/",null]}`, `{"keys":[null]}`, `{"actions":["upload",null]}`,
		`{"contentTypes":[null]}`} {
		r := hostileCall(t, h, hostilePost(body), fmt.Sprintf("null-item-%d", i), nil)
		wantError(t, body, r, 400, "InvalidParameter", "null")
	}
	if calls := h.emu.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times; a request holding null must mint nothing", len(calls))
	}
}

// TestHostileGetWithABody: a GET's body used to be ignored, so {"prefixes":["private/"]} sent with GET minted the
// whole default scope. docs/contract.md §1: a GET with a non-empty body is an error.
func TestHostileGetWithABody(t *testing.T) {
	h := newHarness(t, nil)
	r := hostileCall(t, h, hostileEvent("GET", nil, `{"prefixes":["uploads/a/"]}`, nil), "get-body", nil)
	wantError(t, "GET with a body", r, 400, "InvalidParameter", "GET", "body")
	// Whitespace carries no parameter: what some clients send with every GET.
	r = hostileCall(t, h, hostileEvent("GET", map[string]any{"dryRun": "true"}, "\r\n", nil), "get-blank-body", nil)
	if r.status != 200 {
		t.Errorf("GET with a blank body: status %d; want 200 (%.300s)", r.status, r.raw)
	}
	if calls := h.emu.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times; want none", len(calls))
	}
}

// TestHostileQueryItemsAreTakenAsWritten: query-string list items used to be trimmed, Unicode spaces included, so
// keys=uploads/report%C2%A0 was granted uploads/report, a key the caller never wrote. Nothing is trimmed: an item
// with white space at either end is refused.
func TestHostileQueryItemsAreTakenAsWritten(t *testing.T) {
	h := newHarness(t, nil)
	for i, q := range []map[string]any{
		{"keys": "uploads/report\u00a0"},
		{"keys": " uploads/report"},
		{"prefixes": "uploads/a/,\tuploads/b/"},
		{"prefixes": []string{"uploads/a/", "uploads/b/\u2003"}},
	} {
		r := hostileCall(t, h, hostileEvent("GET", q, "", nil), fmt.Sprintf("trim-%d", i), nil)
		wantError(t, fmt.Sprintf("query %q", q), r, 400, "InvalidParameter", "space")
	}
	if calls := h.emu.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times; want none", len(calls))
	}
	// A key that really ends in a space goes, exactly as written, in a POST body.
	r := hostileCall(t, h, hostilePost(`{"keys":["uploads/report "],"dryRun":true}`), "trim-post", nil)
	if keys, _ := r.data()["keys"].([]any); r.status != 200 || len(keys) != 1 || keys[0] != "uploads/report " {
		t.Errorf("POST of a key ending in a space: status %d, keys %v; want 200 and the key as written", r.status, r.data()["keys"])
	}
}

// TestHostileMessagesNameTheRealProblem: a body starting with a UTF-8 byte order mark got "invalid character 'ï'",
// a null integer "must be a whole number, not ", and the unknown-parameter hint left out claims.
func TestHostileMessagesNameTheRealProblem(t *testing.T) {
	h := newHarness(t, nil)
	r := hostileCall(t, h, hostilePost("\uFEFF{\"dryRun\":true}"), "bom", nil)
	wantError(t, "a body with a BOM", r, 400, "InvalidParameter", "byte order mark")
	if strings.Contains(r.message(), "ï") {
		t.Errorf("the BOM message %q still shows the mojibake of the BOM", r.message())
	}
	r = hostileCall(t, h, hostilePost(`{"durationSeconds":null}`), "null-int", nil)
	wantError(t, "a null integer", r, 400, "InvalidParameter", "durationSeconds", "null")
	r = hostileCall(t, h, hostilePost(`{"scpoe":"default"}`), "unknown", nil)
	wantError(t, "an unknown parameter", r, 400, "InvalidParameter", "scpoe", "contentTypes", "claims")
}
