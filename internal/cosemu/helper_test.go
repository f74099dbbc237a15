package cosemu

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Test identities: a temporary key with its token and policy, as STS issues them.
const (
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-guangzhou"
	testHost   = testBucket + ".cos." + testRegion + ".myqcloud.com"
	testID     = "AKIDtemporarykey000000000000000000"
	testSecret = "temporarysecret0000000000000000"
	testToken  = "sessiontoken000000000000000000000000000000"
	testRes    = "qcs::cos:" + testRegion + ":uid/1250000000:" + testBucket + "/"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// uploadsPolicy grants everything under uploads/.
var uploadsPolicy = `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:*"],"resource":["` + testRes + `uploads/*"]}]}`

type fixture struct {
	t *testing.T
	s *Server
}

func newFixture(t *testing.T, policy string, opts ...func(*Options)) *fixture {
	t.Helper()
	o := Options{
		Buckets: []Bucket{{Name: testBucket, Region: testRegion}},
		Keys: func(id string) (Key, bool) {
			return Key{SecretKey: testSecret, Token: testToken, Expires: testNow.Add(time.Hour), Policy: policy}, id == testID
		},
		Now:            func() time.Time { return testNow },
		MaxObjectBytes: 3 << 20,
		CORS: []CORSRule{{
			AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"PUT", "GET", "POST", "HEAD", "DELETE"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600,
		}},
	}
	for _, f := range opts {
		f(&o)
	}
	return &fixture{t: t, s: New(o)}
}

// request builds a request to the test bucket, signed with the test key
// over host and every header given, with the test token.
func request(method, target string, body []byte, headers map[string]string) *http.Request {
	r := httptest.NewRequest(method, "http://"+testHost+target, bytes.NewReader(body))
	if body == nil {
		r = httptest.NewRequest(method, "http://"+testHost+target, nil)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	if len(body) > 0 || method == http.MethodPut {
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	r.RemoteAddr = "192.0.2.10:40000"
	return r
}

// signed signs r with the test key and token.
func signed(r *http.Request) *http.Request {
	return signAs(r, testID, testSecret, testToken, testNow.Add(-time.Minute), testNow.Add(time.Hour))
}

// signAs signs r as COS's guide says, over host and every header r has.
func signAs(r *http.Request, id, secret, token string, start, end time.Time) *http.Request {
	window := strconv.FormatInt(start.Unix(), 10) + ";" + strconv.FormatInt(end.Unix(), 10)
	hs := []pair{{"host", r.Host}}
	names := []string{"host"}
	for k, vs := range r.Header {
		name := strings.ToLower(k)
		names = append(names, name)
		for _, v := range vs {
			hs = append(hs, pair{name, v})
		}
	}
	slices.Sort(names)
	params := queryPairs(r.URL.Query())
	var paramNames []string
	for _, p := range params {
		paramNames = append(paramNames, p.name)
	}
	slices.Sort(paramNames)
	sig := sign(secret, window, stringToSign(window, r.Method, r.URL.Path, canonical(paramNames, params), canonical(names, hs)))
	if token != "" {
		r.Header.Set("x-cos-security-token", token)
	}
	r.Header.Set("Authorization", "q-sign-algorithm=sha1&q-ak="+id+"&q-sign-time="+window+"&q-key-time="+window+
		"&q-header-list="+strings.Join(names, ";")+"&q-url-param-list="+strings.Join(paramNames, ";")+"&q-signature="+sig)
	return r
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.s.ServeHTTP(rec, r)
	return rec
}

// errorCode reads COS's XML error document; "" for a success.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Code < 300 {
		return ""
	}
	var e errorBody
	if err := xml.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("status %d with a body that is not COS's XML error: %v: %q", rec.Code, err, rec.Body)
	}
	if e.RequestID == "" || e.TraceID == "" || e.Message == "" || rec.Header().Get("Content-Type") != "application/xml" {
		t.Errorf("error %+v (Content-Type %q); want a message, request and trace ids, application/xml", e, rec.Header().Get("Content-Type"))
	}
	return e.Code
}
