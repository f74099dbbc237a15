package cosemu

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAuthentication covers every way a request fails before its policy is
// read, each with COS's code and status.
func TestAuthentication(t *testing.T) {
	put := func() *http.Request {
		return request(http.MethodPut, "/uploads/a.png", []byte("png"), map[string]string{"Content-Type": "image/png"})
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"signed", func() *http.Request { return signed(put()) }, 200, ""},
		{"anonymous", put, 403, "AccessDenied"},
		{"unknown SecretId", func() *http.Request {
			return signAs(put(), "AKIDunknown", testSecret, testToken, testNow, testNow.Add(time.Hour))
		}, 403, "InvalidAccessKeyId"},
		{"temporary key without its token", func() *http.Request {
			return signAs(put(), testID, testSecret, "", testNow, testNow.Add(time.Hour))
		}, 403, "InvalidAccessKeyId"},
		{"another token", func() *http.Request {
			return signAs(put(), testID, testSecret, "othertoken", testNow, testNow.Add(time.Hour))
		}, 400, "InvalidToken"},
		{"wrong secret key", func() *http.Request {
			return signAs(put(), testID, "not-the-secret", testToken, testNow, testNow.Add(time.Hour))
		}, 403, "SignatureDoesNotMatch"},
		{"signature window over", func() *http.Request {
			return signAs(put(), testID, testSecret, testToken, testNow.Add(-2*time.Hour), testNow.Add(-time.Second))
		}, 403, "AccessDenied"},
		{"signature from the future", func() *http.Request {
			return signAs(put(), testID, testSecret, testToken, testNow.Add(time.Hour), testNow.Add(2*time.Hour))
		}, 403, "RequestTimeTooSkewed"},
		{"header changed after signing", func() *http.Request {
			r := signed(put())
			r.Header.Set("Content-Type", "image/gif")
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"malformed", func() *http.Request {
			r := put()
			r.Header.Set("Authorization", "q-sign-algorithm=md5&q-ak=x")
			return r
		}, 400, "InvalidArgument"},
		{"unknown bucket", func() *http.Request {
			r := signed(put())
			r.Host = "otherbucket-1250000000.cos.ap-guangzhou.myqcloud.com"
			return r
		}, 404, "NoSuchBucket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, uploadsPolicy)
			rec := f.do(tc.req())
			if rec.Code != tc.status || errorCode(t, rec) != tc.code {
				t.Errorf("status %d %q; want %d %q: %s", rec.Code, errorCode(t, rec), tc.status, tc.code, rec.Body)
			}
		})
	}
}

func TestExpiredToken(t *testing.T) {
	now := testNow
	f := newFixture(t, uploadsPolicy, func(o *Options) { o.Now = func() time.Time { return now } })
	r := func() *http.Request {
		return signed(request(http.MethodGet, "/uploads/a.png", nil, nil))
	}
	if rec := f.do(r()); rec.Code != 404 {
		t.Fatalf("before expiry: status %d %s; want 404 NoSuchKey", rec.Code, rec.Body)
	}
	now = testNow.Add(time.Hour) // the key's expiry, inside the signature's window
	if rec := f.do(r()); rec.Code != 400 || errorCode(t, rec) != "ExpiredToken" {
		t.Errorf("at expiry: status %d %s; want 400 ExpiredToken", rec.Code, rec.Body)
	}
}

func TestPresignedURL(t *testing.T) {
	f := newFixture(t, uploadsPolicy)
	f.s.objects[testBucket] = map[string]*object{"uploads/a.txt": newObject([]byte("hi"), "text/plain", testNow)}
	r := signAs(request(http.MethodGet, "/uploads/a.txt", nil, nil), testID, testSecret, "", testNow, testNow.Add(time.Hour))
	q := r.URL.Query()
	for _, kv := range strings.Split(r.Header.Get("Authorization"), "&") {
		k, v, _ := strings.Cut(kv, "=")
		q.Set(k, v)
	}
	q.Set("x-cos-security-token", testToken)
	r.Header.Del("Authorization")
	r.URL.RawQuery = q.Encode()
	if rec := f.do(r); rec.Code != 200 || rec.Body.String() != "hi" {
		t.Errorf("presigned GET: status %d %q; want 200 hi", rec.Code, rec.Body)
	}
	q.Del("x-cos-security-token")
	r.URL.RawQuery = q.Encode()
	if rec := f.do(r); rec.Code != 403 || errorCode(t, rec) != "InvalidAccessKeyId" {
		t.Errorf("presigned GET without token: status %d %s; want 403 InvalidAccessKeyId", rec.Code, rec.Body)
	}
}

// TestPolicyConditions sends requests that differ only in what the avatar
// scope's conditions read: size, type and source address.
func TestPolicyConditions(t *testing.T) {
	avatar := `{"version":"2.0","statement":[` +
		`{"effect":"allow","action":["name/cos:PutObject"],"resource":["` + testRes + `avatars/*"],` +
		`"condition":{"numeric_less_than_equal":{"cos:content-length":10},"string_like":{"cos:content-type":["image/*"]},"ip_equal":{"qcs:ip":["192.0.2.10"]}}},` +
		`{"effect":"allow","action":["name/cos:InitiateMultipartUpload"],"resource":["` + testRes + `avatars/*"],` +
		`"condition":{"string_like":{"cos:content-type":["image/*"]}}}]}`
	tests := []struct {
		name   string
		method string
		target string
		body   string
		ctype  string
		from   string
		status int
	}{
		{"small png", "PUT", "/avatars/a.png", "0123456789", "image/png", "", 200},
		{"one byte too many", "PUT", "/avatars/a.png", "0123456789A", "image/png", "", 403},
		{"html", "PUT", "/avatars/a.html", "<p>", "text/html", "", 403},
		{"no content type", "PUT", "/avatars/a.png", "png", "", "", 403},
		{"another address", "PUT", "/avatars/a.png", "png", "image/png", "198.51.100.1:5000", 403},
		{"outside the folder", "PUT", "/other/a.png", "png", "image/png", "", 403},
		{"not granted", "DELETE", "/avatars/a.png", "", "", "", 403},
		{"initiate an image", "POST", "/avatars/big.png?uploads", "", "image/png", "", 200},
		{"initiate html", "POST", "/avatars/big.html?uploads", "", "text/html", "", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, avatar)
			h := map[string]string{}
			if tc.ctype != "" {
				h["Content-Type"] = tc.ctype
			}
			var body []byte
			if tc.body != "" || tc.method == "PUT" {
				body = []byte(tc.body)
			}
			r := request(tc.method, tc.target, body, h)
			if tc.from != "" {
				r.RemoteAddr = tc.from
			}
			rec := f.do(signed(r))
			if rec.Code != tc.status {
				t.Errorf("status %d %s; want %d", rec.Code, rec.Body, tc.status)
			}
			if tc.status == 403 && errorCode(t, rec) != "AccessDenied" {
				t.Errorf("code %q; want AccessDenied", errorCode(t, rec))
			}
		})
	}
}

func TestObjectLifecycle(t *testing.T) {
	f := newFixture(t, uploadsPolicy)
	body := []byte("hello, cos")
	if rec := f.do(signed(request("PUT", "/uploads/x/hello.txt", body, map[string]string{"Content-Type": "text/plain"}))); rec.Code != 200 || rec.Header().Get("ETag") == "" || rec.Header().Get("x-cos-hash-crc64ecma") == "" {
		t.Fatalf("PUT: %d %v; want 200 with ETag and CRC64", rec.Code, rec.Header())
	}
	rec := f.do(signed(request("GET", "/uploads/x/hello.txt", nil, nil)))
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), body) || rec.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("GET: %d %q %q; want the object back", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
	if rec := f.do(signed(request("HEAD", "/uploads/x/hello.txt", nil, nil))); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "10" {
		t.Errorf("HEAD: %d, %d body bytes, Content-Length %q; want 200, none, 10", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
	if rec := f.do(signed(request("DELETE", "/uploads/x/hello.txt", nil, nil))); rec.Code != 204 {
		t.Errorf("DELETE: %d; want 204", rec.Code)
	}
	if rec := f.do(signed(request("GET", "/uploads/x/hello.txt", nil, nil))); rec.Code != 404 || errorCode(t, rec) != "NoSuchKey" {
		t.Errorf("GET after DELETE: %d %s; want 404 NoSuchKey", rec.Code, rec.Body)
	}
	big := bytes.Repeat([]byte("x"), 3<<20+1)
	if rec := f.do(signed(request("PUT", "/uploads/big", big, nil))); rec.Code != 400 || errorCode(t, rec) != "EntityTooLarge" {
		t.Errorf("PUT above the cap: %d %s; want 400 EntityTooLarge", rec.Code, rec.Body)
	}
	if got := f.s.Requests(); len(got) != 6 || got[0].Action != actionPutObject || got[0].SecretID != testID || got[5].Code != "EntityTooLarge" {
		t.Errorf("Requests = %+v; want the six requests with their actions and codes", got)
	}
}
