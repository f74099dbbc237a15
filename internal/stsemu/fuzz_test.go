package stsemu

import (
	"encoding/json"
	"net/url"
	"testing"
)

// FuzzCheckPolicy: any Policy parameter is either refused with a policy error
// code or is URL-encoded JSON whose resources all lie under the APPID.
func FuzzCheckPolicy(f *testing.F) {
	f.Add(goodPolicy())
	f.Add(`{"version":"2.0"}`)
	f.Add(url.QueryEscape(`{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}`))
	f.Fuzz(func(t *testing.T, raw string) {
		e := checkPolicy(raw, testAppID)
		if e != nil {
			switch e.Code {
			case codePolicyFormat, codeResourceError, codeGrantOther:
			default:
				t.Fatalf("checkPolicy(%q) code %q; want a policy error code", raw, e.Code)
			}
			return
		}
		text, err := url.QueryUnescape(raw)
		if err != nil || !json.Valid([]byte(text)) {
			t.Fatalf("checkPolicy accepted %q, which is not URL-encoded JSON", raw)
		}
	})
}

// FuzzParseAuthorization: parsing never panics, and what it accepts names a
// SecretId and signs content-type and host.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("TC3-HMAC-SHA256 Credential=AKID/2026-03-01/sts/tc3_request, SignedHeaders=content-type;host, Signature=ab")
	f.Add("TC3-HMAC-SHA256 Credential=//, SignedHeaders=, Signature=")
	f.Fuzz(func(t *testing.T, h string) {
		a, ok := parseAuthorization(h)
		if ok && (a.SecretID == "" || !contains(a.Signed, "host") || !contains(a.Signed, "content-type")) {
			t.Fatalf("parseAuthorization(%q) = %+v; want a SecretId and content-type;host signed", h, a)
		}
	})
}
