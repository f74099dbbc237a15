package e2e_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/internal/scopesyaml"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// TestSpec is a black-box conformance review: one row per concrete statement
// of docs/contract.md (sections §1 to §6; §7 is TestSpecLocal) that can be
// checked from outside, through the real binary over SCF's net/rpc and the
// STS emulator. The rows live in one file per section (spec_1_… to spec_6_…);
// this file runs them. Row names start with the contract section they check;
// where the contract is silent a row says so and checks what README.md records
// or a careful Tencent Cloud user expects.
//
// Every row's reply goes through the package's one reply checker
// (wellFormed), a mint is matched to the STS call that issued it
// (matchIssued), and a row's grant is checked against the reply and the
// policy (checkGrant); a row's own check comes last.
func TestSpec(t *testing.T) {
	h := newHarness(t, nil)
	e := newSpecEnv(t, h)
	for i, c := range specRows(e) {
		t.Run(c.name, func(t *testing.T) {
			runSpecCase(t, h, e, i, c)
		})
	}
}

// specRows is the table, section by section.
func specRows(e specEnv) []specCase {
	return slices.Concat(spec1Invocation(e), spec2Parameters(e), spec3Replies(e), spec4Configuration(e), spec5CORS(e), spec6Policy(e))
}

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
	bucket    string            // the bucket a mint's reply names, when grant does not say; "" means the demo's
	// grant is what a success grants, exactly: the reply's bucket, region,
	// prefixes, keys and actions, and the policy's resources and actions (the
	// dry run's policy, or the one STS received).
	grant *grant
	check func(t *testing.T, r *specReply) // the row's own check, after all the above passed
}

// specEnv is what the rows need from the run: made once by TestSpec before the
// rows are built, and only read after.
type specEnv struct {
	secretKey   string            // the harness's permanent secret key
	role        map[string]string // the execution role's keys, with the permanent keys blanked
	jsonFile    string            // specScopes as a JSON scopes file
	yamlFile    string            // specScopesYAML as scripts/build.sh packs a YAML scopes file: as its JSON
	rawYAMLFile string            // specScopesYAML as written, which the function does not read
	reloadFile  string            // a scopes file that its row rewrites
	missingFile string            // a scopes file that does not exist
	bearer      string            // a valid HS256 token for sub alice
}

// newSpecEnv writes the scopes files and makes the role keys and the token,
// each a secret the harness's audit looks for.
func newSpecEnv(t *testing.T, h *harness) specEnv {
	t.Helper()
	h.addSecret(jwtSecret)
	roleID, roleKey, roleToken := h.emu.NewRoleKeys(time.Hour)
	h.addSecret(roleKey)
	h.addSecret(roleToken)
	dir := t.TempDir()
	e := specEnv{
		secretKey: h.env["STS_SECRET_KEY"],
		role: map[string]string{
			"STS_SECRET_ID": "", "STS_SECRET_KEY": "",
			"TENCENTCLOUD_SECRETID": roleID, "TENCENTCLOUD_SECRETKEY": roleKey, "TENCENTCLOUD_SESSIONTOKEN": roleToken,
		},
		jsonFile:    filepath.Join(dir, "scopes.json"),
		yamlFile:    filepath.Join(dir, "scopes.yaml"),
		rawYAMLFile: filepath.Join(dir, "unconverted.yaml"),
		reloadFile:  filepath.Join(dir, "reload.json"),
		missingFile: filepath.Join(dir, "missing.yaml"),
		bearer:      signJWT(map[string]any{"iss": jwtIssuer, "aud": jwtAudience, "sub": "alice", "exp": time.Now().Add(time.Hour).Unix()}),
	}
	h.addSecret(e.bearer)
	packed, err := config.ConvertYAML([]byte(specScopesYAML), scopesyaml.Decode)
	if err != nil {
		t.Fatalf("convert %s: %v", e.yamlFile, err)
	}
	for file, text := range map[string]string{
		e.jsonFile:    specScopes,
		e.yamlFile:    string(packed),
		e.rawYAMLFile: specScopesYAML,
		e.reloadFile:  `{"first": {"bucket": "examplebucket-1250000000", "prefixes": ["first/"], "actions": ["upload"]}}`,
	} {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatalf("write %s: %v", file, err)
		}
	}
	return e
}

// authed is a Function URL POST with the valid bearer token.
func (e specEnv) authed(body string) []byte {
	return fnURL("POST", nil, body, map[string]string{"content-type": "application/json", "authorization": "Bearer " + e.bearer})
}

// specVars are every variable the contract names. Each row starts from the
// harness's configuration with all others blank: SCF's runtime os.Setenv's an
// invocation's variables and never unsets them, so a row must not inherit the
// previous row's.
var specVars = []string{
	"STS_SECRET_ID", "STS_SECRET_KEY", "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN",
	"STS_ROLE_ARN", "STS_ROLE_EXTERNAL_ID", "STS_ENDPOINT", "STS_REGION", "TENCENTCLOUD_REGION", "STS_FEDERATION_NAME",
	"STS_BUCKET", "STS_BUCKET_REGION", "STS_ALLOW_PREFIXES", "STS_ALLOW_ACTIONS", "STS_DURATION_SECONDS",
	"STS_MAX_DURATION_SECONDS", "STS_POLICY", "STS_SCOPES", "STS_SCOPES_FILE", "STS_RESPONSE_FORMAT", "STS_ALLOW_ORIGINS",
	"STS_AUTH", "STS_LOG_LEVEL", "STS_CACHE", "STS_CACHE_MIN_REMAINING_SECONDS", "STS_MAX_CALLS_PER_SECOND", "STS_JWT_ISSUER", "STS_JWT_AUDIENCE",
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

// Configurations and values several rows share; never written to.
var (
	scopesEnv = map[string]string{"STS_SCOPES": specScopes}
	jwtEnv    = map[string]string{
		"STS_AUTH": "jwt", "STS_JWT_ISSUER": jwtIssuer, "STS_JWT_AUDIENCE": jwtAudience, "STS_JWT_SECRET": jwtSecret, "STS_SCOPES": jwtScopes,
	}
	k850      = "uploads/" + strings.Repeat("a", 842) // a key of exactly 850 bytes
	corsOK    = map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
	noCORS    = map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "", "Access-Control-Allow-Headers": ""}
	preflight = map[string]string{
		"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
		"Access-Control-Allow-Headers": "Authorization, Content-Type",
	}
)

// specReply is one row's reply, taken apart for the row's own check.
type specReply struct {
	parsed
	h     *harness
	c     specCase
	env   specEnv
	calls []stsemu.Call
	call  *stsemu.Call // the call that issued a mint's credentials
	took  time.Duration
	id    string // the invocation's request id
}

// rowEnv is the configuration a row's invocations carry: the harness's, every
// specVar the harness does not set blanked, and the row's own.
func rowEnv(h *harness, c specCase) map[string]string {
	env := map[string]string{}
	for _, k := range specVars {
		env[k] = h.env[k]
	}
	maps.Copy(env, c.env)
	return env
}

// runSpecCase sends one row's event and applies the checks every reply gets.
func runSpecCase(t *testing.T, h *harness, e specEnv, i int, c specCase) {
	t.Helper()
	h.emu.Reset()
	for _, f := range c.faults {
		h.emu.Inject(f)
	}
	requestID := fmt.Sprintf("spec-%03d-%s", i, rand4())
	deadline := c.deadline
	if deadline == 0 {
		deadline = 10 * time.Second
	}
	due := time.Now().Add(deadline)
	reply, took, err := h.send(c.event, requestID, deadline, rowEnv(h, c))
	if err != nil {
		t.Fatalf("%v", err)
	}
	h.keep(reply.Payload)
	r := &specReply{h: h, c: c, env: e, took: took, calls: callsOf(h, c), id: requestID}
	h.emu.Reset() // no fault outlives its row
	if err := answeredBefore(h, logID(c.event, requestID), due); err != nil {
		t.Errorf("%v; want a reply before SCF's deadline of %v (the reply reached the test after %v)", err, deadline, took)
	}

	want := replyWant{
		direct: c.direct, status: c.status, format: c.format, code: c.errCode, requestID: requestID,
		says: c.says, headers: c.headers,
	}
	if c.requestID != "" {
		want.requestID = c.requestID
	}
	if c.grant != nil {
		want.bucket, want.region = c.grant.bucket, c.grant.region
	} else {
		want.bucket = c.bucket
	}
	r.parsed, err = wellFormed(reply.Payload, want)
	if err != nil {
		t.Errorf("reply: %v", err)
	}
	dryRun := r.payload["dryRun"] == true
	switch {
	case err != nil || c.errCode != "" || c.status == 204:
	case dryRun && len(r.calls) != 0:
		t.Errorf("a dry run called STS %d times; want none", len(r.calls))
	case !dryRun:
		call, err := matchIssued(r.parsed, r.calls)
		if err != nil {
			t.Errorf("credentials: %v", err)
		} else {
			r.call = &call
		}
	}
	if c.calls >= 0 && len(r.calls) != c.calls {
		t.Errorf("STS got %d calls; want %d", len(r.calls), c.calls)
	}
	if c.grant != nil && !t.Failed() {
		var policy string
		switch {
		case dryRun:
			b, _ := json.Marshal(r.payload["policy"])
			policy = string(b)
		case r.call != nil:
			policy = r.call.Policy
		default:
			t.Fatalf("the row expects a grant, and the reply is neither a dry run nor a mint")
		}
		if err := checkGrant(r.grant, policy, *c.grant); err != nil {
			t.Errorf("grant: %v", err)
		}
	}
	if c.check != nil && !t.Failed() {
		c.check(t, r)
	}
}

// logID is the request id the function logs an invocation under: API
// Gateway's own, from the event, or else SCF's.
func logID(event []byte, requestID string) string {
	var e struct {
		RequestContext struct {
			RequestID string `json:"requestId"`
		} `json:"requestContext"`
	}
	if json.Unmarshal(event, &e) == nil && e.RequestContext.RequestID != "" {
		return e.RequestContext.RequestID
	}
	return requestID
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

// --- grants ---

// grantIs is a grant in a bucket and region.
func grantIs(bucketName, reg string, prefixes, keys, actions []string) *grant {
	return &grant{bucket: bucketName, region: reg, prefixes: prefixes, keys: keys, actions: actions}
}

// defaultGrant is the harness's default scope narrowed to these prefixes,
// keys and actions (default: upload and download).
func defaultGrant(prefixes, keys []string, actions ...[]string) *grant {
	acts := slices.Concat(actions...)
	if len(actions) == 0 {
		acts = allDefault
	}
	return grantIs(bucket, region, prefixes, keys, acts)
}

// --- what a row's own check reads ---

// dryPolicy is the policy a dry run answered.
func (r *specReply) dryPolicy(t *testing.T) policyDoc {
	t.Helper()
	raw, err := json.Marshal(r.payload["policy"])
	if err != nil || r.payload["dryRun"] != true {
		t.Fatalf("not a dry run with a policy: %.300s", r.body)
	}
	p, err := parsePolicy(string(raw))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// stsCall is the STS call the row is about: the one that issued a mint's
// credentials, or else the row's only call.
func (r *specReply) stsCall(t *testing.T) stsemu.Call {
	t.Helper()
	switch {
	case r.call != nil:
		return *r.call
	case len(r.calls) == 1:
		return r.calls[0]
	}
	t.Fatalf("STS got %d calls and none issued the reply's credentials; want one", len(r.calls))
	return stsemu.Call{}
}

// sentPolicy is the policy STS received in the row's call.
func (r *specReply) sentPolicy(t *testing.T) policyDoc {
	t.Helper()
	p, err := parsePolicy(r.stsCall(t).Policy)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
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
	r.h.emu.Reset()
	reply, _, err := r.h.send(event, "spec-again-"+rand4(), 10*time.Second, rowEnv(r.h, r.c))
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

// --- row checks: each reads only the reply and its own arguments ---

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
		if err := check(r.stsCall(t)); err != nil {
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

// upperNames walks a JSON value and returns every member name with an upper-case letter.
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
