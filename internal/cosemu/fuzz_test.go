package cosemu

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParsePolicy: whatever text a key's policy holds, reading it never panics, and a policy it reads answers
// any request without panicking, a statement with no matching action allowing nothing.
func FuzzParsePolicy(f *testing.F) {
	f.Add(uploadsPolicy, "name/cos:PutObject", testRes+"uploads/a", "10", "image/png", "192.0.2.1")
	f.Add(`{"version":"2.0","statement":{"effect":"deny","action":"*","resource":"*","condition":{"ip_not_equal_if_exist":{"qcs:ip":["10.0.0.0/8",1,true]}}}}`,
		"name/cos:GetObject", "*", "", "", "::1")
	f.Add(`{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:*","resource":"*","condition":{"string_like":{"cos:content-type":"*?*"}}}]}`,
		"x", "y", "1e309", "\xff", "not-an-ip")
	f.Fuzz(func(t *testing.T, text, action, resource, length, ctype, ip string) {
		p, err := parsePolicy(text)
		if err != nil {
			return
		}
		ctx := map[string]string{keyContentLength: length, keyContentType: ctype, keySourceIP: ip}
		p.allows(action, resource, ctx)
		p.allows(action, resource, map[string]string{})
		if p.allows("name/cos:"+strings.Repeat("Z", 3)+"\x00", resource, ctx) {
			for _, st := range p.statements {
				if !st.deny && matchesAny(st.actions, "name/cos:ZZZ\x00", true) {
					return
				}
			}
			t.Errorf("an action no statement names is allowed by %s", text)
		}
	})
}

// FuzzAuthorization: any Authorization header is refused cleanly (an XML error, never a panic) unless it is a
// valid signature, which a fuzzer does not find.
func FuzzAuthorization(f *testing.F) {
	f.Add(signed(request("GET", "/uploads/a", nil, nil)).Header.Get("Authorization"), "GET", "/uploads/a?x=1")
	f.Add("q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=", "PUT", "/")
	f.Fuzz(func(t *testing.T, auth, method, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") || len(method) == 0 || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		fx := newFixture(t, uploadsPolicy)
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic on %q %s %s: %v", auth, method, target, r)
			}
		}()
		r := httptest.NewRequest(http.MethodGet, "http://"+testHost+"/", nil)
		r.Method = method
		if u, err := r.URL.Parse(target); err == nil {
			r.URL = u
		}
		r.Header.Set("Authorization", auth)
		r.Header.Set("x-cos-security-token", testToken)
		rec := httptest.NewRecorder()
		fx.s.ServeHTTP(rec, r)
		if rec.Code < 400 && method != http.MethodOptions && auth != signed(request("GET", "/uploads/a", nil, nil)).Header.Get("Authorization") {
			t.Errorf("%q %s %s: status %d; want refused", auth, method, target, rec.Code)
		}
	})
}
