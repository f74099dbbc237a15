package cosemu

import (
	"net/http"
	"testing"
)

func TestCORS(t *testing.T) {
	preflight := func(origin, method, headers string) *http.Request {
		r := request("OPTIONS", "/uploads/a.png", nil, nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			r.Header.Set("Access-Control-Request-Headers", headers)
		}
		return r
	}
	tests := []struct {
		name            string
		origin, method  string
		headers         string
		status          int
		allowOrigin     string
		allowHeaders    string
		exposeAndMaxAge bool
	}{
		{"allowed", "https://app.example.com", "PUT", "authorization,content-type,x-cos-security-token", 200, "https://app.example.com", "authorization,content-type,x-cos-security-token", true},
		{"other origin", "https://evil.example.com", "PUT", "", 403, "", "", false},
		{"method not allowed", "https://app.example.com", "PATCH", "", 403, "", "", false},
		{"no origin", "", "PUT", "", 403, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, uploadsPolicy)
			rec := f.do(preflight(tc.origin, tc.method, tc.headers))
			h := rec.Header()
			if rec.Code != tc.status || h.Get("Access-Control-Allow-Origin") != tc.allowOrigin || h.Get("Access-Control-Allow-Headers") != tc.allowHeaders {
				t.Errorf("status %d, Allow-Origin %q, Allow-Headers %q; want %d %q %q", rec.Code,
					h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Headers"), tc.status, tc.allowOrigin, tc.allowHeaders)
			}
			if tc.status == 403 && errorCode(t, rec) != "AccessForbidden" {
				t.Errorf("code %q; want AccessForbidden", errorCode(t, rec))
			}
			if tc.exposeAndMaxAge && (h.Get("Access-Control-Expose-Headers") != "ETag" || h.Get("Access-Control-Max-Age") != "600") {
				t.Errorf("Expose-Headers %q, Max-Age %q; want ETag, 600", h.Get("Access-Control-Expose-Headers"), h.Get("Access-Control-Max-Age"))
			}
		})
	}
	// The answer to the request itself carries the headers too, even an error, so that the page can read why.
	f := newFixture(t, uploadsPolicy)
	r := signed(request("PUT", "/private/a.png", []byte("x"), nil))
	r.Header.Set("Origin", "https://app.example.com")
	rec := f.do(r)
	if rec.Code != 403 || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || rec.Header().Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("refused cross-origin PUT: %d, headers %v; want 403 with Allow-Origin and Expose-Headers", rec.Code, rec.Header())
	}
}

func TestOriginMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, origin string
		want            bool
	}{
		{"*", "http://x", true}, {"https://a.com", "https://A.com", true}, {"https://a.com", "https://a.com:8443", false},
		{"http://*.localhost:9002", "http://demo.localhost:9002", true}, {"http://*.a.com", "http://a.com", false},
	} {
		if got := originMatches(tc.pattern, tc.origin); got != tc.want {
			t.Errorf("originMatches(%q, %q) = %t; want %t", tc.pattern, tc.origin, got, tc.want)
		}
	}
}
