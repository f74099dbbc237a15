package main

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestFunctionURLEvent(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string
		headers [][2]string
		body    string
		remote  string
		want    urlEvent
	}{
		{
			name:   "GET with single, repeated and bare query names",
			method: "GET",
			target: "/sts?prefixes=uploads/a/&prefixes=uploads/b/&actions=upload&dryRun&empty=",
			remote: "192.0.2.10:51234",
			want: urlEvent{
				Body:       "",
				Headers:    map[string]string{"host": "example.com", "x-scf-remote-addr": "192.0.2.10"},
				HTTPMethod: "GET",
				Path:       "/sts",
				QueryString: map[string]any{
					"prefixes": []string{"uploads/a/", "uploads/b/"},
					"actions":  "upload",
					"dryRun":   true,
					"empty":    "",
				},
			},
		},
		{
			name:    "POST: headers lower-cased, repeated ones joined, spoofed remote addr replaced",
			method:  "POST",
			target:  "/",
			headers: [][2]string{{"Content-Type", "application/json"}, {"X-Multi", "a"}, {"X-Multi", "b"}, {"X-Scf-Remote-Addr", "1.2.3.4"}},
			body:    `{"prefixes":["uploads/alice/"]}`,
			remote:  "[2001:db8::1]:443",
			want: urlEvent{
				Body: `{"prefixes":["uploads/alice/"]}`,
				Headers: map[string]string{
					"content-type": "application/json", "x-multi": "a,b",
					"host": "example.com", "x-scf-remote-addr": "2001:db8::1",
				},
				HTTPMethod:  "POST",
				Path:        "/",
				QueryString: map[string]any{},
			},
		},
		{
			name:   "binary body is base64 and flagged",
			method: "PUT",
			target: "/up",
			body:   "\xff\xfe\x00",
			remote: "192.0.2.10:1",
			want: urlEvent{
				Body:            "//4A",
				IsBase64Encoded: true,
				Headers:         map[string]string{"host": "example.com", "x-scf-remote-addr": "192.0.2.10"},
				HTTPMethod:      "PUT",
				Path:            "/up",
				QueryString:     map[string]any{},
			},
		},
		{
			name:   "percent-encoding decoded, a bad escape kept as sent",
			method: "GET",
			target: "/?keys=uploads%2Fa%20b.txt&bad=%zz",
			remote: "192.0.2.10:1",
			want: urlEvent{
				Headers:     map[string]string{"host": "example.com", "x-scf-remote-addr": "192.0.2.10"},
				HTTPMethod:  "GET",
				Path:        "/",
				QueryString: map[string]any{"keys": "uploads/a b.txt", "bad": "%zz"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://example.com"+tc.target, strings.NewReader(tc.body))
			r.RemoteAddr = tc.remote
			for _, h := range tc.headers {
				r.Header.Add(h[0], h[1])
			}
			got := functionURLEvent(r, []byte(tc.body))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("event = %#v; want %#v", got, tc.want)
			}
		})
	}
}

// TestFunctionURLEventJSON pins the wire names the handler reads (docs/contract.md §1).
func TestFunctionURLEventJSON(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.com/?dryRun", nil)
	b, err := json.Marshal(functionURLEvent(r, nil))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	for _, name := range []string{"body", "headers", "httpMethod", "path", "queryString"} {
		if _, ok := got[name]; !ok {
			t.Errorf("event %s lacks %q", b, name)
		}
	}
	for _, name := range []string{"requestContext", "isBase64Encoded"} {
		if _, ok := got[name]; ok {
			t.Errorf("event %s has %q; want it absent", b, name)
		}
	}
	if q := got["queryString"].(map[string]any); q["dryRun"] != true {
		t.Errorf("queryString.dryRun = %#v; want true", q["dryRun"])
	}
}
