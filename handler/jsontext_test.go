package handler

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

var stringSeeds = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "\x00\x01\b\f\n\r\t\x1f\x7f",
	"é 中文 🙂", "\u2028\u2029", "bad \xff\xfe utf-8 \xc3", "\xe2\x80", strings.Repeat("a\"<", 100),
}

// TestAppendStringIsMarshals: appendString writes what json.Marshal writes for a string.
func TestAppendStringIsMarshals(t *testing.T) {
	for _, s := range stringSeeds {
		checkAppendString(t, s)
	}
}

// FuzzAppendString: for any text, appendString writes what json.Marshal writes.
func FuzzAppendString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}

func checkAppendString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendString([]byte("x"), s); string(got) != "x"+string(want) {
		t.Fatalf("appendString(%q) = %s; json.Marshal writes %s", s, got[1:], want)
	}
}

// marshalIntegrationResponse is how encode wrote an HTTP trigger's reply before it wrote it by hand: the body
// marshalled, then the whole response marshalled around it.
func marshalIntegrationResponse(t *testing.T, r reply) string {
	body := []byte{}
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			t.Fatal(err)
		}
	}
	h := map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
	for k, v := range r.headers {
		h[k] = v
	}
	out, err := json.Marshal(integrationResponse{StatusCode: r.status, Headers: h, Body: string(body)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestEncodeIsMarshal: the integration response encode writes is json.Marshal's of integrationResponse, for every
// kind of reply: a success, errors in both formats, a preflight without a body, headers that sort around the
// fixed ones or replace one, and text that needs escaping at both levels.
func TestEncodeIsMarshal(t *testing.T) {
	e := &Error{Code: CodeRequestLimitExceeded, Message: "retry <later> & \"soon\"\u2028\xff", RetryAfter: 3}
	replies := []reply{
		{status: http.StatusOK, body: successBody("cam", issued{Credentials: credentials{SessionToken: "t<k>", TmpSecretID: "AKID", TmpSecretKey: "k&", Token: "t<k>"},
			ExpiredTime: 1795953336, StartTime: 1795951536, Expiration: "2026-11-29T11:55:36Z", RequestID: "r-1",
			grantFields: grantFields{Bucket: "b-1250000000", Region: "ap-guangzhou", Prefixes: []string{"uploads/é/"}, Keys: []string{}, Actions: []string{"name/cos:GetObject"}}})},
		{status: e.Status(), headers: e.headers(), body: errorBody("cam", e, "req\t1")},
		{status: e.Status(), headers: map[string]string{"Retry-After": "3", "Access-Control-Allow-Origin": "https://a.example", "Vary": "Origin"}, body: errorBody("sts", e, "")},
		{status: http.StatusNoContent, headers: map[string]string{}},
		{status: http.StatusNoContent, headers: map[string]string{"Access-Control-Max-Age": "600", "Access-Control-Allow-Methods": "GET, POST, OPTIONS"}},
		{status: http.StatusOK, headers: map[string]string{"Content-Type": "text/plain", "Allow": "GET", "Zz": "last", "A": ""}, body: map[string]any{"x": []int{1}}},
	}
	for _, r := range replies {
		got, err := encode(ShapeFunctionURL, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := marshalIntegrationResponse(t, r); string(got) != want {
			t.Errorf("encode:\n%s\njson.Marshal of the integration response:\n%s", got, want)
		}
		direct, err := encode(ShapeDirect, r)
		if err != nil {
			t.Fatal(err)
		}
		want := "{}"
		if r.body != nil {
			b, _ := json.Marshal(r.body)
			want = string(b)
		}
		if string(direct) != want {
			t.Errorf("a direct invocation's reply %s; want the body %s", direct, want)
		}
	}
}

// TestMarshalBodyIsMarshal: a success's body, written by hand, is json.Marshal's, in both formats, with lists nil,
// empty or full and text that needs escaping; other bodies are json.Marshal's own.
func TestMarshalBodyIsMarshal(t *testing.T) {
	full := issued{Credentials: credentials{SessionToken: "tok<en>", TmpSecretID: "AKID\u2028", TmpSecretKey: "k&\"\\", Token: "tok<en>"},
		ExpiredTime: 1795953336, StartTime: -5, Expiration: "2026-11-29T11:55:36Z", RequestID: "r\xff",
		grantFields: grantFields{Bucket: "b-1250000000", Region: "ap-guangzhou", Prefixes: []string{"a/", "é/"}, Keys: []string{}, Actions: nil}}
	bodies := []any{
		nil, full, issued{}, successBody("cam", full), successBody("sts", full), successBody("cam", issued{}),
		camEnvelope{Code: 0, CodeDesc: "Success", Data: full, RequestID: "r-1"},
		camEnvelope{Code: 403, Message: "no", CodeDesc: "AccessDenied", RequestID: "r-2"},
		successBody("cam", &DryRun{DryRun: true}), errorBody("sts", &Error{Code: CodeInvalidParameter, Message: "x"}, "r"),
	}
	for _, b := range bodies {
		checkMarshalBody(t, b)
	}
}

// FuzzIssuedJSON: for any credentials and grant, the success body written by hand is json.Marshal's.
func FuzzIssuedJSON(f *testing.F) {
	f.Add("tok", "AKID", "key", int64(1795953336), int64(1795951536), "2026-11-29T11:55:36Z", "r-1", "b-1250000000", "a/,b/", true)
	f.Add("<&>", "\u2028", "\xff", int64(-1), int64(0), "", "", "", "", false)
	f.Fuzz(func(t *testing.T, token, id, key string, expired, start int64, expiration, rid, bucket, prefixes string, cam bool) {
		var list []string
		if prefixes != "" {
			list = strings.Split(prefixes, ",")
		}
		d := issued{Credentials: credentials{SessionToken: token, TmpSecretID: id, TmpSecretKey: key, Token: token},
			ExpiredTime: expired, StartTime: start, Expiration: expiration, RequestID: rid,
			grantFields: grantFields{Bucket: bucket, Region: id, Prefixes: list, Keys: []string{}, Actions: list}}
		if cam {
			checkMarshalBody(t, successBody("cam", d))
		} else {
			checkMarshalBody(t, d)
		}
	})
}

func checkMarshalBody(t *testing.T, body any) {
	t.Helper()
	got, err := marshalBody(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{}
	if body != nil {
		if want, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != string(want) {
		t.Fatalf("marshalBody(%#v) =\n%s\njson.Marshal:\n%s", body, got, want)
	}
}
