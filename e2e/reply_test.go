package e2e_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// This file is the one reply checker of the package: every test that looks at
// a reply checks it with wellFormed, matches a mint to the STS call that
// issued it with matchIssued, and checks a grant with checkGrant. They return
// errors rather than failing a test, so goroutines may use them.

// replyWant is what a reply must look like, whatever else the test checks.
type replyWant struct {
	direct    bool              // a direct invocation: the body is the result itself
	status    int               // HTTP status (for a direct invocation's error, the code its body names)
	format    string            // "cam" (or "") or "sts"
	code      string            // the error code; "" for success
	requestID string            // the requestId an error body carries
	says      []string          // words an error message must contain
	headers   map[string]string // exact header values; "" means absent
	// bucket and region a mint's reply must name; "" means the harness's demo
	// configuration (bucket, region), noBucket an empty one.
	bucket, region string
}

// noBucket is replyWant.bucket for a mint that names no bucket: an STS_POLICY
// grant, which may span several.
const noBucket = "(none)"

// parsed is a reply taken apart.
type parsed struct {
	http    integration    // the integration response; zero for a direct invocation
	body    []byte         // its body, or a direct invocation's result
	obj     map[string]any // body as a JSON object; nil for a 204
	payload map[string]any // a success's credential payload or dry run: data for cam, the body for sts
	grant   *grantBody     // payload, typed
}

// integration is the reply to an HTTP-shaped event (docs/contract.md §1).
type integration struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

// header looks a name up case-insensitively, as HTTP does.
func (r integration) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// camBody is docs/contract.md §3's cam shape, success or error.
type camBody struct {
	Code      *int            `json:"code"`
	Message   *string         `json:"message"`
	CodeDesc  string          `json:"codeDesc"`
	RequestID string          `json:"requestId"`
	Data      json.RawMessage `json:"data"`
}

// grantBody is the credential payload (data of cam, or the whole sts body),
// or a dry run's answer.
type grantBody struct {
	Credentials *struct {
		SessionToken string `json:"sessionToken"`
		TmpSecretID  string `json:"tmpSecretId"`
		TmpSecretKey string `json:"tmpSecretKey"`
	} `json:"credentials"`
	ExpiredTime int64    `json:"expiredTime"`
	StartTime   int64    `json:"startTime"`
	Expiration  string   `json:"expiration"`
	RequestID   string   `json:"requestId"`
	Bucket      string   `json:"bucket"`
	Region      string   `json:"region"`
	Prefixes    []string `json:"prefixes"`
	Keys        []string `json:"keys"`
	Actions     []string `json:"actions"`

	DryRun          bool            `json:"dryRun"`
	Mode            string          `json:"mode"`
	DurationSeconds int             `json:"durationSeconds"`
	Policy          json.RawMessage `json:"policy"`
}

// Exact member names of docs/contract.md §1's integration response and §3's bodies.
var (
	integrationKeys = []string{"isBase64Encoded", "statusCode", "headers", "body"}
	camSuccessKeys  = []string{"code", "message", "codeDesc", "data"}
	grantKeys       = []string{"credentials", "expiredTime", "startTime", "expiration", "requestId", "bucket", "region", "prefixes", "keys", "actions"}
	credentialKeys  = []string{"sessionToken", "tmpSecretId", "tmpSecretKey", "token"}
	dryRunKeys      = []string{"dryRun", "mode", "durationSeconds", "policy", "bucket", "region", "prefixes", "keys", "actions"}
	camErrorKeys    = []string{"code", "message", "codeDesc", "requestId"}
	stsErrorKeys    = []string{"error", "requestId"}
	stsErrorInner   = []string{"code", "message"}
)

// errorStatus is docs/contract.md §3's table: the status of each error code.
var errorStatus = map[string]int{
	"InvalidParameter": 400, "Unauthorized": 401, "AccessDenied": 403, "MethodNotAllowed": 405,
	"RequestLimitExceeded": 429, "ConfigError": 500, "InternalError": 500, "UpstreamError": 502, "UpstreamTimeout": 504,
}

// problems collects what is wrong with a reply.
type problems []error

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// wellFormed checks one reply against docs/contract.md §1, §3 and §5 and
// returns it parsed: the integration response and its headers, the exact
// members of the body, an error's code, status, message and request id, a
// success's credentials, times and grant fields, a dry run's answer.
func wellFormed(payload []byte, want replyWant) (parsed, error) {
	var p parsed
	var bad problems
	p.body = payload
	if want.direct {
		var probe map[string]json.RawMessage
		if json.Unmarshal(payload, &probe) == nil {
			if _, ok := probe["statusCode"]; ok {
				return p, fmt.Errorf("a direct invocation got an integration response %.300s; want the body itself", payload)
			}
		}
	} else {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(payload, &members); err != nil {
			return p, fmt.Errorf("reply %.300s is not an integration response: %w", payload, err)
		}
		if err := json.Unmarshal(payload, &p.http); err != nil {
			return p, fmt.Errorf("reply %.300s is not an integration response: %w", payload, err)
		}
		if err := exactKeys("integration response", members, integrationKeys); err != nil {
			bad = append(bad, err)
		}
		bad = append(bad, checkHeaders(p.http, want)...)
		p.body = []byte(p.http.Body)
	}
	if want.status == 204 {
		if len(p.body) != 0 {
			bad.add("204 body = %q; want none", p.body)
		}
		return p, joined(bad, p.body)
	}
	if err := json.Unmarshal(p.body, &p.obj); err != nil || p.obj == nil {
		bad.add("body %.300s is not a JSON object (%v)", p.body, err)
		return p, joined(bad, nil)
	}
	if want.code != "" {
		bad = append(bad, errorShape(p.obj, want)...)
		return p, joined(bad, p.body)
	}
	bad = append(bad, successShape(&p, want)...)
	return p, joined(bad, p.body)
}

func joined(bad problems, body []byte) error {
	if len(bad) == 0 {
		return nil
	}
	if body != nil {
		return fmt.Errorf("%w (body %.300s)", errors.Join(bad...), body)
	}
	return errors.Join(bad...)
}

// checkHeaders checks the integration response's status and headers: those
// every reply carries (§3), those its status calls for (§3), CORS (§5), and
// the caller's own.
func checkHeaders(r integration, want replyWant) problems {
	var bad problems
	if r.StatusCode != want.status {
		bad.add("statusCode = %d; want %d", r.StatusCode, want.status)
	}
	if got := r.header("Content-Type"); got != "application/json; charset=utf-8" {
		bad.add("Content-Type = %q; want application/json; charset=utf-8", got)
	}
	if got := r.header("Cache-Control"); got != "no-store" {
		bad.add("Cache-Control = %q; want no-store", got)
	}
	if r.IsBase64Encoded {
		bad.add("isBase64Encoded = true; want a JSON text body")
	}
	switch r.StatusCode {
	case 401:
		if got := r.header("WWW-Authenticate"); got != "Bearer" {
			bad.add("a 401 with WWW-Authenticate %q; want Bearer", got)
		}
	case 405:
		if got := r.header("Allow"); got != "GET, POST, OPTIONS" {
			bad.add("Allow = %q; want GET, POST, OPTIONS", got)
		}
	case 429:
		if n, err := strconv.Atoi(r.header("Retry-After")); err != nil || n <= 0 {
			bad.add("a 429 with Retry-After %q; want a positive number of seconds", r.header("Retry-After"))
		}
	}
	if origin := r.header("Access-Control-Allow-Origin"); origin != "" {
		if origin != "*" && r.header("Vary") != "Origin" {
			bad.add("Access-Control-Allow-Origin %q without Vary: Origin (Vary = %q)", origin, r.header("Vary"))
		}
		if r.StatusCode == 204 {
			if got := r.header("Access-Control-Allow-Methods"); got != "GET, POST, OPTIONS" {
				bad.add("preflight Access-Control-Allow-Methods = %q; want GET, POST, OPTIONS", got)
			}
			if got := r.header("Access-Control-Allow-Headers"); got != "Authorization, Content-Type" {
				bad.add("preflight Access-Control-Allow-Headers = %q; want Authorization, Content-Type", got)
			}
			if n, err := strconv.Atoi(r.header("Access-Control-Max-Age")); err != nil || n <= 0 {
				bad.add("preflight Access-Control-Max-Age = %q; want a positive number of seconds", r.header("Access-Control-Max-Age"))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want.headers)) {
		if got := r.header(name); got != want.headers[name] {
			bad.add("header %s = %q; want %q", name, got, want.headers[name])
		}
	}
	return bad
}

// errorShape checks an error body (§3): its exact members, the code and the
// status it names, a message with the words asked for, the invocation's
// request id.
func errorShape(obj map[string]any, want replyWant) problems {
	var bad problems
	if s, ok := errorStatus[want.code]; !ok || s != want.status {
		bad.add("the test expects %s with status %d; docs/contract.md §3 gives it %d", want.code, want.status, s)
	}
	var code, message string
	if want.format == "sts" {
		if err := exactKeys("sts error", obj, stsErrorKeys); err != nil {
			bad = append(bad, err)
		}
		inner, _ := obj["error"].(map[string]any)
		if err := exactKeys("sts error.error", inner, stsErrorInner); err != nil {
			bad = append(bad, err)
		}
		code, _ = inner["code"].(string)
		message, _ = inner["message"].(string)
	} else {
		if err := exactKeys("cam error", obj, camErrorKeys); err != nil {
			bad = append(bad, err)
		}
		if got := num(obj["code"]); got != int64(want.status) {
			bad.add("code = %v; want the status %d", obj["code"], want.status)
		}
		code, _ = obj["codeDesc"].(string)
		message, _ = obj["message"].(string)
	}
	if code != want.code {
		bad.add("error code = %q; want %q (message %q)", code, want.code, message)
	}
	if message == "" {
		bad.add("error %s has no message", code)
	}
	for _, w := range want.says {
		if !strings.Contains(message, w) {
			bad.add("message = %q; want one containing %q", message, w)
		}
	}
	if rid, _ := obj["requestId"].(string); rid != want.requestID {
		bad.add("requestId = %q; want %q", rid, want.requestID)
	}
	return bad
}

// successShape checks a success body (§3) and fills in p's payload: for a
// mint, exactly the credential payload's members, three credentials, the
// times (startTime before expiredTime, expiration the same instant), STS's
// request id and the grant fields; for a dry run, its members and no
// credentials.
func successShape(p *parsed, want replyWant) problems {
	var bad problems
	if want.format == "sts" {
		p.payload = p.obj
		for _, k := range []string{"data", "code", "codeDesc"} {
			if _, ok := p.obj[k]; ok {
				bad.add("an sts success has a %q member", k)
			}
		}
	} else {
		if err := exactKeys("cam success", p.obj, camSuccessKeys); err != nil {
			bad = append(bad, err)
		}
		if num(p.obj["code"]) != 0 || p.obj["message"] != "" || p.obj["codeDesc"] != "Success" {
			bad.add("code, message, codeDesc = %v, %v, %v; want 0, \"\", Success", p.obj["code"], p.obj["message"], p.obj["codeDesc"])
		}
		p.payload, _ = p.obj["data"].(map[string]any)
		if p.payload == nil {
			bad.add("cam success without a data object")
			return bad
		}
	}
	raw, _ := json.Marshal(p.payload)
	p.grant = new(grantBody)
	if err := json.Unmarshal(raw, p.grant); err != nil {
		bad.add("payload %.300s: %v", raw, err)
		return bad
	}
	for _, k := range []string{"prefixes", "keys", "actions"} {
		list, ok := p.payload[k].([]any)
		if !ok {
			bad.add("%s = %v; want a JSON array", k, p.payload[k])
		}
		for _, v := range list {
			if s, ok := v.(string); !ok || s == "" {
				bad.add("%s holds %v; want non-empty strings", k, v)
			}
		}
	}
	g := p.grant
	if len(g.Actions) == 0 {
		bad.add("a success granting no actions")
	}
	if p.payload["dryRun"] == true {
		for _, k := range dryRunKeys {
			if _, ok := p.payload[k]; !ok {
				bad.add("dry run without %q", k)
			}
		}
		if _, ok := p.payload["credentials"]; ok {
			bad.add("a dry run carries credentials")
		}
		if g.Mode != "GetFederationToken" && g.Mode != "AssumeRole" || g.DurationSeconds <= 0 {
			bad.add("dry run mode, durationSeconds = %q, %d; want GetFederationToken or AssumeRole, and a lifetime", g.Mode, g.DurationSeconds)
		}
		if _, ok := p.payload["policy"].(map[string]any); !ok {
			bad.add("dry run policy = %v; want a JSON object", p.payload["policy"])
		}
		return bad
	}
	if err := exactKeys("credential payload", p.payload, grantKeys); err != nil {
		bad = append(bad, err)
	}
	creds, _ := p.payload["credentials"].(map[string]any)
	if err := exactKeys("credentials", creds, credentialKeys); err != nil {
		bad = append(bad, err)
	}
	if creds["token"] != creds["sessionToken"] {
		bad.add("credentials.token differs from credentials.sessionToken; Go clients read the token from token")
	}
	c := g.Credentials
	switch {
	case c == nil || c.TmpSecretID == "" || c.TmpSecretKey == "" || c.SessionToken == "":
		bad.add("a success without all three credentials")
	case g.ExpiredTime <= 0 || g.StartTime >= g.ExpiredTime || g.RequestID == "":
		bad.add("expiredTime, startTime, requestId = %d, %d, %q; want start before expiry and STS's request id", g.ExpiredTime, g.StartTime, g.RequestID)
	}
	if exp := time.Unix(g.ExpiredTime, 0).UTC().Format(time.RFC3339); g.Expiration != exp {
		bad.add("expiration = %q; want expiredTime in ISO 8601, %q", g.Expiration, exp)
	}
	wantBucket, wantRegion := cmp(want.bucket, bucket), cmp(want.region, region)
	if g.Bucket != wantBucket || g.Region != wantRegion {
		bad.add("bucket, region = %q, %q; want %q, %q", g.Bucket, g.Region, wantBucket, wantRegion)
	}
	return bad
}

func cmp(s, def string) string {
	switch s {
	case "":
		return def
	case noBucket:
		return ""
	}
	return s
}

// matchIssued finds the STS call that issued a mint's credentials, by its
// tmpSecretId rather than by order (an attempt the function gave up on is
// recorded when the emulator notices, which may be after the one that
// answered), and checks the reply against it: the key and token, expiredTime,
// startTime = expiredTime - the DurationSeconds sent, STS's request id.
func matchIssued(p parsed, calls []stsemu.Call) (stsemu.Call, error) {
	g := p.grant
	if g == nil || g.Credentials == nil || g.Credentials.TmpSecretID == "" {
		return stsemu.Call{}, errors.New("the reply carries no credentials to match")
	}
	i := slices.IndexFunc(calls, func(c stsemu.Call) bool { return c.Issued.TmpSecretId == g.Credentials.TmpSecretID })
	if i < 0 {
		return stsemu.Call{}, fmt.Errorf("tmpSecretId %s was not issued by any of the %d STS calls", g.Credentials.TmpSecretID, len(calls))
	}
	c := calls[i]
	var bad problems
	if c.ErrorCode != "" {
		bad.add("the call that issued the credentials ended %q", c.ErrorCode)
	}
	if g.Credentials.TmpSecretKey != c.Issued.TmpSecretKey || g.Credentials.SessionToken != c.Issued.Token {
		bad.add("tmpSecretId %s comes with a key or token STS did not issue with it", g.Credentials.TmpSecretID)
	}
	if g.ExpiredTime != c.ExpiredTime {
		bad.add("expiredTime = %d; want STS's %d", g.ExpiredTime, c.ExpiredTime)
	}
	if want := g.ExpiredTime - int64(c.DurationSeconds); g.StartTime != want || c.DurationSeconds <= 0 {
		bad.add("startTime = %d; want expiredTime - durationSeconds sent (%d) = %d", g.StartTime, c.DurationSeconds, want)
	}
	if g.RequestID != c.RequestID || c.RequestID == "" {
		bad.add("requestId = %q; want STS's %q", g.RequestID, c.RequestID)
	}
	return c, errors.Join(bad...)
}

// grant is what a request should end up allowed: the reply's grant fields and
// the policy's resources and actions, exactly.
type grant struct {
	bucket, region string // "" means the demo configuration's
	prefixes, keys []string
	actions        []string // normalized: name/cos:X
}

var (
	uploadActions = []string{
		"name/cos:PutObject", "name/cos:PostObject", "name/cos:InitiateMultipartUpload", "name/cos:ListMultipartUploads",
		"name/cos:ListParts", "name/cos:UploadPart", "name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload",
	}
	downloadActions = []string{"name/cos:GetObject", "name/cos:HeadObject"}
	allDefault      = slices.Concat(uploadActions, downloadActions)
)

// policyDoc is the CAM policy of docs/contract.md §6, with its conditions.
type policyDoc struct {
	Version   string `json:"version"`
	Statement []struct {
		Effect    string                    `json:"effect"`
		Action    []string                  `json:"action"`
		Resource  []string                  `json:"resource"`
		Condition map[string]map[string]any `json:"condition"`
	} `json:"statement"`
}

func parsePolicy(raw string) (policyDoc, error) {
	var p policyDoc
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("policy %.300s: %w", raw, err)
	}
	return p, nil
}

func (p policyDoc) resources() []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Resource...)
	}
	return out
}

func (p policyDoc) actions() []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Action...)
	}
	return out
}

// condition returns every statement's value for op/key (nil where absent).
func (p policyDoc) condition(op, key string) []any {
	var out []any
	for _, s := range p.Statement {
		if v, ok := s.Condition[op][key]; ok {
			out = append(out, v)
		}
	}
	return out
}

// res is the resource name of a path in a bucket (docs/contract.md §6).
func res(bucketName, reg, path string) string {
	return "qcs::cos:" + reg + ":uid/" + appID + ":" + bucketName + "/" + path
}

// resource is a prefix's resource in the demo bucket.
func resource(prefix string) string { return res(bucket, region, prefix+"*") }

// checkGrant checks that a reply's grant fields and the policy (a dry run's,
// or the one STS received) grant exactly g: version 2.0, allow only, no
// principal, the prefixes and keys as resources, the actions.
func checkGrant(payload *grantBody, policy string, g grant) error {
	var bad problems
	wantBucket, wantRegion := cmp(g.bucket, bucket), cmp(g.region, region)
	if payload == nil {
		return errors.New("no grant in the reply")
	}
	if payload.Bucket != wantBucket || payload.Region != wantRegion {
		bad.add("bucket, region = %q, %q; want %q, %q", payload.Bucket, payload.Region, wantBucket, wantRegion)
	}
	if !sameSet(payload.Prefixes, g.prefixes) {
		bad.add("prefixes = %q; want %q", payload.Prefixes, g.prefixes)
	}
	if payload.Keys == nil || !sameSet(payload.Keys, g.keys) {
		bad.add("keys = %#v; want %q", payload.Keys, g.keys)
	}
	if !sameSet(payload.Actions, g.actions) {
		bad.add("actions = %q; want %q", payload.Actions, g.actions)
	}
	if strings.Contains(strings.ToLower(policy), "principal") {
		bad.add("policy has a principal: %s", policy)
	}
	p, err := parsePolicy(policy)
	if err != nil {
		return errors.Join(append(bad, err)...)
	}
	if p.Version != "2.0" {
		bad.add("policy version = %q; want 2.0", p.Version)
	}
	for _, st := range p.Statement {
		if st.Effect != "allow" {
			bad.add("statement effect = %q; want allow", st.Effect)
		}
	}
	var resources []string
	for _, pre := range g.prefixes {
		resources = append(resources, res(wantBucket, wantRegion, pre+"*"))
	}
	for _, k := range g.keys {
		resources = append(resources, res(wantBucket, wantRegion, k))
	}
	if got := p.resources(); !sameSet(got, resources) {
		bad.add("policy resources = %q; want %q", got, resources)
	}
	if got := p.actions(); !sameSet(got, g.actions) {
		bad.add("policy actions = %q; want %q", got, g.actions)
	}
	return errors.Join(bad...)
}

// sameSet compares as sets: the order of actions and resources is the
// policy builder's business.
func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(slices.Compact(g), slices.Compact(w))
}

// exactKeys checks a JSON object's member names.
func exactKeys[V any](what string, m map[string]V, want []string) error {
	if got, w := slices.Sorted(maps.Keys(m)), slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
		return fmt.Errorf("%s members = %q; want %q", what, got, w)
	}
	return nil
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
