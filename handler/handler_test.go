package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

const (
	testSecretID  = "AKIDhandlertest0000000000000000"
	testSecretKey = "handler-test-secret-key-0123456789"
	testBucket    = "examplebucket-1250000000"
	testRoleARN   = "qcs::cam::uin/100000000001:roleName/cos-sts"
)

// rig is a handler wired to a real issuer and the STS emulator, with a map for its environment.
type rig struct {
	t   *testing.T
	emu *stsemu.Server
	h   *handler.Handler
	log *syncBuffer

	mu  sync.Mutex
	env map[string]string
}

func newRig(t *testing.T, kv ...string) *rig {
	t.Helper()
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{testSecretID: testSecretKey}})
	if err := emu.Start(); err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	r := &rig{t: t, emu: emu, log: &syncBuffer{}, env: map[string]string{
		"STS_ENDPOINT":       "http://" + emu.Addr(),
		"STS_SECRET_ID":      testSecretID,
		"STS_SECRET_KEY":     testSecretKey,
		"STS_BUCKET":         testBucket,
		"STS_BUCKET_REGION":  "ap-guangzhou",
		"STS_ALLOW_PREFIXES": "uploads/",
	}}
	r.set(kv...)
	r.h = handler.New(handler.Options{Getenv: r.getenv, Minter: issuer.New(issuer.Options{}), Log: r.log})
	return r
}

func (r *rig) getenv(k string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.env[k]
}

// set changes variables as SCF does between invocations; an empty value unsets.
func (r *rig) set(kv ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(r.env, kv[i])
		} else {
			r.env[kv[i]] = kv[i+1]
		}
	}
}

// httpReply is a decoded integration response.
type httpReply struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

func (hr httpReply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(hr.Body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", hr.Body, err)
	}
	return m
}

// invoke sends one event with a deadline and the SCF request id, as the runtime does.
func (r *rig) invoke(event string, timeout time.Duration) []byte {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx = functioncontext.NewContext(ctx, &functioncontext.FunctionContext{RequestID: "scf-req-1"})
	out, err := r.h.Invoke(ctx, json.RawMessage(event))
	if err != nil {
		r.t.Fatalf("Invoke returned a function error: %v", err)
	}
	return out
}

func (r *rig) http(event string) httpReply {
	r.t.Helper()
	var hr httpReply
	out := r.invoke(event, 5*time.Second)
	if err := json.Unmarshal(out, &hr); err != nil {
		r.t.Fatalf("reply %s is not an integration response: %v", out, err)
	}
	if hr.Headers["Content-Type"] != "application/json; charset=utf-8" || hr.Headers["Cache-Control"] != "no-store" {
		r.t.Errorf("headers = %v; want JSON Content-Type and Cache-Control: no-store", hr.Headers)
	}
	return hr
}

// lastPolicy decodes the policy the emulator received in the last call.
func (r *rig) lastPolicy() policy.Policy {
	r.t.Helper()
	calls := r.emu.Calls()
	if len(calls) == 0 {
		r.t.Fatal("STS was not called")
	}
	p, err := policy.Parse(calls[len(calls)-1].Policy)
	if err != nil {
		r.t.Fatalf("policy sent to STS does not parse: %v", err)
	}
	return p
}

func apigw(method, query, body string) string {
	if query == "" {
		query = "{}"
	}
	b, _ := json.Marshal(body)
	return `{"httpMethod":"` + method + `","requestContext":{"requestId":"gw-req-1","sourceIp":"10.0.2.14"},` +
		`"headers":{"origin":"https://app.example.com"},"queryString":` + query + `,"body":` + string(b) + `}`
}

func funcURL(method, query, body string) string {
	if query == "" {
		query = "{}"
	}
	b, _ := json.Marshal(body)
	return `{"httpMethod":"` + method + `","headers":{"content-type":"application/json","x-scf-remote-addr":"203.0.113.7",` +
		`"origin":"https://app.example.com"},"path":"/","queryString":` + query + `,"body":` + string(b) + `}`
}

const res = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"

func TestMintDefaultGrantOverAPIGateway(t *testing.T) {
	r := newRig(t)
	hr := r.http(apigw("GET", "", ""))
	if hr.StatusCode != 200 {
		t.Fatalf("StatusCode = %d; want 200 (body %s)", hr.StatusCode, hr.Body)
	}
	var body struct {
		Code     int    `json:"code"`
		CodeDesc string `json:"codeDesc"`
		Data     struct {
			Credentials struct{ SessionToken, TmpSecretID, TmpSecretKey string } `json:"credentials"`
			ExpiredTime int64                                                    `json:"expiredTime"`
			StartTime   int64                                                    `json:"startTime"`
			Expiration  string                                                   `json:"expiration"`
			RequestID   string                                                   `json:"requestId"`
			Bucket      string                                                   `json:"bucket"`
			Region      string                                                   `json:"region"`
			Prefixes    []string                                                 `json:"prefixes"`
			Keys        []string                                                 `json:"keys"`
			Actions     []string                                                 `json:"actions"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(hr.Body), &body); err != nil {
		t.Fatalf("body: %v", err)
	}
	call := r.emu.Calls()[0]
	d := body.Data
	if body.Code != 0 || body.CodeDesc != "Success" {
		t.Errorf("code %d codeDesc %q; want 0 Success", body.Code, body.CodeDesc)
	}
	if d.Credentials.TmpSecretID != call.Issued.TmpSecretId || d.Credentials.TmpSecretKey != call.Issued.TmpSecretKey || d.Credentials.SessionToken != call.Issued.Token {
		t.Error("credentials in the reply are not the ones STS issued")
	}
	if d.ExpiredTime != call.ExpiredTime || d.StartTime != d.ExpiredTime-1800 {
		t.Errorf("expiredTime %d startTime %d; want %d and expiredTime-1800", d.ExpiredTime, d.StartTime, call.ExpiredTime)
	}
	if want := time.Unix(d.ExpiredTime, 0).UTC().Format(time.RFC3339); d.Expiration != want {
		t.Errorf("expiration = %q; want %q", d.Expiration, want)
	}
	if d.RequestID != call.RequestID || d.RequestID == "" {
		t.Errorf("requestId = %q; want STS's %q", d.RequestID, call.RequestID)
	}
	if d.Bucket != testBucket || d.Region != "ap-guangzhou" || len(d.Prefixes) != 1 || d.Prefixes[0] != "uploads/" || d.Keys == nil || len(d.Actions) != 10 {
		t.Errorf("grant fields = %+v", d)
	}
	if call.Action != "GetFederationToken" || call.Name != "cossts" || call.DurationSeconds != 1800 {
		t.Errorf("STS call = %s name %q duration %d", call.Action, call.Name, call.DurationSeconds)
	}
	p := r.lastPolicy()
	for _, a := range d.Actions {
		if !policy.Allows(p, a, res+"uploads/x/y.png") {
			t.Errorf("policy does not allow %s on uploads/", a)
		}
	}
	if policy.Allows(p, "name/cos:DeleteObject", res+"uploads/x") || policy.Allows(p, "name/cos:GetObject", res+"private/x") {
		t.Error("policy allows more than the default scope")
	}
	if hr.Headers["Access-Control-Allow-Origin"] != "" {
		t.Error("CORS headers sent without STS_ALLOW_ORIGINS")
	}
}

func TestNarrowedGrants(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		allow    []string // resource suffixes that must be allowed for GetObject or PutObject
		deny     []string
		actions  []string
		duration int
	}{
		{"function url post prefix", funcURL("POST", "", `{"prefixes":["uploads/alice/"],"actions":["upload"],"durationSeconds":900}`),
			[]string{"uploads/alice/a.png", "uploads/alice/2026/b.png"}, []string{"uploads/alice10/a.png", "uploads/bob/a.png", "uploads/x"},
			[]string{"name/cos:PutObject", "name/cos:AbortMultipartUpload"}, 900},
		{"apigw get list and commas", apigw("GET", `{"prefixes":["uploads/a/","uploads/b/"],"actions":"GetObject,name/cos:HeadObject"}`, ""),
			[]string{"uploads/a/1", "uploads/b/2"}, []string{"uploads/c/3"}, []string{"name/cos:GetObject", "name/cos:HeadObject"}, 1800},
		{"one key", funcURL("POST", "", `{"keys":["uploads/report.pdf"],"actions":["download"]}`),
			[]string{"uploads/report.pdf"}, []string{"uploads/report.pdf2", "uploads/other.pdf"}, []string{"name/cos:GetObject"}, 1800},
		{"direct invocation", `{"prefixes":["uploads/u1/"]}`,
			[]string{"uploads/u1/x"}, []string{"uploads/u10/x"}, []string{"name/cos:PutObject", "name/cos:GetObject"}, 1800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			out := r.invoke(tc.event, 5*time.Second)
			if !strings.Contains(tc.event, "httpMethod") {
				var direct map[string]any
				if err := json.Unmarshal(out, &direct); err != nil || direct["code"] != float64(0) || direct["statusCode"] != nil {
					t.Fatalf("direct reply = %s; want the cam body itself", out)
				}
			} else if hr := r.http(tc.event); hr.StatusCode != 200 {
				t.Fatalf("status %d body %s", hr.StatusCode, hr.Body)
			}
			p := r.lastPolicy()
			call := r.emu.Calls()[0]
			if call.DurationSeconds != tc.duration {
				t.Errorf("DurationSeconds sent = %d; want %d", call.DurationSeconds, tc.duration)
			}
			for _, a := range tc.actions {
				for _, k := range tc.allow {
					if !policy.Allows(p, a, res+k) {
						t.Errorf("%s on %s denied; want allowed", a, k)
					}
				}
				for _, k := range tc.deny {
					if policy.Allows(p, a, res+k) {
						t.Errorf("%s on %s allowed; want denied", a, k)
					}
				}
			}
			if policy.Allows(p, "name/cos:DeleteObject", res+tc.allow[0]) {
				t.Error("DeleteObject allowed; the scope never grants it")
			}
		})
	}
}

func TestSTSFormatAndDryRun(t *testing.T) {
	r := newRig(t, "STS_ALLOW_ORIGINS", "https://app.example.com")
	hr := r.http(funcURL("GET", `{"format":"sts","prefixes":"uploads/a/"}`, ""))
	b := hr.json(t)
	creds, _ := b["credentials"].(map[string]any)
	if hr.StatusCode != 200 || creds["tmpSecretKey"] == "" || b["expiredTime"] == nil || b["code"] != nil {
		t.Errorf("sts reply = %s", hr.Body)
	}
	if hr.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" || hr.Headers["Vary"] != "Origin" {
		t.Errorf("CORS headers = %v", hr.Headers)
	}

	before := len(r.emu.Calls())
	hr = r.http(apigw("GET", `{"dryRun":true,"keys":"uploads/k.txt"}`, ""))
	b = hr.json(t)
	data, _ := b["data"].(map[string]any)
	if hr.StatusCode != 200 || data["dryRun"] != true || data["mode"] != "GetFederationToken" || data["durationSeconds"] != float64(1800) {
		t.Fatalf("dry run reply = %s", hr.Body)
	}
	pol, _ := json.Marshal(data["policy"])
	p, err := policy.Parse(string(pol))
	if err != nil || !policy.Allows(p, "name/cos:GetObject", res+"uploads/k.txt") || policy.Allows(p, "name/cos:GetObject", res+"uploads/other") {
		t.Errorf("dry run policy %s (err %v) does not grant exactly the key", pol, err)
	}
	if len(r.emu.Calls()) != before {
		t.Error("dry run called STS")
	}
	if strings.Contains(hr.Body, "tmpSecret") {
		t.Error("dry run returned credentials")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		event  string
		status int
		code   string
		msg    string // substring of the message
	}{
		{"malformed body", funcURL("POST", "", `{"prefixes":`), 400, "InvalidParameter", "not valid JSON"},
		{"unknown field", funcURL("POST", "", `{"prefix":["uploads/a/"]}`), 400, "InvalidParameter", `unknown parameter "prefix"`},
		{"wrong type", funcURL("POST", "", `{"durationSeconds":"900"}`), 400, "InvalidParameter", "durationSeconds"},
		{"query on post", funcURL("POST", `{"prefixes":"uploads/a/"}`, `{}`), 400, "InvalidParameter", "query string"},
		{"unknown scope", apigw("GET", `{"scope":"avatar"}`, ""), 400, "InvalidParameter", `unknown scope "avatar"`},
		{"unknown format", apigw("GET", `{"format":"xml"}`, ""), 400, "InvalidParameter", "format"},
		{"traversal", apigw("GET", `{"keys":"uploads/../secret"}`, ""), 400, "InvalidParameter", "keys"},
		{"wildcard prefix", funcURL("POST", "", `{"prefixes":["uploads/*"]}`), 400, "InvalidParameter", "prefixes"},
		{"prefix without slash", funcURL("POST", "", `{"prefixes":["uploads/a"]}`), 400, "InvalidParameter", "prefixes"},
		{"zero duration", funcURL("POST", "", `{"durationSeconds":0}`), 400, "InvalidParameter", "durationSeconds"},
		{"bad action", funcURL("POST", "", `{"actions":["everything"]}`), 400, "InvalidParameter", "actions"},
		{"outside prefix", funcURL("POST", "", `{"prefixes":["private/"]}`), 403, "AccessDenied", `"private/" is outside scope`},
		{"outside key", funcURL("POST", "", `{"keys":["uploadsx/a"]}`), 403, "AccessDenied", "outside scope"},
		{"action not in scope", funcURL("POST", "", `{"actions":["delete"]}`), 403, "AccessDenied", "name/cos:DeleteObject"},
		{"duration above max", funcURL("POST", "", `{"durationSeconds":7201}`), 403, "AccessDenied", "maximum of 7200"},
		{"put", funcURL("PUT", "", ``), 405, "MethodNotAllowed", "PUT"},
		{"delete on apigw", apigw("DELETE", "", ""), 405, "MethodNotAllowed", "DELETE"},
		{"lower-case method", funcURL("get", "", ""), 405, "MethodNotAllowed", "get"},
		{"head", funcURL("HEAD", "", ""), 405, "MethodNotAllowed", "HEAD"},
		{"null body", funcURL("POST", "", `null`), 400, "InvalidParameter", "must be a JSON object"},
		{"invalid UTF-8 in a base64 body", strings.Replace(funcURL("POST", "", ""), `"body":""`, `"body":"eyJrZXlzIjpbInVwbG9hZHMvYf9iIl19","isBase64Encoded":true`, 1), 400, "InvalidParameter", "not valid UTF-8"},
		{"lone surrogate escape", funcURL("POST", "", `{"keys":["uploads/a\ud800b"]}`), 400, "InvalidParameter", "U+FFFD"},
		{"type error in words", `{"httpMethod":"GET","requestContext":"x","queryString":{}}`, 400, "InvalidParameter", `"requestContext" must be an object`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			hr := r.http(tc.event)
			b := hr.json(t)
			if hr.StatusCode != tc.status || b["code"] != float64(tc.status) || b["codeDesc"] != tc.code {
				t.Fatalf("reply %d %s; want %d %s", hr.StatusCode, hr.Body, tc.status, tc.code)
			}
			if msg, _ := b["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Errorf("message = %q; want it to contain %q", msg, tc.msg)
			}
			if b["requestId"] == "" || b["requestId"] == nil {
				t.Error("error without the invocation's requestId")
			}
			if tc.status == 405 && hr.Headers["Allow"] != "GET, POST, OPTIONS" {
				t.Errorf("Allow = %q", hr.Headers["Allow"])
			}
			if len(r.emu.Calls()) != 0 {
				t.Error("STS was called for a refused request")
			}
		})
	}
}

func TestErrorFormats(t *testing.T) {
	r := newRig(t, "STS_RESPONSE_FORMAT", "sts")
	hr := r.http(funcURL("POST", "", `{"prefixes":["private/"]}`))
	var b struct {
		Error     struct{ Code, Message string } `json:"error"`
		RequestID string                         `json:"requestId"`
	}
	if err := json.Unmarshal([]byte(hr.Body), &b); err != nil || hr.StatusCode != 403 || b.Error.Code != "AccessDenied" || b.RequestID != "scf-req-1" {
		t.Errorf("sts error = %d %s; want 403 AccessDenied with the SCF request id", hr.StatusCode, hr.Body)
	}
	// A direct invocation returns the error body itself, with SCF's request id; API Gateway's id wins over SCF's.
	var direct map[string]any
	if err := json.Unmarshal(r.invoke(`{"nope":1}`, time.Second), &direct); err != nil || direct["error"] == nil || direct["requestId"] != "scf-req-1" {
		t.Errorf("direct error = %v", direct)
	}
	hr = r.http(apigw("GET", `{"nope":"1"}`, ""))
	if !strings.Contains(hr.Body, `"requestId":"gw-req-1"`) {
		t.Errorf("apigw error body %s; want the gateway's request id", hr.Body)
	}

	// A client that asked for sts gets its errors in sts, even when other parameters could not be read.
	r.set("STS_RESPONSE_FORMAT", "cam")
	for _, event := range []string{
		funcURL("POST", "", `{"format":"sts","prefix":["uploads/"]}`),
		funcURL("GET", `{"format":"sts","durationSeconds":"abc"}`, ""),
		funcURL("POST", `{"a":"1"}`, `{"format":"sts"}`),
	} {
		if hr := r.http(event); !strings.HasPrefix(hr.Body, `{"error":{"code":"InvalidParameter"`) {
			t.Errorf("%s\n→ %s; want an sts error body", event, hr.Body)
		}
	}
	if out := r.invoke(`{"format":"sts","bogus":1}`, time.Second); !strings.HasPrefix(string(out), `{"error":`) {
		t.Errorf("direct sts error = %s", out)
	}
}

func TestCORS(t *testing.T) {
	r := newRig(t, "STS_ALLOW_ORIGINS", "https://app.example.com,https://admin.example.com")
	pre := r.http(funcURL("OPTIONS", "", ""))
	if pre.StatusCode != 204 || pre.Body != "" {
		t.Fatalf("preflight = %d %q; want 204 and no body", pre.StatusCode, pre.Body)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":  "https://app.example.com",
		"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
		"Access-Control-Allow-Headers": "Authorization, Content-Type",
		"Access-Control-Max-Age":       "600",
		"Vary":                         "Origin",
	}
	for k, v := range want {
		if pre.Headers[k] != v {
			t.Errorf("%s = %q; want %q", k, pre.Headers[k], v)
		}
	}
	other := strings.Replace(funcURL("OPTIONS", "", ""), "https://app.example.com", "https://evil.example.com", 1)
	if hr := r.http(other); hr.StatusCode != 204 || hr.Headers["Access-Control-Allow-Origin"] != "" {
		t.Errorf("unlisted origin got %d %v; want 204 without CORS headers", hr.StatusCode, hr.Headers)
	}
	// An error reply still carries CORS headers, so the browser can show the app the reason.
	if hr := r.http(funcURL("POST", "", `{"prefixes":["private/"]}`)); hr.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" {
		t.Errorf("403 headers = %v; want CORS headers", hr.Headers)
	}
	r.set("STS_ALLOW_ORIGINS", "*")
	if hr := r.http(other); hr.Headers["Access-Control-Allow-Origin"] != "*" {
		t.Errorf("with * the origin header = %q; want *", hr.Headers["Access-Control-Allow-Origin"])
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		kv      []string
		logWant string
	}{
		{"no bucket", []string{"STS_BUCKET", ""}, "STS_BUCKET: is required"},
		{"bad prefix", []string{"STS_ALLOW_PREFIXES", "uploads//"}, "STS_ALLOW_PREFIXES"},
		{"role keys without role", []string{"STS_SECRET_ID", "", "STS_SECRET_KEY", "", "TENCENTCLOUD_SECRETID", "AKIDrole", "TENCENTCLOUD_SECRETKEY", "rolesecretvalue", "TENCENTCLOUD_SESSIONTOKEN", "roletokenvalue"}, "STS_ROLE_ARN"},
		{"no keys at all", []string{"STS_SECRET_ID", "", "STS_SECRET_KEY", ""}, "STS_ROLE_ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.kv...)
			hr := r.http(apigw("GET", "", ""))
			b := hr.json(t)
			if hr.StatusCode != 500 || b["codeDesc"] != "ConfigError" {
				t.Fatalf("reply %d %s; want 500 ConfigError", hr.StatusCode, hr.Body)
			}
			if strings.Contains(hr.Body, "STS_") {
				t.Errorf("body %s names configuration; only the log may", hr.Body)
			}
			// A browser app can read the ConfigError: the CORS headers come even from a broken configuration.
			// The preflight succeeds, or the browser would hide the error behind a CORS failure.
			r.set("STS_ALLOW_ORIGINS", "https://app.example.com")
			if hr := r.http(funcURL("OPTIONS", "", "")); hr.StatusCode != 204 || hr.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" {
				t.Errorf("preflight with a broken configuration = %d %v; want 204 with CORS headers", hr.StatusCode, hr.Headers)
			}
			if hr := r.http(funcURL("POST", "", `{}`)); hr.StatusCode != 500 || hr.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" {
				t.Errorf("request with a broken configuration = %d %v; want 500 with CORS headers", hr.StatusCode, hr.Headers)
			}
			// The reply format is the request's, decided from the event before the configuration is looked at.
			if hr := r.http(funcURL("POST", "", `{"format":"sts"}`)); hr.StatusCode != 500 || !strings.Contains(hr.Body, `"error":{"code":"ConfigError"`) {
				t.Errorf("format=sts with a broken configuration = %d %s; want the ConfigError in the sts shape", hr.StatusCode, hr.Body)
			}
			if !strings.Contains(r.log.String(), tc.logWant) {
				t.Errorf("log %s; want it to name %q", r.log.String(), tc.logWant)
			}
			assertNoSecrets(t, r.log.String()+hr.Body, testSecretKey, "rolesecretvalue", "roletokenvalue")
		})
	}
}

func TestConfigReloadsWhenVariablesChange(t *testing.T) {
	r := newRig(t)
	if hr := r.http(funcURL("POST", "", `{"prefixes":["docs/"]}`)); hr.StatusCode != 403 {
		t.Fatalf("docs/ before the change = %d; want 403", hr.StatusCode)
	}
	r.set("STS_ALLOW_PREFIXES", "uploads/,docs/")
	if hr := r.http(funcURL("POST", "", `{"prefixes":["docs/"]}`)); hr.StatusCode != 200 {
		t.Fatalf("docs/ after the change = %d %s; want 200", hr.StatusCode, hr.Body)
	}
}

func TestAssumeRole(t *testing.T) {
	t.Run("permanent keys", func(t *testing.T) {
		r := newRig(t, "STS_ROLE_ARN", testRoleARN, "STS_ROLE_EXTERNAL_ID", "ext-1")
		if hr := r.http(apigw("GET", "", "")); hr.StatusCode != 200 {
			t.Fatalf("status %d %s", hr.StatusCode, hr.Body)
		}
		c := r.emu.Calls()[0]
		if c.Action != "AssumeRole" || c.RoleArn != testRoleARN || c.ExternalId != "ext-1" || c.Token != "" || !strings.HasPrefix(c.RoleSessionName, "cossts-") {
			t.Errorf("call = %s arn %q ext %q session %q", c.Action, c.RoleArn, c.ExternalId, c.RoleSessionName)
		}
	})
	t.Run("rotated role keys", func(t *testing.T) {
		r := newRig(t, "STS_ROLE_ARN", testRoleARN, "STS_SECRET_ID", "", "STS_SECRET_KEY", "")
		var secrets []string
		for i := 0; i < 2; i++ {
			id, key, token := r.emu.NewRoleKeys(time.Hour)
			secrets = append(secrets, key, token)
			r.set("TENCENTCLOUD_SECRETID", id, "TENCENTCLOUD_SECRETKEY", key, "TENCENTCLOUD_SESSIONTOKEN", token)
			hr := r.http(funcURL("POST", "", `{}`))
			if hr.StatusCode != 200 {
				t.Fatalf("invocation %d with rotated keys = %d %s", i, hr.StatusCode, hr.Body)
			}
			c := r.emu.Calls()[i]
			if c.SecretID != id || c.Token == "" {
				t.Errorf("invocation %d signed with %q (token sent: %v); want the new role key with its token", i, c.SecretID, c.Token != "")
			}
			var b struct {
				Data struct {
					Credentials struct{ TmpSecretKey, SessionToken string }
				} `json:"data"`
			}
			_ = json.Unmarshal([]byte(hr.Body), &b)
			secrets = append(secrets, b.Data.Credentials.TmpSecretKey, b.Data.Credentials.SessionToken)
		}
		if !strings.Contains(r.http(apigw("GET", `{"dryRun":"1"}`, "")).Body, `"mode":"AssumeRole"`) {
			t.Error("dry run does not report AssumeRole")
		}
		assertNoSecrets(t, r.log.String(), secrets...)
	})
}

func TestUpstreamFailures(t *testing.T) {
	tests := []struct {
		name    string
		fault   stsemu.Fault
		timeout time.Duration
		status  int
		code    string
		msg     string
	}{
		{"sts error", stsemu.Fault{Code: "AuthFailure.SecretIdNotFound", Message: "secret id " + testSecretID + " not found"}, 5 * time.Second, 502, "UpstreamError", "AuthFailure.SecretIdNotFound"},
		{"throttled throughout", stsemu.Fault{Code: "RequestLimitExceeded"}, 2 * time.Second, 429, "RequestLimitExceeded", "throttling"},
		{"hang", stsemu.Fault{Delay: time.Minute}, 2 * time.Second, 504, "UpstreamTimeout", "did not answer"},
		// The issuer's own words for what STS did not name are never passed off as STS's (it said InternalError).
		{"empty credentials", stsemu.Fault{EmptyCredentials: true}, 5 * time.Second, 502, "UpstreamError", "no usable answer from STS (BadAnswer)"},
		{"not STS", stsemu.Fault{HTTPStatus: 404}, 5 * time.Second, 502, "UpstreamError", "no usable answer from STS (BadAnswer)"},
		{"STS's own InternalError", stsemu.Fault{Code: "InternalError"}, 5 * time.Second, 502, "UpstreamError", "STS refused the request: InternalError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.emu.Inject(tc.fault)
			start := time.Now()
			var hr httpReply
			if err := json.Unmarshal(r.invoke(apigw("GET", "", ""), tc.timeout), &hr); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > tc.timeout {
				t.Errorf("reply took %v, past the %v deadline", took, tc.timeout)
			}
			b := hr.json(t)
			if hr.StatusCode != tc.status || b["codeDesc"] != tc.code {
				t.Fatalf("reply %d %s; want %d %s", hr.StatusCode, hr.Body, tc.status, tc.code)
			}
			if msg, _ := b["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q; want %q", msg, tc.msg)
			}
			if tc.status == 429 && hr.Headers["Retry-After"] == "" {
				t.Error("429 without Retry-After")
			}
			if tc.status == 502 && tc.fault.Code != "" && !slices.ContainsFunc(r.emu.Calls(), func(c stsemu.Call) bool { return strings.Contains(hr.Body, c.RequestID) }) {
				t.Errorf("502 body %s lacks STS's request id", hr.Body)
			}
			if strings.Contains(hr.Body, "tmpSecretKey") {
				t.Error("error reply carries credentials")
			}
		})
	}
}

func TestConcurrentInvocationsGetTheirOwnCredentials(t *testing.T) {
	r := newRig(t)
	const n = 24
	var wg sync.WaitGroup
	replies := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out := r.invoke(`{"prefixes":["uploads/u`+strconv.Itoa(i)+`/"]}`, 5*time.Second)
			replies[i] = string(out)
		}(i)
	}
	wg.Wait()
	issuedFor := map[string]string{} // TmpSecretId → the prefix in the policy STS got with it
	for _, c := range r.emu.Calls() {
		p, err := policy.Parse(c.Policy)
		if err != nil {
			t.Fatal(err)
		}
		issuedFor[c.Issued.TmpSecretId] = p.Statement[0].Resource[0]
	}
	for i, out := range replies {
		var b struct {
			Data struct {
				Credentials struct{ TmpSecretID string } `json:"credentials"`
				Prefixes    []string
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		want := res + "uploads/u" + strconv.Itoa(i) + "/*"
		if got := issuedFor[b.Data.Credentials.TmpSecretID]; got != want {
			t.Errorf("caller %d got keys issued for %q; want %q", i, got, want)
		}
	}
}

func assertNoSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("a secret (%d bytes) appears in the output", len(s))
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the handler's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// leakyMinter fails the way a careless SDK might: quoting the request's secrets in its error, or panicking.
type leakyMinter struct{ panic bool }

func (m leakyMinter) Issue(_ context.Context, r issuer.Request) (issuer.Result, error) {
	if m.panic {
		panic("minting failed for " + r.Credentials.SecretKey)
	}
	return issuer.Result{}, errors.New("sdk: bad signature for key " + r.Credentials.SecretKey + " token " + r.Credentials.Token +
		" while reading jwt-shared-secret-value-0123456789ab")
}

func TestSecretsNeverReachTheLogEvenThroughErrorsAndPanics(t *testing.T) {
	for _, m := range []leakyMinter{{panic: false}, {panic: true}} {
		t.Run(fmt.Sprintf("panic=%v", m.panic), func(t *testing.T) {
			var log syncBuffer
			env := map[string]string{
				"STS_BUCKET": testBucket, "STS_ALLOW_PREFIXES": "uploads/", "STS_ROLE_ARN": testRoleARN,
				"TENCENTCLOUD_SECRETID": "AKIDrole", "TENCENTCLOUD_SECRETKEY": "role-secret-key-value", "TENCENTCLOUD_SESSIONTOKEN": "role-session-token-value",
				"STS_AUTH": "jwt", "STS_JWT_ISSUER": "https://idp.example.com", "STS_JWT_AUDIENCE": "cos-sts", "STS_JWT_SECRET": "jwt-shared-secret-value-0123456789ab",
			}
			h := handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Minter: m, Log: &log})
			token := hs256(t, "jwt-shared-secret-value-0123456789ab", claimsFor("mallory", time.Now().Add(time.Hour)))
			out, err := h.Invoke(context.Background(), json.RawMessage(withBearer(funcURL("GET", "", ""), token)))
			if err != nil {
				t.Fatalf("Invoke returned a function error: %v", err)
			}
			var hr httpReply
			if err := json.Unmarshal(out, &hr); err != nil || hr.StatusCode != 500 || !strings.Contains(hr.Body, `"codeDesc":"InternalError"`) {
				t.Fatalf("reply = %s; want 500 InternalError", out)
			}
			if !strings.Contains(log.String(), "[REDACTED]") && !m.panic {
				t.Errorf("log %s; want the error logged with its secrets masked", log.String())
			}
			if m.panic && !strings.Contains(log.String(), `"msg":"panic"`) {
				t.Errorf("log %s; want the panic logged", log.String())
			}
			assertNoSecrets(t, log.String()+string(out), "role-secret-key-value", "role-session-token-value", "jwt-shared-secret-value-0123456789ab", token)
		})
	}
}

func TestWarmLogsProblemsAndRiskySettings(t *testing.T) {
	var log syncBuffer
	env := map[string]string{"STS_BUCKET": testBucket, "STS_ALLOW_PREFIXES": "*", "STS_ALLOW_ORIGINS": "*"}
	handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log}).Warm()
	for _, want := range []string{`"msg":"risky configuration"`, "STS_ALLOW_ORIGINS=*", "whole bucket", "STS_AUTH=none"} {
		if !strings.Contains(strings.ToLower(log.String()), strings.ToLower(want)) {
			t.Errorf("cold-start log lacks %q:\n%s", want, log.String())
		}
	}

	log = syncBuffer{}
	env = map[string]string{"STS_BUCKET": "nobucket"}
	handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Log: &log}).Warm()
	if !strings.Contains(log.String(), `"msg":"configuration is invalid"`) || !strings.Contains(log.String(), "STS_ALLOW_PREFIXES: is required") {
		t.Errorf("cold-start log = %s; want every configuration problem", log.String())
	}
}

func TestCacheReusesCredentialsForTheIdenticalGrant(t *testing.T) {
	r := newRig(t, "STS_CACHE", "on")
	first := r.http(funcURL("POST", "", `{"prefixes":["uploads/a/"]}`))
	second := r.http(funcURL("POST", "", `{"prefixes":["uploads/a/"]}`))
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("replies %d %d", first.StatusCode, second.StatusCode)
	}
	creds := func(hr httpReply) any { return hr.json(t)["data"].(map[string]any)["credentials"] }
	if n := len(r.emu.Calls()); n != 1 {
		t.Errorf("STS calls = %d; want 1 (the second reply from the cache)", n)
	}
	if fmt.Sprint(creds(first)) != fmt.Sprint(creds(second)) {
		t.Error("the cached reply carries other credentials than the first")
	}
	if !strings.Contains(r.log.String(), `"cache":"hit"`) {
		t.Errorf("log lacks the cache hit:\n%s", r.log.String())
	}
	r.http(funcURL("POST", "", `{"prefixes":["uploads/b/"]}`))
	r.http(funcURL("POST", "", `{"prefixes":["uploads/a/"],"durationSeconds":900}`))
	if n := len(r.emu.Calls()); n != 3 {
		t.Errorf("STS calls = %d; want 3: another prefix and another duration are other grants", n)
	}

	// Credentials with less than the minimum left are never handed out again.
	r.set("STS_CACHE_MIN_REMAINING_SECONDS", "1801")
	r.http(funcURL("POST", "", `{"prefixes":["uploads/a/"]}`))
	if n := len(r.emu.Calls()); n != 4 {
		t.Errorf("STS calls = %d; want 4: 1800 s credentials never have 1801 s left", n)
	}

	off := newRig(t)
	off.http(funcURL("POST", "", `{}`))
	off.http(funcURL("POST", "", `{}`))
	if n := len(off.emu.Calls()); n != 2 {
		t.Errorf("without STS_CACHE, STS calls = %d; want 2", n)
	}
}
