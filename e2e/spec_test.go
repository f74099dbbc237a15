package e2e_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// This file is a black-box conformance review: one row per concrete statement
// of docs/contract.md (sections §1 to §7) that can be checked from outside, through the
// real binary over SCF's net/rpc and the STS emulator. Row names start with
// the contract section they check; where the contract is silent a row says so and
// checks what README.md records or a careful Tencent Cloud user expects.

// specVars are every variable the contract names. Each row starts from the
// harness's configuration with all others blank: SCF's runtime os.Setenv's an
// invocation's variables and never unsets them, so a row must not inherit the
// previous row's.
var specVars = []string{
	"STS_SECRET_ID", "STS_SECRET_KEY", "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN",
	"STS_ROLE_ARN", "STS_ROLE_EXTERNAL_ID", "STS_ENDPOINT", "STS_REGION", "TENCENTCLOUD_REGION", "STS_FEDERATION_NAME",
	"STS_BUCKET", "STS_BUCKET_REGION", "STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS", "STS_DURATION_SECONDS",
	"STS_MAX_DURATION_SECONDS", "STS_POLICY", "STS_SCOPES", "STS_SCOPES_FILE", "STS_RESPONSE_FORMAT", "STS_ALLOW_ORIGINS",
	"STS_AUTH", "STS_LOG_LEVEL", "STS_CACHE", "STS_CACHE_MIN_REMAINING_SECONDS", "STS_JWT_ISSUER", "STS_JWT_AUDIENCE",
	"STS_JWT_SECRET", "STS_JWKS", "STS_JWKS_URL", "STS_JWT_LEEWAY_SECONDS",
}

// specScopes are the named scopes of docs/contract.md §4's example, as inline JSON.
const specScopes = `{
 "avatar": {"bucket": "avatars-1250000000", "region": "ap-shanghai", "prefixes": ["avatars/"], "keys": [],
   "actions": ["upload"], "durationSeconds": 900, "maxDurationSeconds": 1800,
   "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"], "bindSourceIp": true}, "anonymous": false},
 "export": {"bucket": "exports-1250000000", "region": "ap-guangzhou", "keys": ["exports/latest.csv"],
   "actions": ["GetObject"], "durationSeconds": 600, "maxDurationSeconds": 600}
}`

// specScopesYAML is the avatar scope again, as a YAML scopes file.
const specScopesYAML = `avatar:
  bucket: avatars-1250000000
  region: ap-shanghai
  prefixes: ["avatars/"]
  actions: [upload]
  durationSeconds: 900
  maxDurationSeconds: 1800
`

// specPolicy is a complete CAM policy for STS_POLICY.
const specPolicy = `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],` +
	`"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/docs/*"]}]}`

// specPolicySpaced is a policy as an operator pastes it: indented, with a condition.
const specPolicySpaced = `{
  "version": "2.0",
  "statement": [
    {
      "effect": "allow",
      "action": ["name/cos:PutObject"],
      "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/docs/*"],
      "condition": {"numeric_less_than_equal": {"cos:content-length": 1048576}}
    }
  ]
}`

// JWT settings for the STS_AUTH=jwt rows.
const (
	jwtIssuer   = "https://issuer.example.com"
	jwtAudience = "cos-sts"
	jwtSecret   = "spec-jwt-shared-secret-0123456789abcdef"
)

// jwtScopes has a per-user template and an anonymous scope.
const jwtScopes = `{"mine": {"bucket": "examplebucket-1250000000", "region": "ap-guangzhou",
 "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]},
 "public": {"bucket": "examplebucket-1250000000", "region": "ap-guangzhou", "prefixes": ["public/"],
 "actions": ["download"], "anonymous": true}}`

// specCase is one contract statement: an event, the configuration it runs with,
// and what the reply and STS must show.
type specCase struct {
	name     string
	env      map[string]string // on top of the harness's configuration and the blanked specVars
	event    []byte
	faults   []stsemu.Fault
	deadline time.Duration // SCF's deadline; default 10 s (serverless.yml)

	direct    bool              // a direct invocation: the result is the body itself
	status    int               // the HTTP status, or for a direct invocation's error the code its body names
	errCode   string            // the error code; "" for a success
	format    string            // "sts", or "" for cam
	requestID string            // the requestId an error must carry; default the invocation's own
	headers   map[string]string // exact header values; "" means absent
	says      []string          // words the error message must contain
	calls     int               // STS calls expected; -1 means any
	check     func(t *testing.T, r *specReply)
}

// specReply is one reply taken apart for the row's own check.
type specReply struct {
	h       *harness
	c       specCase
	http    integration
	body    []byte
	obj     map[string]any // the body
	payload map[string]any // data for cam, the body itself for sts
	calls   []stsemu.Call
	took    time.Duration
	id      string // the invocation's request id
}

// TestSpec runs every row against one warm function instance.
func TestSpec(t *testing.T) {
	h := newHarness(t, nil)
	h.addSecret(jwtSecret)
	roleID, roleKey, roleToken := h.emu.NewRoleKeys(time.Hour)
	h.addSecret(roleKey)
	h.addSecret(roleToken)
	role := map[string]string{
		"STS_SECRET_ID": "", "STS_SECRET_KEY": "",
		"TENCENTCLOUD_SECRETID": roleID, "TENCENTCLOUD_SECRETKEY": roleKey, "TENCENTCLOUD_SESSIONTOKEN": roleToken,
	}
	dir := t.TempDir()
	jsonFile, yamlFile := filepath.Join(dir, "scopes.json"), filepath.Join(dir, "scopes.yaml")
	if err := os.WriteFile(jsonFile, []byte(specScopes), 0o644); err != nil {
		t.Fatalf("write %s: %v", jsonFile, err)
	}
	if err := os.WriteFile(yamlFile, []byte(specScopesYAML), 0o644); err != nil {
		t.Fatalf("write %s: %v", yamlFile, err)
	}
	bearer := signJWT(map[string]any{"iss": jwtIssuer, "aud": jwtAudience, "sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	h.addSecret(bearer)

	reloadFile := filepath.Join(dir, "reload.json")
	if err := os.WriteFile(reloadFile, []byte(`{"first": {"bucket": "examplebucket-1250000000", "prefixes": ["first/"], "actions": ["upload"]}}`), 0o644); err != nil {
		t.Fatalf("write %s: %v", reloadFile, err)
	}
	cases := specCases(role, jsonFile, yamlFile, reloadFile, bearer)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runSpecCase(t, h, i, c)
		})
	}
}

// runSpecCase sends one row's event and applies the checks every reply gets.
func runSpecCase(t *testing.T, h *harness, i int, c specCase) {
	t.Helper()
	env := map[string]string{}
	for _, k := range specVars {
		env[k] = h.env[k]
	}
	maps.Copy(env, c.env)
	for k, v := range env {
		if v == h0SecretPlaceholder {
			env[k] = h.env["STS_SECRET_KEY"]
		}
	}
	h.emu.Reset()
	for _, f := range c.faults {
		h.emu.Inject(f)
	}
	requestID := fmt.Sprintf("spec-%03d-%s", i, rand4())
	deadline := c.deadline
	if deadline == 0 {
		deadline = 10 * time.Second
	}
	reply, took, err := h.send(c.event, requestID, deadline, env)
	if err != nil {
		t.Fatalf("%v", err)
	}
	h.keep(reply.Payload)
	r := &specReply{h: h, c: c, took: took, calls: callsOf(h, c), id: requestID}
	h.emu.Reset() // no fault outlives its row
	if took >= deadline {
		t.Errorf("reply came after %v; want before SCF's deadline of %v", took, deadline)
	}

	r.body = reply.Payload
	if c.direct {
		var probe map[string]any
		if json.Unmarshal(reply.Payload, &probe) == nil {
			if _, ok := probe["statusCode"]; ok {
				t.Errorf("a direct invocation got an integration response %s; want the body itself", reply.Payload)
			}
		}
	} else {
		if err := json.Unmarshal(reply.Payload, &r.http); err != nil {
			t.Fatalf("reply %.300s is not an integration response: %v", reply.Payload, err)
		}
		checkIntegration(t, r.http, c)
		r.body = []byte(r.http.Body)
	}
	if c.status == 204 {
		if len(r.body) != 0 {
			t.Errorf("204 body = %q; want none", r.body)
		}
		if c.check != nil {
			c.check(t, r)
		}
		return
	}
	if err := json.Unmarshal(r.body, &r.obj); err != nil {
		t.Fatalf("body %.300s is not a JSON object: %v", r.body, err)
	}
	want := requestID
	if c.requestID != "" {
		want = c.requestID
	}
	if c.errCode != "" {
		checkSpecError(t, r, want)
	} else {
		checkSpecSuccess(t, r)
	}
	if c.calls >= 0 && len(r.calls) != c.calls {
		t.Errorf("STS got %d calls; want %d", len(r.calls), c.calls)
	}
	if c.check != nil && !t.Failed() {
		c.check(t, r)
	}
}

// callsOf returns the emulator's calls, given a moment to record them.
func callsOf(h *harness, c specCase) []stsemu.Call {
	if c.calls > 0 {
		return settledCalls(h, c.calls)
	}
	return h.emu.Calls()
}

// rand4 makes request ids unique across runs of the same binary.
func rand4() string {
	return fmt.Sprintf("%04x", time.Now().UnixNano()&0xffff)
}

// checkIntegration checks docs/contract.md §1 and §3's integration response: the status
// and the headers every reply carries, plus the row's own.
func checkIntegration(t *testing.T, r integration, c specCase) {
	t.Helper()
	if r.StatusCode != c.status {
		t.Errorf("statusCode = %d; want %d (body %.300s)", r.StatusCode, c.status, r.Body)
	}
	if got := r.header("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q; want %q", got, "application/json; charset=utf-8")
	}
	if got := r.header("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want %q", got, "no-store")
	}
	if r.IsBase64Encoded {
		t.Errorf("isBase64Encoded = true; want false")
	}
	for name, want := range c.headers {
		if got := r.header(name); got != want {
			t.Errorf("header %s = %q; want %q", name, got, want)
		}
	}
}

// Exact member names of docs/contract.md §3's bodies.
var (
	camSuccessKeys = []string{"code", "message", "codeDesc", "data"}
	grantKeys      = []string{"credentials", "expiredTime", "startTime", "expiration", "requestId", "bucket", "region", "prefixes", "keys", "actions"}
	credentialKeys = []string{"sessionToken", "tmpSecretId", "tmpSecretKey", "token"}
	dryRunKeys     = []string{"dryRun", "mode", "durationSeconds", "policy", "bucket", "region", "prefixes", "keys", "actions"}
	camErrorKeys   = []string{"code", "message", "codeDesc", "requestId"}
	stsErrorKeys   = []string{"error", "requestId"}
	stsErrorInner  = []string{"code", "message"}
)

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func exactKeys(t *testing.T, what string, m map[string]any, want []string) {
	t.Helper()
	if got, w := keysOf(m), slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
		t.Errorf("%s members = %q; want %q", what, got, w)
	}
}

// checkSpecError checks docs/contract.md §3's error bodies, cam and sts.
func checkSpecError(t *testing.T, r *specReply, requestID string) {
	t.Helper()
	c := r.c
	var code, message, rid string
	if c.format == "sts" {
		exactKeys(t, "sts error", r.obj, stsErrorKeys)
		inner, _ := r.obj["error"].(map[string]any)
		exactKeys(t, "sts error.error", inner, stsErrorInner)
		code, _ = inner["code"].(string)
		message, _ = inner["message"].(string)
	} else {
		exactKeys(t, "cam error", r.obj, camErrorKeys)
		if got := num(r.obj["code"]); got != int64(c.status) {
			t.Errorf("code = %v; want the status %d", r.obj["code"], c.status)
		}
		code, _ = r.obj["codeDesc"].(string)
		message, _ = r.obj["message"].(string)
	}
	rid, _ = r.obj["requestId"].(string)
	if code != c.errCode {
		t.Errorf("error code = %q; want %q (message %q)", code, c.errCode, message)
	}
	if message == "" {
		t.Errorf("error message is empty")
	}
	for _, w := range c.says {
		if !strings.Contains(message, w) {
			t.Errorf("message = %q; want one containing %q", message, w)
		}
	}
	if rid != requestID {
		t.Errorf("requestId = %q; want %q", rid, requestID)
	}
}

// checkSpecSuccess checks docs/contract.md §3's success bodies and, for a mint, that the
// reply carries exactly what STS issued.
func checkSpecSuccess(t *testing.T, r *specReply) {
	t.Helper()
	if r.c.format == "sts" {
		r.payload = r.obj
	} else {
		exactKeys(t, "cam success", r.obj, camSuccessKeys)
		if num(r.obj["code"]) != 0 || r.obj["message"] != "" || r.obj["codeDesc"] != "Success" {
			t.Errorf("code, message, codeDesc = %v, %v, %v; want 0, \"\", Success", r.obj["code"], r.obj["message"], r.obj["codeDesc"])
		}
		r.payload, _ = r.obj["data"].(map[string]any)
		if r.payload == nil {
			t.Fatalf("cam success without a data object: %.300s", r.body)
		}
	}
	for _, k := range []string{"prefixes", "keys", "actions"} {
		if _, ok := r.payload[k].([]any); !ok {
			t.Errorf("%s = %v; want a JSON array", k, r.payload[k])
		}
	}
	if r.payload["dryRun"] == true {
		for _, k := range dryRunKeys {
			if _, ok := r.payload[k]; !ok {
				t.Errorf("dry run without %q: %.300s", k, r.body)
			}
		}
		if _, ok := r.payload["credentials"]; ok {
			t.Errorf("a dry run carries credentials")
		}
		if len(r.calls) != 0 {
			t.Errorf("a dry run called STS %d times; want none", len(r.calls))
		}
		return
	}
	exactKeys(t, "credential payload", r.payload, grantKeys)
	creds, _ := r.payload["credentials"].(map[string]any)
	exactKeys(t, "credentials", creds, credentialKeys)
	if len(r.calls) == 0 {
		t.Fatalf("credentials without an STS call")
	}
	call := r.calls[len(r.calls)-1]
	if creds["tmpSecretId"] != call.Issued.TmpSecretId || creds["tmpSecretKey"] != call.Issued.TmpSecretKey || creds["sessionToken"] != call.Issued.Token {
		t.Errorf("credentials differ from those STS issued")
	}
	exp := num(r.payload["expiredTime"])
	if exp != call.ExpiredTime {
		t.Errorf("expiredTime = %d; want STS's %d", exp, call.ExpiredTime)
	}
	if got, want := num(r.payload["startTime"]), exp-int64(call.DurationSeconds); got != want {
		t.Errorf("startTime = %d; want expiredTime - durationSeconds = %d", got, want)
	}
	if got, want := r.payload["expiration"], time.Unix(exp, 0).UTC().Format("2006-01-02T15:04:05Z"); got != want {
		t.Errorf("expiration = %v; want %q", got, want)
	}
	if got := r.payload["requestId"]; got != call.RequestID || call.RequestID == "" {
		t.Errorf("requestId = %v; want STS's %q", got, call.RequestID)
	}
}

// num reads a JSON number as an integer; -1 when it is not one.
func num(v any) int64 {
	f, ok := v.(float64)
	if !ok {
		return -1
	}
	return int64(f)
}

// strs reads a JSON array of strings.
func strs(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// --- events ---

// fnURL is a Function URL event with exactly these headers.
func fnURL(method string, query map[string]any, body string, headers map[string]string) []byte {
	if query == nil {
		query = map[string]any{}
	}
	if headers == nil {
		headers = map[string]string{"x-scf-remote-addr": "203.0.113.7"}
	}
	b, _ := json.Marshal(map[string]any{"httpMethod": method, "path": "/", "headers": headers, "queryString": query, "body": body})
	return b
}

// post is a Function URL POST with a JSON body.
func postBody(body string) []byte {
	return fnURL("POST", nil, body, map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.7"})
}

// get is a Function URL GET with a query string.
func get(query map[string]any) []byte { return fnURL("GET", query, "", nil) }

// withOrigin is a Function URL event from a browser page at origin.
func withOrigin(method, o string, query map[string]any, body string) []byte {
	return fnURL(method, query, body, map[string]string{"origin": o, "x-scf-remote-addr": "203.0.113.7", "content-type": "application/json"})
}

// gateway is an API Gateway event with its own request id and source IP.
func gateway(method string, query map[string]any, body, gatewayID, sourceIP string, headers map[string]string) []byte {
	if query == nil {
		query = map[string]any{}
	}
	if headers == nil {
		headers = map[string]string{"host": "service-1.apigw.example"}
	}
	b, _ := json.Marshal(map[string]any{
		"httpMethod": method, "path": "/sts", "headers": headers, "queryString": query, "body": body,
		"requestContext": map[string]any{"requestId": gatewayID, "sourceIp": sourceIP, "httpMethod": method, "path": "/sts", "stage": "release"},
	})
	return b
}

// direct is a direct invocation's event.
func direct(s string) []byte { return []byte(s) }

// signJWT makes an HS256 token with jwtSecret.
func signJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(jwtSecret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// --- policy helpers ---

// specPolicyDoc is a CAM policy with its conditions.
type specPolicyDoc struct {
	Version   string `json:"version"`
	Statement []struct {
		Effect    string                    `json:"effect"`
		Action    []string                  `json:"action"`
		Resource  []string                  `json:"resource"`
		Condition map[string]map[string]any `json:"condition"`
	} `json:"statement"`
}

func parsePolicy(t *testing.T, raw []byte) specPolicyDoc {
	t.Helper()
	var p specPolicyDoc
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("policy %.300s: %v", raw, err)
	}
	return p
}

// dryPolicy is the policy a dry run answered.
func (r *specReply) dryPolicy(t *testing.T) specPolicyDoc {
	t.Helper()
	raw, err := json.Marshal(r.payload["policy"])
	if err != nil || r.payload["dryRun"] != true {
		t.Fatalf("not a dry run with a policy: %.300s", r.body)
	}
	return parsePolicy(t, raw)
}

// sentPolicy is the policy STS received in the row's last call.
func (r *specReply) sentPolicy(t *testing.T) specPolicyDoc {
	t.Helper()
	if len(r.calls) == 0 {
		t.Fatalf("STS was not called")
	}
	return parsePolicy(t, []byte(r.calls[len(r.calls)-1].Policy))
}

func (p specPolicyDoc) resources() []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Resource...)
	}
	return out
}

func (p specPolicyDoc) actions() []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Action...)
	}
	return out
}

// condition returns every statement's value for op/key (nil where absent).
func (p specPolicyDoc) condition(op, key string) []any {
	var out []any
	for _, s := range p.Statement {
		if v, ok := s.Condition[op][key]; ok {
			out = append(out, v)
		}
	}
	return out
}

func res(bucketName, reg, path string) string {
	return "qcs::cos:" + reg + ":uid/1250000000:" + bucketName + "/" + path
}

// wantGrant checks a payload's grant fields and a policy's resources and actions.
func wantGrant(t *testing.T, r *specReply, p specPolicyDoc, bucketName, reg string, prefixes, keys, actions []string) {
	t.Helper()
	if r.payload["bucket"] != bucketName || r.payload["region"] != reg {
		t.Errorf("bucket, region = %v, %v; want %s, %s", r.payload["bucket"], r.payload["region"], bucketName, reg)
	}
	if got := strs(r.payload["prefixes"]); !sameSet(got, prefixes) {
		t.Errorf("prefixes = %q; want %q", got, prefixes)
	}
	if got := strs(r.payload["keys"]); !sameSet(got, keys) {
		t.Errorf("keys = %q; want %q", got, keys)
	}
	if got := strs(r.payload["actions"]); !sameSet(got, actions) {
		t.Errorf("actions = %q; want %q", got, actions)
	}
	var resources []string
	for _, pre := range prefixes {
		resources = append(resources, res(bucketName, reg, pre+"*"))
	}
	for _, k := range keys {
		resources = append(resources, res(bucketName, reg, k))
	}
	if got := p.resources(); !sameSet(got, resources) {
		t.Errorf("policy resources = %q; want %q", got, resources)
	}
	if got := p.actions(); !sameSet(got, actions) {
		t.Errorf("policy actions = %q; want %q", got, actions)
	}
}

// grantIs checks a dry run (or, when STS was called, the policy it got).
func grantIs(bucketName, reg string, prefixes, keys, actions []string) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		var p specPolicyDoc
		if r.payload["dryRun"] == true {
			p = r.dryPolicy(t)
		} else {
			p = r.sentPolicy(t)
		}
		wantGrant(t, r, p, bucketName, reg, prefixes, keys, actions)
	}
}

// defaultGrant is the harness's default scope narrowed to these prefixes and keys.
func defaultGrant(prefixes, keys []string, actions ...[]string) func(t *testing.T, r *specReply) {
	acts := slices.Concat(actions...)
	if len(actions) == 0 {
		acts = slices.Concat(uploadActions, downloadActions)
	}
	return grantIs(bucket, region, prefixes, keys, acts)
}

// sentIP checks the qcs:ip binding in a dry run's policy.
func sentIP(ip string) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		got := r.dryPolicy(t).condition("ip_equal", "qcs:ip")
		if ip == "" {
			if len(got) != 0 {
				t.Errorf("ip_equal qcs:ip = %v; want no IP condition", got)
			}
			return
		}
		if len(got) == 0 {
			t.Fatalf("no ip_equal qcs:ip condition; want %s", ip)
		}
		for _, v := range got {
			if ips := strs(v); !slices.Equal(ips, []string{ip}) {
				t.Errorf("ip_equal qcs:ip = %q; want [%s]", ips, ip)
			}
		}
	}
}

// callIs checks fields of the row's STS call.
func callIs(check func(c stsemu.Call) error) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		if len(r.calls) == 0 {
			t.Fatalf("STS was not called")
		}
		if err := check(r.calls[len(r.calls)-1]); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// logSays checks the function's log line for the row's invocation.
func logSays(words ...string) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		rid, _ := r.obj["requestId"].(string)
		line, ok := waitLogLine(r.h, rid)
		if !ok {
			t.Fatalf("no log line for %s", rid)
		}
		text := fmt.Sprint(line)
		for _, w := range words {
			if !strings.Contains(text, w) {
				t.Errorf("log line %s; want one containing %q", text, w)
			}
		}
	}
}

// bodyLacks checks that an error body does not explain what only the log may.
func bodyLacks(words ...string) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		for _, w := range words {
			if strings.Contains(string(r.body), w) {
				t.Errorf("body %s contains %q; the body must say only that the function is misconfigured", r.body, w)
			}
		}
	}
}

func all(checks ...func(t *testing.T, r *specReply)) func(t *testing.T, r *specReply) {
	return func(t *testing.T, r *specReply) {
		t.Helper()
		for _, c := range checks {
			c(t, r)
		}
	}
}

// lowerNames walks a JSON value and returns every member name with an upper-case letter.
func upperNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.ToLower(k) != k {
				out = append(out, k)
			}
			out = append(out, upperNames(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, upperNames(e)...)
		}
	}
	return out
}

// again sends the row's event a second time with the row's configuration.
func (r *specReply) again(t *testing.T) (map[string]any, []stsemu.Call) {
	t.Helper()
	return r.send(t, r.c.event)
}

// send sends another event with the row's configuration and returns its
// payload (data for cam) and the STS calls it made.
func (r *specReply) send(t *testing.T, event []byte) (map[string]any, []stsemu.Call) {
	t.Helper()
	env := map[string]string{}
	for _, k := range specVars {
		env[k] = r.h.env[k]
	}
	maps.Copy(env, r.c.env)
	r.h.emu.Reset()
	reply, _, err := r.h.send(event, "spec-again-"+rand4(), 10*time.Second, env)
	if err != nil {
		t.Fatalf("%v", err)
	}
	r.h.keep(reply.Payload)
	body := reply.Payload
	if !r.c.direct {
		var ir integration
		if err := json.Unmarshal(body, &ir); err != nil {
			t.Fatalf("reply %.300s: %v", body, err)
		}
		body = []byte(ir.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %.300s: %v", body, err)
	}
	if d, ok := m["data"].(map[string]any); ok {
		m = d
	}
	return m, r.h.emu.Calls()
}

var (
	allDefault = slices.Concat(uploadActions, downloadActions)
	corsOK     = map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
	noCORS     = map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "", "Access-Control-Allow-Headers": ""}
	preflight  = map[string]string{
		"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
		"Access-Control-Allow-Headers": "Authorization, Content-Type",
	}
)

// specCases is the table: one row per checkable contract statement.
func specCases(role map[string]string, jsonFile, yamlFile, reloadFile, bearer string) []specCase {
	dry := func(body string) []byte { return postBody(body) }
	k850 := "uploads/" + strings.Repeat("a", 842)
	scopes := map[string]string{"STS_SCOPES": specScopes}
	jwtEnv := map[string]string{
		"STS_AUTH": "jwt", "STS_JWT_ISSUER": jwtIssuer, "STS_JWT_AUDIENCE": jwtAudience, "STS_JWT_SECRET": jwtSecret, "STS_SCOPES": jwtScopes,
	}
	authed := func(body string) []byte {
		return fnURL("POST", nil, body, map[string]string{"content-type": "application/json", "authorization": "Bearer " + bearer})
	}
	b64 := func(s string) []byte {
		b, _ := json.Marshal(map[string]any{
			"httpMethod": "POST", "path": "/", "headers": map[string]string{"content-type": "application/json"},
			"queryString": map[string]any{}, "body": base64.StdEncoding.EncodeToString([]byte(s)), "isBase64Encoded": true,
		})
		return b
	}

	return []specCase{
		// ---- §1 How it is invoked ----
		{
			name:   "§1 API Gateway event: integration response; an error carries requestContext.requestId",
			event:  gateway("GET", map[string]any{"scope": "nope"}, "", "gw-0001-req", "10.0.2.14", nil),
			status: 400, errCode: "InvalidParameter", requestID: "gw-0001-req", calls: 0,
		},
		{
			name:   "§1 API Gateway event: the caller IP is requestContext.sourceIp, not x-scf-remote-addr",
			env:    scopes,
			event:  gateway("GET", map[string]any{"scope": "avatar", "dryRun": "true"}, "", "gw-0002", "10.0.2.14", map[string]string{"x-scf-remote-addr": "198.51.100.9"}),
			status: 200, calls: 0, check: sentIP("10.0.2.14"),
		},
		{
			name:   "§1 Function URL event: the caller IP is header x-scf-remote-addr",
			env:    scopes,
			event:  fnURL("POST", nil, `{"scope":"avatar","dryRun":true}`, map[string]string{"x-scf-remote-addr": "198.51.100.9"}),
			status: 200, calls: 0, check: sentIP("198.51.100.9"),
		},
		{
			name:   "§1 headers match case-insensitively: X-SCF-Remote-Addr",
			env:    scopes,
			event:  fnURL("POST", nil, `{"scope":"avatar","dryRun":true}`, map[string]string{"X-SCF-Remote-Addr": "198.51.100.10"}),
			status: 200, calls: 0, check: sentIP("198.51.100.10"),
		},
		{
			name:   "§1 headers match case-insensitively: ORIGIN",
			event:  fnURL("GET", map[string]any{"dryRun": "true"}, "", map[string]string{"ORIGIN": origin}),
			status: 200, calls: 0, headers: corsOK,
		},
		{
			name:   "§1 Function URL event: an error carries SCF's invocation request id",
			event:  postBody(`{"scope":"nope"}`),
			status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§1 direct invocation: the result is the cam body itself",
			event: direct(`{}`), direct: true, calls: 1, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§1 direct invocation: no caller IP, so bindSourceIp is left out",
			env:   scopes,
			event: direct(`{"scope":"avatar","dryRun":true}`), direct: true, calls: 0, check: sentIP(""),
		},
		{
			name:  "§1 direct invocation: an error is the same body, with SCF's request id",
			event: direct(`{"scope":"nope"}`), direct: true, status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:   "§1 queryString value as a string",
			event:  get(map[string]any{"prefixes": "uploads/a/", "dryRun": "true"}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/a/"}, nil),
		},
		{
			name:   "§1 queryString value as an array of strings",
			event:  get(map[string]any{"prefixes": []string{"uploads/a/", "uploads/b/"}, "dryRun": "true"}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{
			name:   "§1 queryString value true (a bare name) for a boolean",
			event:  get(map[string]any{"dryRun": true}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 isBase64Encoded: true: the body is decoded first",
			event:  b64(`{"prefixes":["uploads/b64/"],"dryRun":true}`),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/b64/"}, nil),
		},
		{
			name: "§1 isBase64Encoded: true with a body that is not base64 is a 400",
			event: func() []byte {
				b, _ := json.Marshal(map[string]any{"httpMethod": "POST", "path": "/", "headers": map[string]string{}, "queryString": map[string]any{}, "body": "{not base64}", "isBase64Encoded": true})
				return b
			}(),
			status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:   "§1 GET takes its parameters from the query string and mints",
			event:  get(map[string]any{"prefixes": "uploads/g/", "actions": "download", "durationSeconds": "600"}),
			status: 200, calls: 1, check: defaultGrant([]string{"uploads/g/"}, nil, downloadActions),
		},
		{
			name:   "§1 POST takes its parameters from the JSON body and mints",
			event:  postBody(`{"prefixes":["uploads/p/"],"actions":["upload"],"durationSeconds":900}`),
			status: 200, calls: 1, check: all(defaultGrant([]string{"uploads/p/"}, nil, uploadActions),
				callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) })),
		},
		{
			name:   "§1 POST with query parameters is a 400 InvalidParameter",
			event:  fnURL("POST", map[string]any{"dryRun": "true"}, `{}`, nil),
			status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§1 POST with an empty body is the default request",
			event: postBody(``), status: 200, calls: 1, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 POST ignores a Content-Type that is not JSON (text/plain, as browsers send to skip preflight)",
			event:  fnURL("POST", nil, `{"dryRun":true}`, map[string]string{"Content-Type": "text/plain;charset=UTF-8"}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 POST with a form-encoded body is a 400",
			event:  fnURL("POST", nil, `prefixes=uploads/a/&dryRun=true`, map[string]string{"content-type": "application/x-www-form-urlencoded"}),
			status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{name: "§1 OPTIONS is a 204", event: fnURL("OPTIONS", nil, "", nil), status: 204, calls: 0},
		{name: "§1 PUT is a 405 with Allow", event: fnURL("PUT", nil, `{}`, nil), status: 405, errCode: "MethodNotAllowed", headers: map[string]string{"Allow": "GET, POST, OPTIONS"}, calls: 0},
		{name: "§1 DELETE is a 405 with Allow", event: fnURL("DELETE", nil, "", nil), status: 405, errCode: "MethodNotAllowed", headers: map[string]string{"Allow": "GET, POST, OPTIONS"}, calls: 0},
		{name: "§1 PATCH is a 405 with Allow", event: fnURL("PATCH", nil, `{}`, nil), status: 405, errCode: "MethodNotAllowed", headers: map[string]string{"Allow": "GET, POST, OPTIONS"}, calls: 0},
		{name: "§1 HEAD is a 405 with Allow", event: fnURL("HEAD", nil, "", nil), status: 405, errCode: "MethodNotAllowed", headers: map[string]string{"Allow": "GET, POST, OPTIONS"}, calls: 0},
		{
			name:   "§1 API Gateway PUT is a 405 with the gateway's request id",
			event:  gateway("PUT", nil, `{}`, "gw-0003-put", "10.0.2.14", nil),
			status: 405, errCode: "MethodNotAllowed", requestID: "gw-0003-put", headers: map[string]string{"Allow": "GET, POST, OPTIONS"}, calls: 0,
		},
		{
			name: "§1 the request path is not interpreted",
			event: func() []byte {
				b, _ := json.Marshal(map[string]any{"httpMethod": "GET", "path": "/v1/some/where/else", "headers": map[string]string{}, "queryString": map[string]any{"dryRun": "1"}, "body": ""})
				return b
			}(),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 SCF's deadline: STS that never answers gets a clean 504 before it",
			event:  postBody(`{"prefixes":["uploads/slow/"]}`),
			faults: []stsemu.Fault{{Delay: time.Hour}}, deadline: defaultDeadline,
			status: 504, errCode: "UpstreamTimeout", calls: -1,
		},

		// ---- §2 Request parameters ----
		{
			name:  "§2 an unknown name in a JSON body is a 400 naming it",
			event: postBody(`{"prefix":["uploads/a/"]}`), status: 400, errCode: "InvalidParameter", says: []string{`"prefix"`}, calls: 0,
		},
		{
			name:  "§2 an unknown name in a query string is a 400 naming it",
			event: get(map[string]any{"duration": "900"}), status: 400, errCode: "InvalidParameter", says: []string{`"duration"`}, calls: 0,
		},
		{
			name:  "§2 an unknown name in a direct invocation is a 400 naming it",
			event: direct(`{"dryrun":true}`), direct: true, status: 400, errCode: "InvalidParameter", says: []string{`"dryrun"`}, calls: 0,
		},
		{
			name:  "§2 names are case-sensitive: Prefixes is unknown",
			event: get(map[string]any{"Prefixes": "uploads/"}), status: 400, errCode: "InvalidParameter", says: []string{`"Prefixes"`}, calls: 0,
		},
		{
			name:  "§2 {} is the default request: every scope prefix and key, the scope's actions and duration",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: all(defaultGrant([]string{"uploads/"}, []string{"exports/latest.csv"}),
				callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 1800) })),
		},
		{
			name:  "§2 a parameterless GET is the default request",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: get(nil), status: 200, calls: 1, check: defaultGrant([]string{"uploads/"}, []string{"exports/latest.csv"}),
		},
		{
			name:  "§2 scope defaults to default: scope=default is the same grant",
			event: get(map[string]any{"scope": "default", "dryRun": "true"}), status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 scope names a configured scope",
			env:   scopes,
			event: postBody(`{"scope":"export"}`), status: 200, calls: 1,
			check: grantIs("exports-1250000000", "ap-guangzhou", nil, []string{"exports/latest.csv"}, []string{"name/cos:GetObject"}),
		},
		{
			name:  "§2 an unknown scope is a 400",
			event: postBody(`{"scope":"nope"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes narrow the grant to exactly those",
			event: postBody(`{"prefixes":["uploads/a/","uploads/b/c/"]}`), status: 200, calls: 1,
			check: defaultGrant([]string{"uploads/a/", "uploads/b/c/"}, nil),
		},
		{
			name:  "§2 keys narrow the grant to exactly those",
			event: postBody(`{"keys":["uploads/a.txt","uploads/b/c.png"]}`), status: 200, calls: 1,
			check: defaultGrant(nil, []string{"uploads/a.txt", "uploads/b/c.png"}),
		},
		{
			name:  "§2 prefixes and keys together: exactly both",
			event: postBody(`{"prefixes":["uploads/a/"],"keys":["uploads/b.txt"]}`), status: 200, calls: 1,
			check: defaultGrant([]string{"uploads/a/"}, []string{"uploads/b.txt"}),
		},
		{
			name:  "§2 a prefix must end with /",
			event: postBody(`{"prefixes":["uploads/a"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a prefix outside the scope is a 403",
			event: postBody(`{"prefixes":["private/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a prefix containing the scope prefix is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 segment boundary: uploads/u1/ allows uploads/u1/2026/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/u1/2026/"],"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant([]string{"uploads/u1/2026/"}, nil),
		},
		{
			name:  "§2 segment boundary: uploads/u1/ never allows uploads/u10/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/u10/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 segment boundary: a key under uploads/u10/ is outside uploads/u1/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"keys":["uploads/u10/a.txt"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a key equal to a scope key is allowed",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"keys":["exports/latest.csv"],"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant(nil, []string{"exports/latest.csv"}),
		},
		{
			name:  "§2 a key that only starts with a scope key is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"keys":["exports/latest.csv2"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a prefix under a scope key is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"prefixes":["exports/latest.csv/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 actions: a preset",
			event: postBody(`{"actions":["download"],"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant([]string{"uploads/"}, nil, downloadActions),
		},
		{
			name:  "§2 actions: a COS action name, bare or name/cos:",
			event: postBody(`{"actions":["PutObject","name/cos:GetObject"],"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant([]string{"uploads/"}, nil, []string{"name/cos:PutObject", "name/cos:GetObject"}),
		},
		{
			name:  "§2 actions beyond the scope's are a 403",
			event: postBody(`{"actions":["delete"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 an unknown action is a 400",
			event: postBody(`{"actions":["Frobnicate"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a wildcard action is refused",
			event: postBody(`{"actions":["name/cos:*"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds defaults to the scope's",
			env:   map[string]string{"STS_DURATION_SECONDS": "900"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) }),
		},
		{
			name:  "§2 durationSeconds sets the lifetime; startTime = expiredTime - durationSeconds",
			event: postBody(`{"durationSeconds":600}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 600) }),
		},
		{
			name:  "§2 durationSeconds above the scope's maximum is a 403",
			event: postBody(`{"durationSeconds":7201}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 durationSeconds 0 is a 400 (README)",
			event: postBody(`{"durationSeconds":0}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds as a JSON string is a 400 (wrong type)",
			event: postBody(`{"durationSeconds":"900"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds as a fraction is a 400 (wrong type)",
			event: postBody(`{"durationSeconds":900.5}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds not a number in a query string is a 400",
			event: get(map[string]any{"durationSeconds": "abc"}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 format=sts answers the sts shape",
			event: postBody(`{"format":"sts"}`), format: "sts", status: 200, calls: 1, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 format defaults to STS_RESPONSE_FORMAT",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "sts"},
			event: postBody(`{}`), format: "sts", status: 200, calls: 1,
		},
		{
			name:  "§2 format=cam overrides STS_RESPONSE_FORMAT=sts",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "sts"},
			event: postBody(`{"format":"cam"}`), status: 200, calls: 1,
		},
		{
			name:  "§2 an unknown format is a 400",
			event: get(map[string]any{"format": "xml"}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 dryRun returns the policy and mints nothing",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 dryRun false mints",
			event: postBody(`{"dryRun":false}`), status: 200, calls: 1,
		},
		{
			name:  "§2 maxContentLength tightens an unlimited scope",
			event: postBody(`{"maxContentLength":1048576,"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("numeric_less_than_equal", "cos:content-length")
				if len(got) != 1 || num(got[0]) != 1048576 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [1048576]", got)
				}
			},
		},
		{
			name:  "§2 maxContentLength tightens a scope's limit",
			env:   scopes,
			event: postBody(`{"scope":"avatar","maxContentLength":1024,"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("numeric_less_than_equal", "cos:content-length")
				if len(got) != 1 || num(got[0]) != 1024 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [1024]", got)
				}
			},
		},
		{
			name:  "§2 maxContentLength never loosens a scope's limit: 403",
			env:   scopes,
			event: postBody(`{"scope":"avatar","maxContentLength":5242881}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 contentTypes tightens a scope's types",
			env:   scopes,
			event: postBody(`{"scope":"avatar","contentTypes":["image/png"],"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("string_like", "cos:content-type")
				if len(got) != 1 || !slices.Equal(strs(got[0]), []string{"image/png"}) {
					t.Errorf("string_like cos:content-type = %v; want [[image/png]]", got)
				}
			},
		},
		{
			name:  "§2 contentTypes the scope does not allow are a 403",
			env:   scopes,
			event: postBody(`{"scope":"avatar","contentTypes":["text/html"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 contentTypes wider than the scope's are a 403",
			env:   scopes,
			event: postBody(`{"scope":"avatar","contentTypes":["application/*"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 claims over HTTP are refused",
			event: postBody(`{"claims":{"sub":"alice"},"dryRun":true}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:   "§2 a query list by repeating the name",
			event:  get(map[string]any{"prefixes": []string{"uploads/a/", "uploads/b/"}, "actions": []string{"upload", "download"}, "dryRun": "true"}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{
			name:   "§2 a query list with commas",
			event:  get(map[string]any{"prefixes": "uploads/a/,uploads/b/", "actions": "upload,download", "dryRun": "true"}),
			status: 200, calls: 0, check: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{name: "§2 query boolean true", event: get(map[string]any{"dryRun": "true"}), status: 200, calls: 0},
		{name: "§2 query boolean 1", event: get(map[string]any{"dryRun": "1"}), status: 200, calls: 0},
		{name: "§2 query boolean false mints", event: get(map[string]any{"dryRun": "false"}), status: 200, calls: 1},
		{name: "§2 query boolean 0 mints", event: get(map[string]any{"dryRun": "0"}), status: 200, calls: 1},
		{name: "§2 query boolean yes is a 400", event: get(map[string]any{"dryRun": "yes"}), status: 400, errCode: "InvalidParameter", calls: 0},
		{
			name:  "§2 a single-valued query parameter given twice is a 400",
			event: get(map[string]any{"durationSeconds": []string{"900", "600"}}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a JSON field given twice is a 400 (README)",
			event: postBody(`{"dryRun":true,"dryRun":false}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes as a JSON string is a 400 (wrong type)",
			event: postBody(`{"prefixes":"uploads/a/"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes: [] with no keys is a 400, not everything (README)",
			event: postBody(`{"prefixes":[]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 malformed JSON is a 400",
			event: postBody(`{"prefixes":["uploads/a/"]`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a JSON body that is not an object is a 400",
			event: postBody(`["uploads/a/"]`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a direct invocation that is not an object is a 400",
			event: direct(`"uploads/a/"`), direct: true, status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a key of exactly 850 bytes is allowed",
			event: dry(`{"keys":["` + k850 + `"],"dryRun":true}`), status: 200, calls: 0, check: defaultGrant(nil, []string{k850}),
		},
		{name: "§2 a key of 851 bytes is a 400", event: dry(`{"keys":["` + k850 + `b"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a leading / is a 400", event: dry(`{"keys":["/uploads/a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with an empty segment is a 400", event: dry(`{"keys":["uploads//a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a . segment is a 400", event: dry(`{"keys":["uploads/./a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a .. segment is a 400", event: dry(`{"keys":["uploads/../a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a prefix with a .. segment is a 400", event: dry(`{"prefixes":["uploads/../"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a control character is a 400", event: dry(`{"keys":["uploads/a\u0001b"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with DEL is a 400", event: dry(`{"keys":["uploads/a\u007fb"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with * is a 400", event: dry(`{"keys":["uploads/a*"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with ? is a 400", event: dry(`{"keys":["uploads/a?"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 an empty key is a 400", event: dry(`{"keys":[""]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a prefix with * is a 400", event: get(map[string]any{"prefixes": "uploads/*/"}), status: 400, errCode: "InvalidParameter", calls: 0},
		{
			name:  "§2 a key that is not valid UTF-8 (raw byte 0xFF in the body) is a 400, not a different key",
			event: b64("{\"keys\":[\"uploads/a\xffb\"],\"dryRun\":true}"), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a key that is not valid UTF-8 (lone surrogate escape) is a 400, not a different key",
			event: dry(`{"keys":["uploads/a\ud800b"],"dryRun":true}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 unicode keys and keys with spaces are keys like any other",
			event: dry(`{"keys":["uploads/照片 1.jpg","uploads/my file (2).pdf"],"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant(nil, []string{"uploads/照片 1.jpg", "uploads/my file (2).pdf"}),
		},
		{
			name:  "§2 a query value is not URL-decoded twice",
			event: get(map[string]any{"keys": "uploads/a%2Fb", "dryRun": "true"}), status: 200, calls: 0,
			check: defaultGrant(nil, []string{"uploads/a%2Fb"}),
		},
		{
			name:  "§2 a grant too large for STS is refused before STS is called",
			event: dry(`{"prefixes":[` + manyPrefixes(200) + `]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},

		// ---- §3 Responses ----
		{
			name:  "§3 dry run, cam: the answer is inside data, mode GetFederationToken",
			event: postBody(`{"dryRun":true,"durationSeconds":900}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if r.payload["mode"] != "GetFederationToken" || num(r.payload["durationSeconds"]) != 900 {
					t.Errorf("mode, durationSeconds = %v, %v; want GetFederationToken, 900", r.payload["mode"], r.payload["durationSeconds"])
				}
			},
		},
		{
			name:  "§3 dry run, sts: the answer is the body itself",
			event: postBody(`{"dryRun":true,"format":"sts"}`), format: "sts", status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if _, ok := r.obj["data"]; ok {
					t.Errorf("sts dry run has a data member: %.300s", r.body)
				}
				if r.obj["dryRun"] != true {
					t.Errorf("dryRun = %v; want true", r.obj["dryRun"])
				}
			},
		},
		{
			name:  "§3 dry run with STS_ROLE_ARN: mode AssumeRole",
			env:   map[string]string{"STS_ROLE_ARN": roleARN},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if r.payload["mode"] != "AssumeRole" {
					t.Errorf("mode = %v; want AssumeRole", r.payload["mode"])
				}
			},
		},
		{
			name:  "§3 sts error shape",
			event: postBody(`{"format":"sts","scope":"nope"}`), format: "sts", status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§3 sts error shape for an error found before the body is read (405)",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "sts"},
			event: fnURL("PUT", nil, "", nil), format: "sts", status: 405, errCode: "MethodNotAllowed", calls: 0,
		},
		{
			name:  "§3 format=sts on a 403",
			event: get(map[string]any{"format": "sts", "prefixes": "private/"}), format: "sts", status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§3 format=sts on an invalid parameter after format",
			event: get(map[string]any{"format": "sts", "durationSeconds": "abc"}), format: "sts", status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§3 format=sts on an unknown field in a JSON body",
			event: postBody(`{"format":"sts","prefix":["uploads/a/"]}`), format: "sts", status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§3 sts error shape in a direct invocation",
			event: direct(`{"format":"sts","prefixes":["private/"]}`), direct: true, format: "sts", status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:   "§3 429 RequestLimitExceeded with Retry-After when STS keeps throttling",
			event:  postBody(`{}`),
			faults: []stsemu.Fault{{Code: "RequestLimitExceeded"}}, deadline: defaultDeadline,
			status: 429, errCode: "RequestLimitExceeded", calls: -1,
			check: func(t *testing.T, r *specReply) {
				if r.http.header("Retry-After") == "" {
					t.Errorf("Retry-After missing on a 429")
				}
			},
		},
		{
			name:   "§3 502 UpstreamError carries STS's error code and request id",
			event:  postBody(`{}`),
			faults: []stsemu.Fault{{Code: "FailedOperation.SpecReview", Message: "nope"}},
			status: 502, errCode: "UpstreamError", calls: -1, says: []string{"FailedOperation.SpecReview"},
			check: func(t *testing.T, r *specReply) {
				if len(r.calls) == 0 || r.calls[0].RequestID == "" {
					t.Fatalf("STS answered without a request id: %+v", r.calls)
				}
				msg, _ := r.obj["message"].(string)
				if !strings.Contains(msg, r.calls[0].RequestID) {
					t.Errorf("message = %q; want STS's request id %q in it", msg, r.calls[0].RequestID)
				}
			},
		},
		{
			name:   "§3 502 UpstreamError with STS's code in the sts shape",
			event:  postBody(`{"format":"sts"}`),
			faults: []stsemu.Fault{{Code: "AuthFailure.SecretIdNotFound"}},
			format: "sts", status: 502, errCode: "UpstreamError", calls: -1, says: []string{"AuthFailure.SecretIdNotFound"},
		},
		{
			name:  "§3 500 ConfigError: the body says only that, the log says what",
			env:   map[string]string{"STS_BUCKET": "examplebucket"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0,
			check: all(bodyLacks("STS_BUCKET", "examplebucket"), logSays("STS_BUCKET", "examplebucket-1250000000")),
		},
		{
			name:  "§3 500 ConfigError in the sts shape",
			env:   map[string]string{"STS_BUCKET": "examplebucket", "STS_RESPONSE_FORMAT": "sts"},
			event: postBody(`{}`), format: "sts", status: 500, errCode: "ConfigError", calls: 0,
		},
		{
			name:  "§3 401 Unauthorized with WWW-Authenticate: Bearer when STS_AUTH=jwt and no token",
			env:   jwtEnv,
			event: postBody(`{"scope":"mine"}`), status: 401, errCode: "Unauthorized", calls: 0,
			headers: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			name:   "§3 401 Unauthorized for a token with a bad signature",
			env:    jwtEnv,
			event:  fnURL("POST", nil, `{"scope":"mine"}`, map[string]string{"authorization": "Bearer " + bearer[:len(bearer)-4] + "AAAA"}),
			status: 401, errCode: "Unauthorized", calls: 0, headers: map[string]string{"WWW-Authenticate": "Bearer"},
		},

		// ---- §4 Configuration ----
		{
			name:  "§4 STS_SECRET_ID/STS_SECRET_KEY: GetFederationToken signed with them",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error {
				if c.Action != "GetFederationToken" || c.SecretID != secretID || c.Token != "" {
					return fmt.Errorf("call = %s by %s (token %v); want GetFederationToken by %s without a token", c.Action, c.SecretID, c.Token != "", secretID)
				}
				return nil
			}),
		},
		{
			name:  "§4 TENCENTCLOUD_* role keys with STS_ROLE_ARN: AssumeRole with X-TC-Token",
			env:   with(role, map[string]string{"STS_ROLE_ARN": roleARN}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error {
				if c.Action != "AssumeRole" || c.SecretID != role["TENCENTCLOUD_SECRETID"] || c.Token != role["TENCENTCLOUD_SESSIONTOKEN"] || c.RoleArn != roleARN {
					return fmt.Errorf("call = %s by %s, RoleArn %q (token matches %v); want AssumeRole by the role keys with their token", c.Action, c.SecretID, c.RoleArn, c.Token == role["TENCENTCLOUD_SESSIONTOKEN"])
				}
				return nil
			}),
		},
		{
			name:  "§4 STS_ROLE_EXTERNAL_ID is AssumeRole's ExternalId",
			env:   with(role, map[string]string{"STS_ROLE_ARN": roleARN, "STS_ROLE_EXTERNAL_ID": "ext-123"}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("ExternalId", c.ExternalId, "ext-123") }),
		},
		{
			name:  "§4 STS_ROLE_ARN with permanent keys: AssumeRole signed with them",
			env:   map[string]string{"STS_ROLE_ARN": roleARN},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error {
				if c.Action != "AssumeRole" || c.SecretID != secretID {
					return fmt.Errorf("call = %s by %s; want AssumeRole by %s", c.Action, c.SecretID, secretID)
				}
				return nil
			}),
		},
		{
			name:  "§4 AssumeRole's RoleSessionName is cossts-<request id> (README)",
			env:   map[string]string{"STS_ROLE_ARN": roleARN},
			event: postBody(`{}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				if got := r.calls[0].RoleSessionName; got != "cossts-"+r.id {
					t.Errorf("RoleSessionName = %q; want %q", got, "cossts-"+r.id)
				}
			},
		},
		{
			name:  "§4 AssumeRole allows STS_MAX_DURATION_SECONDS up to 43200 (README)",
			env:   map[string]string{"STS_ROLE_ARN": roleARN, "STS_MAX_DURATION_SECONDS": "43200"},
			event: postBody(`{"durationSeconds":43200}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 43200) }),
		},
		{
			name:  "§4 GetFederationToken refuses STS_MAX_DURATION_SECONDS above a sub-account's 129600 (README)",
			env:   map[string]string{"STS_MAX_DURATION_SECONDS": "129601"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_MAX_DURATION_SECONDS"),
		},
		{
			name:  "§4 STS_SECRET_ID wins over the role keys (README)",
			env:   with(role, map[string]string{"STS_SECRET_ID": secretID, "STS_SECRET_KEY": h0SecretPlaceholder}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("SecretID", c.SecretID, secretID) }),
		},
		{
			name:  "§4 role keys without STS_ROLE_ARN: ConfigError that says to set STS_ROLE_ARN",
			env:   role,
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ROLE_ARN"),
		},
		{
			name:  "§4 no keys at all: ConfigError that says to set STS_ROLE_ARN or the keys",
			env:   map[string]string{"STS_SECRET_ID": "", "STS_SECRET_KEY": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ROLE_ARN", "STS_SECRET_ID"),
		},
		{
			name:  "§4 credentials are read at every invocation: a new permanent key is used at once",
			env:   map[string]string{"STS_SECRET_KEY": "not-the-key"},
			event: postBody(`{}`), status: 502, errCode: "UpstreamError", calls: 1, says: []string{"AuthFailure"},
		},
		{
			name:  "§4 STS_REGION is the region sent to STS",
			env:   map[string]string{"STS_REGION": "ap-chengdu"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-chengdu") }),
		},
		{
			name:  "§4 STS_REGION defaults to TENCENTCLOUD_REGION",
			env:   map[string]string{"TENCENTCLOUD_REGION": "ap-beijing"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-beijing") }),
		},
		{
			name:  "§4 STS_REGION defaults to ap-guangzhou",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-guangzhou") }),
		},
		{
			name:  "§4 STS_BUCKET_REGION defaults to STS_REGION",
			env:   map[string]string{"STS_BUCKET_REGION": "", "STS_REGION": "ap-chengdu"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: grantIs(bucket, "ap-chengdu", []string{"uploads/"}, nil, allDefault),
		},
		{
			name:  "§4 STS_BUCKET_REGION is the resource region",
			env:   map[string]string{"STS_BUCKET_REGION": "ap-shanghai"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: grantIs(bucket, "ap-shanghai", []string{"uploads/"}, nil, allDefault),
		},
		{
			name:  "§4 STS_FEDERATION_NAME defaults to cossts",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Name", c.Name, "cossts") }),
		},
		{
			name:  "§4 STS_FEDERATION_NAME is GetFederationToken's Name",
			env:   map[string]string{"STS_FEDERATION_NAME": "photoapp"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Name", c.Name, "photoapp") }),
		},
		{
			name:  "§4 STS_FEDERATION_NAME must be letters only",
			env:   map[string]string{"STS_FEDERATION_NAME": "photo-app"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_FEDERATION_NAME"),
		},
		{
			name:  "§4 STS_ENDPOINT that is not a host or URL is a ConfigError",
			env:   map[string]string{"STS_ENDPOINT": "ftp://sts.example.com/path"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ENDPOINT"),
		},
		{
			name:  "§4 STS_BUCKET is required",
			env:   map[string]string{"STS_BUCKET": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_BUCKET"),
		},
		{
			name:  "§4 STS_BUCKET needs its APPID suffix",
			env:   map[string]string{"STS_BUCKET": "examplebucket"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_BUCKET"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES is required",
			env:   map[string]string{"STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES: folders end in /, other items are keys",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/, docs/readme.md"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant([]string{"uploads/"}, []string{"docs/readme.md"}),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES=* is the whole bucket",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "*"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				want := []string{res(bucket, region, "*")}
				if got := r.dryPolicy(t).resources(); !slices.Equal(got, want) {
					t.Errorf("resources = %q; want %q", got, want)
				}
			},
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES=* beside folders is a ConfigError",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,*"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES with a bad item is a ConfigError",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "/uploads/"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS defaults to upload,download",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil, uploadActions, downloadActions),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS: the delete preset is DeleteObject",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "delete"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil, []string{"name/cos:DeleteObject"}),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS: presets and COS names mix",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "download, PutObject, name/cos:DeleteObject"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: defaultGrant([]string{"uploads/"}, nil, downloadActions, []string{"name/cos:PutObject", "name/cos:DeleteObject"}),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS with an unknown action is a ConfigError",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "upload,Frobnicate"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_ACTIONS", "Frobnicate"),
		},
		{
			name:  "§4 STS_DURATION_SECONDS is the default lifetime",
			env:   map[string]string{"STS_DURATION_SECONDS": "1200"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if got := num(r.payload["durationSeconds"]); got != 1200 {
					t.Errorf("durationSeconds = %d; want 1200", got)
				}
			},
		},
		{
			name:  "§4 STS_MAX_DURATION_SECONDS defaults to 7200: 7200 is allowed",
			event: postBody(`{"durationSeconds":7200}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 7200) }),
		},
		{
			name:  "§4 STS_MAX_DURATION_SECONDS is the most a caller may ask for",
			env:   map[string]string{"STS_MAX_DURATION_SECONDS": "3600"},
			event: postBody(`{"durationSeconds":3601}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_DURATION_SECONDS above STS_MAX_DURATION_SECONDS is a ConfigError",
			env:   map[string]string{"STS_DURATION_SECONDS": "3600", "STS_MAX_DURATION_SECONDS": "900"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0,
		},
		{
			name:  "§4 STS_POLICY is used verbatim",
			env:   map[string]string{"STS_POLICY": specPolicy, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Policy", c.Policy, specPolicy) }),
		},
		{
			name:  "§4 STS_POLICY with whitespace and conditions is sent unchanged in meaning",
			env:   map[string]string{"STS_POLICY": specPolicySpaced, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				var got, want any
				if err := json.Unmarshal([]byte(r.calls[0].Policy), &got); err != nil {
					t.Fatalf("sent policy %q: %v", r.calls[0].Policy, err)
				}
				if err := json.Unmarshal([]byte(specPolicySpaced), &want); err != nil {
					t.Fatalf("STS_POLICY: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("sent policy = %s; want %s", r.calls[0].Policy, specPolicySpaced)
				}
			},
		},
		{
			name:  "§4 STS_POLICY: callers cannot narrow it",
			env:   map[string]string{"STS_POLICY": specPolicy, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{"prefixes":["docs/a/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_POLICY that is not JSON is a ConfigError",
			env:   map[string]string{"STS_POLICY": "{version: 2.0", "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_POLICY"),
		},
		{
			name:  "§4 STS_SCOPES: a named scope's bucket, region, actions and durationSeconds",
			env:   scopes,
			event: fnURL("POST", nil, `{"scope":"avatar"}`, map[string]string{"x-scf-remote-addr": "203.0.113.7"}), status: 200, calls: 1,
			// The avatar scope's limits leave the upload preset with PutObject alone (README, "Limits and upload paths").
			check: all(grantIs("avatars-1250000000", "ap-shanghai", []string{"avatars/"}, nil, []string{"name/cos:PutObject"}),
				callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) })),
		},
		{
			name:  "§4 STS_SCOPES: a named scope's maxDurationSeconds",
			env:   scopes,
			event: postBody(`{"scope":"avatar","durationSeconds":1801}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_SCOPES: a named scope's conditions go into the policy",
			env:   scopes,
			event: postBody(`{"scope":"avatar","actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				p := r.dryPolicy(t)
				if got := p.condition("numeric_less_than_equal", "cos:content-length"); len(got) != 1 || num(got[0]) != 5242880 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [5242880]", got)
				}
				if got := p.condition("string_like", "cos:content-type"); len(got) != 1 || !slices.Equal(strs(got[0]), []string{"image/*"}) {
					t.Errorf("string_like cos:content-type = %v; want [[image/*]]", got)
				}
			},
		},
		{
			name:  "§4 STS_SCOPES: the env-built default scope stays beside named ones",
			env:   scopes,
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, check: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§4 STS_SCOPES that is not valid JSON is a ConfigError",
			env:   map[string]string{"STS_SCOPES": `{"avatar": {`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES"),
		},
		{
			name:  "§4 STS_SCOPES with an unknown field is a ConfigError (a typo never widens a grant)",
			env:   map[string]string{"STS_SCOPES": `{"x": {"bucket": "examplebucket-1250000000", "prefixes": ["a/"], "action": ["upload"]}}`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES"),
		},
		{
			name:  "§4 STS_SCOPES_FILE: a JSON file",
			env:   map[string]string{"STS_SCOPES_FILE": jsonFile},
			event: postBody(`{"scope":"export","dryRun":true}`), status: 200, calls: 0,
			check: grantIs("exports-1250000000", "ap-guangzhou", nil, []string{"exports/latest.csv"}, []string{"name/cos:GetObject"}),
		},
		{
			name:  "§4 STS_SCOPES_FILE: a YAML file",
			env:   map[string]string{"STS_SCOPES_FILE": yamlFile},
			event: postBody(`{"scope":"avatar","dryRun":true}`), status: 200, calls: 0,
			check: grantIs("avatars-1250000000", "ap-shanghai", []string{"avatars/"}, nil, uploadActions),
		},
		{
			name:  "§4 STS_SCOPES_FILE is re-read when the file changes",
			env:   map[string]string{"STS_SCOPES_FILE": reloadFile},
			event: postBody(`{"scope":"first","dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if err := os.WriteFile(reloadFile, []byte(`{"second": {"bucket": "examplebucket-1250000000", "prefixes": ["second/"], "actions": ["download"]}}`), 0o644); err != nil {
					t.Fatalf("rewrite %s: %v", reloadFile, err)
				}
				got, _ := r.send(t, postBody(`{"scope":"second","dryRun":true}`))
				if !slices.Equal(strs(got["prefixes"]), []string{"second/"}) {
					t.Errorf("after the file changed, scope second = %v; want prefixes [second/]", got)
				}
			},
		},
		{
			name:  "§4 STS_SCOPES_FILE that does not exist is a ConfigError",
			env:   map[string]string{"STS_SCOPES_FILE": filepath.Join(filepath.Dir(jsonFile), "missing.yaml")},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES_FILE"),
		},
		{
			name:  "§4 a ${jwt:…} template while STS_AUTH=none is a ConfigError",
			env:   map[string]string{"STS_SCOPES": `{"mine": {"bucket": "examplebucket-1250000000", "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]}}`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0,
		},
		{
			name:  "§4 STS_RESPONSE_FORMAT other than cam or sts is a ConfigError",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "xml"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_RESPONSE_FORMAT"),
		},
		{
			name:  "§4 STS_LOG_LEVEL other than debug, info, warn, error is a ConfigError",
			env:   map[string]string{"STS_LOG_LEVEL": "verbose"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_LOG_LEVEL"),
		},
		{
			name:  "§4 STS_LOG_LEVEL=debug is accepted",
			env:   map[string]string{"STS_LOG_LEVEL": "debug"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
		},
		{
			name:  "§4 STS_AUTH defaults to none: no token needed",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
		},
		{
			name:  "§4 STS_AUTH other than none or jwt is a ConfigError",
			env:   map[string]string{"STS_AUTH": "basic"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_AUTH"),
		},
		{
			name:  "§4 STS_AUTH=jwt: a valid HS256 token mints, with ${jwt:sub} substituted",
			env:   jwtEnv,
			event: authed(`{"scope":"mine"}`), status: 200, calls: 1,
			check: grantIs(bucket, region, []string{"users/alice/"}, nil, uploadActions),
		},
		{
			name:  "§4 STS_AUTH=jwt: an anonymous scope is served without a token",
			env:   jwtEnv,
			event: postBody(`{"scope":"public","dryRun":true}`), status: 200, calls: 0,
			check: grantIs(bucket, region, []string{"public/"}, nil, downloadActions),
		},
		{
			name:  "§2 claims in a direct invocation with STS_AUTH=jwt test a scope as that user",
			env:   jwtEnv,
			event: direct(`{"scope":"mine","claims":{"sub":"bob"},"dryRun":true}`), direct: true, calls: 0,
			check: grantIs(bucket, region, []string{"users/bob/"}, nil, uploadActions),
		},
		{
			name:  "§4 STS_CACHE defaults to off: an identical request mints again",
			event: postBody(`{"prefixes":["uploads/cache/"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				if _, calls := r.again(t); len(calls) != 1 {
					t.Errorf("second identical request: %d STS calls; want 1", len(calls))
				}
			},
		},
		{
			name:  "§4 STS_CACHE=on reuses credentials for an identical grant in a warm instance",
			env:   map[string]string{"STS_CACHE": "on"},
			event: postBody(`{"prefixes":["uploads/cache/"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				second, calls := r.again(t)
				if len(calls) != 0 {
					t.Errorf("second identical request: %d STS calls; want 0", len(calls))
				}
				first, _ := r.payload["credentials"].(map[string]any)
				again, _ := second["credentials"].(map[string]any)
				if first["tmpSecretId"] != again["tmpSecretId"] {
					t.Errorf("second tmpSecretId = %v; want the first's %v", again["tmpSecretId"], first["tmpSecretId"])
				}
			},
		},

		// ---- §5 CORS ----
		{
			name:  "§5 an allowed Origin gets Access-Control-Allow-Origin and Vary: Origin",
			event: withOrigin("GET", origin, map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: corsOK,
		},
		{
			name:  "§5 an allowed Origin gets CORS headers on an error too",
			event: withOrigin("POST", origin, nil, `{"prefixes":["private/"]}`), status: 403, errCode: "AccessDenied", calls: 0, headers: corsOK,
		},
		{
			name:  "§5 an allowed Origin gets CORS headers on a 405",
			event: withOrigin("PUT", origin, nil, ""), status: 405, errCode: "MethodNotAllowed", calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Allow": "GET, POST, OPTIONS"},
		},
		{
			name:  "§5 one of several allowed origins",
			env:   map[string]string{"STS_ALLOW_ORIGINS": "https://a.example.com,https://b.example.com:8443"},
			event: withOrigin("GET", "https://b.example.com:8443", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": "https://b.example.com:8443", "Vary": "Origin"},
		},
		{
			name:  "§5 STS_ALLOW_ORIGINS=* answers *",
			env:   map[string]string{"STS_ALLOW_ORIGINS": "*"},
			event: withOrigin("GET", "https://anything.example", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": "*"},
		},
		{
			name:  "§5 OPTIONS preflight: 204 with Allow-Methods, Allow-Headers and Max-Age",
			event: withOrigin("OPTIONS", origin, nil, ""), status: 204, calls: 0, headers: preflight,
		},
		{
			name:  "§5 OPTIONS preflight carries Access-Control-Max-Age",
			event: withOrigin("OPTIONS", origin, nil, ""), status: 204, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if n, err := strconv.Atoi(r.http.header("Access-Control-Max-Age")); err != nil || n <= 0 {
					t.Errorf("Access-Control-Max-Age = %q; want a positive number of seconds", r.http.header("Access-Control-Max-Age"))
				}
			},
		},
		{
			name:  "§5 a disallowed Origin gets no CORS headers, and the request is served",
			event: withOrigin("GET", "https://evil.example", nil, ""), status: 200, calls: 1, headers: noCORS,
		},
		{
			name:  "§5 a disallowed Origin's preflight gets no CORS headers",
			event: withOrigin("OPTIONS", "https://evil.example", nil, ""), status: 204, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 an origin differing only by a trailing slash is not allowed",
			event: withOrigin("GET", origin+"/", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 without STS_ALLOW_ORIGINS there are no CORS headers",
			env:   map[string]string{"STS_ALLOW_ORIGINS": ""},
			event: withOrigin("GET", origin, map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 OPTIONS without Origin is a 204 without CORS headers",
			event: fnURL("OPTIONS", nil, "", nil), status: 204, calls: 0, headers: map[string]string{"Access-Control-Allow-Origin": ""},
		},

		// ---- §6 The policy ----
		{
			name:  "§6 version 2.0, lowercase names, no principal, allow only",
			env:   scopes,
			event: postBody(`{"scope":"avatar"}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				raw := r.calls[0].Policy
				var v map[string]any
				if err := json.Unmarshal([]byte(raw), &v); err != nil {
					t.Fatalf("policy %q: %v", raw, err)
				}
				if v["version"] != "2.0" {
					t.Errorf("version = %v; want 2.0", v["version"])
				}
				if up := upperNames(v); len(up) != 0 {
					t.Errorf("member names with upper case: %q", up)
				}
				if strings.Contains(strings.ToLower(raw), "principal") {
					t.Errorf("policy has a principal: %s", raw)
				}
				for _, s := range r.sentPolicy(t).Statement {
					if s.Effect != "allow" {
						t.Errorf("effect = %q; want allow", s.Effect)
					}
				}
			},
		},
		{
			name:  "§6 the Policy parameter is url.QueryEscape of the JSON",
			event: postBody(`{"keys":["uploads/照片 1+2&x=y.jpg"]}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("RawPolicy", c.RawPolicy, url.QueryEscape(c.Policy)) }),
		},
		{
			name:  "§6 deterministic: the same request sends the same policy text",
			event: postBody(`{"prefixes":["uploads/b/","uploads/a/"],"keys":["uploads/k.txt"],"actions":["download","upload"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				_, calls := r.again(t)
				if len(calls) != 1 || calls[0].Policy != r.calls[0].Policy {
					t.Errorf("second policy differs:\n%s\n%s", r.calls[0].Policy, policyOfCalls(calls))
				}
			},
		},
		{
			name:  "§6 a folder prefix p/ is qcs::cos:<region>:uid/<appid>:<bucket>/p/*, a key k is …/<bucket>/k",
			event: postBody(`{"prefixes":["uploads/p/"],"keys":["uploads/k.txt"],"actions":["GetObject"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				want := []string{
					"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/p/*",
					"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/k.txt",
				}
				p := r.sentPolicy(t)
				if got := p.resources(); !sameSet(got, want) {
					t.Errorf("resources = %q; want %q", got, want)
				}
				if got := p.actions(); !slices.Equal(slices.Compact(got), []string{"name/cos:GetObject"}) {
					t.Errorf("actions = %q; want exactly name/cos:GetObject", got)
				}
			},
		},
		{
			name:  "§6 the APPID is the bucket name's suffix after its last -",
			env:   map[string]string{"STS_BUCKET": "my-photo-bucket-1250000000"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: grantIs("my-photo-bucket-1250000000", region, []string{"uploads/"}, nil, allDefault),
		},
	}
}

// h0SecretPlaceholder marks the row that needs the harness's own permanent
// key; TestSpec cannot know it when the table is built, so it is replaced.
const h0SecretPlaceholder = "\x00harness-secret-key"

func with(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func wantStr(name, got, want string) error {
	if got != want {
		return fmt.Errorf("%s = %q; want %q", name, got, want)
	}
	return nil
}

func wantInt(name string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s = %d; want %d", name, got, want)
	}
	return nil
}

func manyPrefixes(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"uploads/p%d/"`, i)
	}
	return b.String()
}

func policyOfCalls(calls []stsemu.Call) string {
	if len(calls) == 0 {
		return "(no call)"
	}
	return calls[0].Policy
}

// TestSpecLocal checks docs/contract.md §7: cmd/local runs the function with the STS
// emulator when STS_ENDPOINT is unset, and explain reads no keys.
func TestSpecLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/local")
	}
	// go run builds in a child process: stat the sources here so a cached pass is dropped when they change.
	if err := scfrpc.WatchSources(".."); err != nil {
		t.Fatalf("watch sources: %v", err)
	}
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"prefixes":["uploads/alice/"],"actions":["upload"]}`), 0o644); err != nil {
		t.Fatalf("write event: %v", err)
	}
	cases := []struct {
		name   string
		args   []string
		env    []string
		stdout []string // words stdout must contain
		stderr []string // words stderr must contain
	}{
		{
			name: "§7 invoke without STS_ENDPOINT starts the emulator, says so, and prints the reply",
			args: []string{"invoke", event}, stdout: []string{`"codeDesc": "Success"`, `"tmpSecretId"`}, stderr: []string{"emulator"},
		},
		{
			name: "§7 explain prints the policy with no keys configured",
			args: []string{"explain", event}, env: []string{"STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=uploads/"},
			stdout: []string{`"version": "2.0"`, "uploads/alice/*", "name/cos:PutObject"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("go", append([]string{"run", "./cmd/local"}, c.args...)...)
			cmd.Dir = ".."
			cmd.Env = append(cleanEnv(), c.env...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("go run ./cmd/local %s: %v\n%s", strings.Join(c.args, " "), err, stderr.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %.500s; want it to contain %q", stdout.String(), w)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %.500s; want it to contain %q", stderr.String(), w)
				}
			}
		})
	}
}

// cleanEnv is this process's environment without the function's variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STS_") && !strings.HasPrefix(kv, "TENCENTCLOUD_") {
			out = append(out, kv)
		}
	}
	return out
}
