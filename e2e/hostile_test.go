package e2e_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// The hostile_*_test.go files replay, through the real binary, the attacks of an adversarial review: a public
// trigger made to work for free, identities blurred, inputs that quietly change meaning, and neighbours (STS, the
// identity provider, a proxy) trusted more than they should be. Each test names the attack and what must happen
// instead. They use only the harness (newHarness, invoke, send) and their own small helpers, prefixed hostile.

// hostileReply is one reply taken apart: the integration response of an HTTP event (zero for a direct
// invocation), and the body as JSON.
type hostileReply struct {
	status  int // the HTTP status, or for a direct invocation the code its error body names (0 for a success)
	headers map[string]string
	raw     []byte // the body's bytes
	body    map[string]any
}

// code is the error code of an error body, in either format; "" for a success.
func (r hostileReply) code() string {
	if c, ok := r.body["codeDesc"].(string); ok && c != "Success" {
		return c
	}
	if e, ok := r.body["error"].(map[string]any); ok {
		c, _ := e["code"].(string)
		return c
	}
	return ""
}

// message is an error body's message, in either format.
func (r hostileReply) message() string {
	if m, ok := r.body["message"].(string); ok {
		return m
	}
	if e, ok := r.body["error"].(map[string]any); ok {
		m, _ := e["message"].(string)
		return m
	}
	return ""
}

// data is a cam success's data object.
func (r hostileReply) data() map[string]any {
	d, _ := r.body["data"].(map[string]any)
	return d
}

// secretKey is the tmpSecretKey a cam success hands out.
func (r hostileReply) secretKey() string {
	c, _ := r.data()["credentials"].(map[string]any)
	s, _ := c["tmpSecretKey"].(string)
	return s
}

// hostileParse takes a reply apart; direct says the event was a direct invocation.
func hostileParse(t *testing.T, payload []byte, direct bool) hostileReply {
	t.Helper()
	var r hostileReply
	r.raw = payload
	if !direct {
		var ir integration
		if err := json.Unmarshal(payload, &ir); err != nil || ir.StatusCode == 0 {
			t.Fatalf("reply %.300s is not an integration response (%v)", payload, err)
		}
		r.status, r.headers, r.raw = ir.StatusCode, ir.Headers, []byte(ir.Body)
	}
	if err := json.Unmarshal(r.raw, &r.body); err != nil {
		t.Fatalf("body %.300s is not a JSON object: %v", r.raw, err)
	}
	if direct {
		if c, ok := r.body["code"].(float64); ok {
			r.status = int(c)
		}
	}
	return r
}

// hostileCall invokes one event (kept for the harness's secret audit) and takes the reply apart.
func hostileCall(t *testing.T, h *harness, event []byte, id string, env map[string]string) hostileReply {
	t.Helper()
	return hostileParse(t, h.invoke(event, id, env).Payload, isDirect(event))
}

// isDirect tells a direct invocation from an HTTP event as docs/contract.md §1 does: by a string httpMethod.
func isDirect(event []byte) bool {
	var probe struct {
		HTTPMethod any `json:"httpMethod"`
	}
	if json.Unmarshal(event, &probe) != nil {
		return true
	}
	_, ok := probe.HTTPMethod.(string)
	return !ok
}

// wantError fails the test unless r is the error status/code and its message holds every word.
func wantError(t *testing.T, what string, r hostileReply, status int, code string, words ...string) {
	t.Helper()
	if r.status != status || r.code() != code {
		t.Errorf("%s: status %d %s; want %d %s (body %.300s)", what, r.status, r.code(), status, code, r.raw)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.message(), w) {
			t.Errorf("%s: message %q does not say %q", what, r.message(), w)
		}
	}
}

// hostileEvent is a Function URL event with exactly these parts; headers is raw so that a test can send names
// differing only in case, which a Go map of Go strings could not hold twice.
func hostileEvent(method string, query map[string]any, body string, headers map[string]string) []byte {
	if query == nil {
		query = map[string]any{}
	}
	if headers == nil {
		headers = map[string]string{"x-scf-remote-addr": "203.0.113.7", "content-type": "application/json"}
	}
	b, _ := json.Marshal(map[string]any{"httpMethod": method, "path": "/", "headers": headers, "queryString": query, "body": body})
	return b
}

// hostilePost is a Function URL POST of body.
func hostilePost(body string) []byte { return hostileEvent("POST", nil, body, nil) }

// JWT settings of the STS_AUTH=jwt tests.
const (
	hostileIssuer   = "https://idp.hostile.example"
	hostileAudience = "cos-sts-hostile"
	hostileSecret   = "hostile-test-jwt-shared-secret-0123456789abcdef"
)

// hostileJWTEnv is STS_AUTH=jwt with the HS256 secret and these scopes.
func hostileJWTEnv(scopes string) map[string]string {
	return map[string]string{
		"STS_AUTH": "jwt", "STS_JWT_ISSUER": hostileIssuer, "STS_JWT_AUDIENCE": hostileAudience,
		"STS_JWT_SECRET": hostileSecret, "STS_SCOPES": scopes,
		"STS_BUCKET": "", "STS_ALLOW_PREFIXES": "", "STS_BUCKET_REGION": "",
	}
}

// hostileClaims are valid claims for hostileIssuer and hostileAudience, plus extra.
func hostileClaims(extra map[string]any) map[string]any {
	c := map[string]any{"iss": hostileIssuer, "aud": hostileAudience, "exp": 4102444800, "iat": 1700000000}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// hostileHS256 signs claims with hostileSecret.
func hostileHS256(claims map[string]any) string {
	signing := jwtPart(map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + jwtPart(claims)
	mac := hmac.New(sha256.New, []byte(hostileSecret))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// hostileEdDSA signs claims with key under kid.
func hostileEdDSA(key ed25519.PrivateKey, kid string, claims map[string]any) string {
	signing := jwtPart(map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": kid}) + "." + jwtPart(claims)
	return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(signing)))
}

func jwtPart(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// bearer is a Function URL GET carrying token, with query.
func bearer(token string, query map[string]any) []byte {
	return hostileEvent("GET", query, "", map[string]string{"x-scf-remote-addr": "203.0.113.7", "authorization": "Bearer " + token})
}
