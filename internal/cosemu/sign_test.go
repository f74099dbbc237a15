package cosemu

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Tencent's "请求签名" (Request Signature) guide works two requests through
// by hand, with this key pair; the signatures below are the guide's.
const (
	docSecretID  = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
	docSecretKey = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
	docHost      = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
)

// docVectors are the guide's PUT Object and GET Object examples.
var docVectors = []struct {
	name, method, target, body string
	headers                    map[string]string
	authorization              string
	at                         time.Time
}{
	{
		name: "PUT Object", method: http.MethodPut, target: "/exampleobject(腾讯云)", body: "ObjectContent",
		headers: map[string]string{
			"Date": "Thu, 16 May 2019 06:45:51 GMT", "Content-Type": "text/plain", "Content-Length": "13",
			"Content-MD5": "mQ/fVh815F3k6TAUm8m0eg==", "x-cos-acl": "private", "x-cos-grant-read": `uin="100000000011"`,
		},
		authorization: "q-sign-algorithm=sha1&q-ak=" + docSecretID + "&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351" +
			"&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read&q-url-param-list=" +
			"&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172",
		at: time.Unix(1557989151, 0),
	},
	{
		name: "GET Object", method: http.MethodGet,
		target:  "/exampleobject(腾讯云)?response-content-type=application%2Foctet-stream&response-cache-control=max-age%3D600",
		headers: map[string]string{"Date": "Thu, 16 May 2019 06:55:53 GMT"},
		authorization: "q-sign-algorithm=sha1&q-ak=" + docSecretID + "&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953" +
			"&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type" +
			"&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012",
		at: time.Unix(1557989753, 0),
	},
}

// TestDocumentedSignatures computes the guide's two signatures from their
// parts, and has the emulator accept the guide's requests as signed there,
// and refuse them with one signed header changed.
func TestDocumentedSignatures(t *testing.T) {
	allowAll := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:*"],"resource":["*"]}]}`
	for _, v := range docVectors {
		t.Run(v.name, func(t *testing.T) {
			a, err := parseAuthorization(v.authorization)
			if err != nil {
				t.Fatalf("parseAuthorization: %v", err)
			}
			u, _ := url.Parse(v.target)
			var hs []pair
			for k, val := range v.headers {
				hs = append(hs, pair{strings.ToLower(k), val})
			}
			hs = append(hs, pair{"host", docHost})
			got := sign(docSecretKey, a.KeyTime, stringToSign(a.SignTime, v.method, u.Path,
				canonical(a.ParamList, queryPairs(u.Query())), canonical(a.HeaderList, hs)))
			if got != a.Signature {
				t.Errorf("signature = %s; want the guide's %s", got, a.Signature)
			}

			s := New(Options{
				Buckets: []Bucket{{Name: "examplebucket-1250000000", Region: "ap-beijing"}},
				Keys: func(id string) (Key, bool) {
					return Key{SecretKey: docSecretKey, Policy: allowAll}, id == docSecretID
				},
				Now: func() time.Time { return v.at },
			})
			s.objects["examplebucket-1250000000"] = map[string]*object{"exampleobject(腾讯云)": newObject([]byte("ObjectContent"), "text/plain", v.at)}
			send := func(tamper string) *httptest.ResponseRecorder {
				r := httptest.NewRequest(v.method, "http://"+docHost+v.target, strings.NewReader(v.body))
				for k, val := range v.headers {
					r.Header.Set(k, val)
				}
				if tamper != "" {
					r.Header.Set("Date", tamper)
				}
				r.Header.Set("Authorization", v.authorization)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, r)
				return rec
			}
			if rec := send(""); rec.Code != http.StatusOK {
				t.Errorf("the guide's request: status %d %s; want 200", rec.Code, rec.Body)
			}
			if rec := send("Thu, 16 May 2019 07:00:00 GMT"); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
				t.Errorf("with Date changed: status %d %s; want 403 SignatureDoesNotMatch", rec.Code, rec.Body)
			}
		})
	}
}

func TestParseAuthorizationRefusesMalformed(t *testing.T) {
	good := "q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=ab"
	tests := []struct{ name, auth string }{
		{"another algorithm", strings.Replace(good, "sha1", "sha256", 1)},
		{"no signature", strings.Replace(good, "&q-signature=ab", "", 1)},
		{"no ak", strings.Replace(good, "q-ak=AKID", "q-ak=", 1)},
		{"bad sign time", strings.Replace(good, "q-sign-time=1;2", "q-sign-time=2;1", 1)},
		{"bad key time", strings.Replace(good, "q-key-time=1;2", "q-key-time=soon", 1)},
	}
	if _, err := parseAuthorization(good); err != nil {
		t.Fatalf("parseAuthorization(good) = %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseAuthorization(tc.auth); err == nil {
				t.Errorf("parseAuthorization(%q) = nil error; want malformed", tc.auth)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	for in, want := range map[string]string{
		"azAZ09-_.~": "azAZ09-_.~", "a b": "a%20b", "/": "%2F", "腾": "%E8%85%BE", "max-age=600": "max-age%3D600", `"!'()*`: "%22%21%27%28%29%2A",
	} {
		if got := encode(in); got != want {
			t.Errorf("encode(%q) = %q; want %q", in, got, want)
		}
	}
}
