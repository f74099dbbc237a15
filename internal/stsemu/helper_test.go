package stsemu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fixed test identities. The keys are made up and work only here.
const (
	testID    = "AKIDtestpermanentkey0000000000000000"
	testKey   = "testsecretkeyvalue0000000000000000"
	testAppID = "1250000000"
)

// testNow is the emulator clock in tests that fix it.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	return New(Options{
		Keys:  map[string]string{testID: testKey},
		AppID: testAppID,
		Now:   func() time.Time { return testNow },
	})
}

// goodPolicy is a CAM policy the emulator accepts, already URL-encoded.
func goodPolicy() string {
	return url.QueryEscape(`{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutObject"],` +
		`"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*"]}]}`)
}

// jsonBody marshals params as the SDK would send them.
func jsonBody(t *testing.T, params map[string]any) string {
	t.Helper()
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatalf("marshal body: %v", err)
	}
	return string(b)
}

// stsReq is one hand-made STS call, signed the way TC3 says.
type stsReq struct {
	id, key, token          string
	action, version, region string
	body                    string
	ts                      int64
	host                    string
	signedBody              *string // sign this instead of body (tampering)
	authorization           *string // send this instead of the computed header
	method, contentType     string
}

func newReq(action, body string) stsReq {
	return stsReq{
		id: testID, key: testKey, action: action, version: apiVersion, region: "ap-guangzhou",
		body: body, ts: testNow.Unix(), host: "sts.test", method: http.MethodPost, contentType: "application/json",
	}
}

func (r stsReq) httpRequest(t *testing.T, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(r.method, target, strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Host = r.host
	req.Header.Set("Content-Type", r.contentType)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(r.ts, 10))
	for h, v := range map[string]string{"X-TC-Action": r.action, "X-TC-Version": r.version, "X-TC-Region": r.region, "X-TC-Token": r.token} {
		if v != "" {
			req.Header.Set(h, v)
		}
	}
	payload := r.body
	if r.signedBody != nil {
		payload = *r.signedBody
	}
	in := tc3Input{
		SecretKey: r.key, Service: "sts", Timestamp: r.ts, Method: r.method,
		Headers: map[string]string{"content-type": r.contentType, "host": r.host},
		Signed:  []string{"content-type", "host"}, Payload: []byte(payload),
	}
	auth := tc3Algorithm + " Credential=" + r.id + "/" + tc3Date(r.ts) + "/sts/tc3_request, SignedHeaders=content-type;host, Signature=" + tc3Signature(in)
	if r.authorization != nil {
		auth = *r.authorization
	}
	req.Header.Set("Authorization", auth)
	return req
}

// answer is STS's envelope, success and error in one.
type answer struct {
	Response struct {
		Error *struct {
			Code, Message string
		}
		Credentials *Credentials
		ExpiredTime int64
		Expiration  string
		RequestId   string
	}
}

// serve runs the request through ServeHTTP directly: no sockets needed.
func serve(t *testing.T, s *Server, r stsReq) (answer, *httptest.ResponseRecorder) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r.httpRequest(t, "http://"+r.host+"/"))
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, rec.Body.String())
	}
	return a, rec
}

// errorCode is the answer's error code, "" on success.
func (a answer) errorCode() string {
	if a.Response.Error == nil {
		return ""
	}
	return a.Response.Error.Code
}

func ptr[T any](v T) *T { return &v }
