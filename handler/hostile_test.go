package handler_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
)

// teamScopes hold a scope any verified user may use (no template) beside a per-user one.
const teamScopes = `{"team": {"bucket": "examplebucket-1250000000", "prefixes": ["team/"], "actions": ["download"]},
 "mine": {"bucket": "examplebucket-1250000000", "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]}}`

func teamRig(t *testing.T, kv ...string) *rig {
	return jwtRig(t, append([]string{"STS_SCOPES", teamScopes, "STS_ALLOW_PREFIXES", "", "STS_BUCKET", ""}, kv...)...)
}

// TestJWTTokenWithoutASubIsRefused: a token whose sub is missing, empty or not a string names nobody, so its
// credentials (and their cache entry and audit record) would be shared with every such token: 401. An operator's
// claims follow the same rule: 400.
func TestJWTTokenWithoutASubIsRefused(t *testing.T) {
	r := teamRig(t, "STS_CACHE", "on")
	for _, sub := range []any{nil, "", 1, true, []any{"alice"}, map[string]any{"id": "alice"}} {
		c := claimsFor("x", time.Now().Add(time.Hour))
		if sub == nil {
			delete(c, "sub")
		} else {
			c["sub"] = sub
		}
		hr := r.http(withBearer(funcURL("GET", `{"scope":"team"}`, ""), hs256(t, jwtSecret, c)))
		if b := hr.json(t); hr.StatusCode != 401 || !strings.Contains(b["message"].(string), "sub") {
			t.Errorf("sub %#v: reply %d %s; want 401 naming sub", sub, hr.StatusCode, hr.Body)
		}
	}
	var b map[string]any
	if err := json.Unmarshal(r.invoke(`{"scope":"team","claims":{"sub":1},"dryRun":true}`, time.Second), &b); err != nil {
		t.Fatal(err)
	}
	if b["code"] != 400.0 || !strings.Contains(b["message"].(string), "sub") {
		t.Errorf("operator claims without a string sub: %v; want 400 naming sub", b)
	}
	if n := len(r.emu.Calls()); n != 0 {
		t.Errorf("STS calls = %d; want none", n)
	}
}

// TestJWTCacheKeepsUsersApart: the cache key holds the verified user, so alice's second request is served from the
// cache and bob never receives alice's credentials; the log line names each request's user.
func TestJWTCacheKeepsUsersApart(t *testing.T) {
	r := teamRig(t, "STS_CACHE", "on")
	key := func(sub string) string {
		hr := r.http(withBearer(funcURL("GET", `{"scope":"team"}`, ""), hs256(t, jwtSecret, claimsFor(sub, time.Now().Add(time.Hour)))))
		if hr.StatusCode != 200 {
			t.Fatalf("%s: reply %d %s", sub, hr.StatusCode, hr.Body)
		}
		return hr.json(t)["data"].(map[string]any)["credentials"].(map[string]any)["tmpSecretKey"].(string)
	}
	alice, again, bob := key("alice"), key("alice"), key("bob")
	if alice != again || alice == bob {
		t.Errorf("alice, alice, bob: same key %v, %v; want true, false", alice == again, alice == bob)
	}
	if n := len(r.emu.Calls()); n != 2 {
		t.Errorf("STS calls = %d; want 2 (alice's second request is a cache hit)", n)
	}
	for _, sub := range []string{`"sub":"alice"`, `"sub":"bob"`} {
		if !strings.Contains(r.log.String(), sub) {
			t.Errorf("the log never names %s", sub)
		}
	}
}

// TestJWTLongSubFitsSTSLimits: a 300-character sub used to go into the session tag as it was, and STS refused it
// (502). The tag and the session name are held to STS's limits, a hash keeping two long subs apart.
func TestJWTLongSubFitsSTSLimits(t *testing.T) {
	r := teamRig(t, "STS_ROLE_ARN", testRoleARN)
	long := strings.Repeat("u", 300)
	for _, sub := range []string{long + "1", long + "2"} {
		hr := r.http(withBearer(funcURL("GET", `{"scope":"team"}`, ""), hs256(t, jwtSecret, claimsFor(sub, time.Now().Add(time.Hour)))))
		if hr.StatusCode != 200 {
			t.Fatalf("reply %d %s; want 200", hr.StatusCode, hr.Body)
		}
	}
	calls := r.emu.Calls()
	if len(calls) != 2 {
		t.Fatalf("STS calls = %d; want 2", len(calls))
	}
	for _, c := range calls {
		if v := c.Tags["sub"]; len(v) > 256 || !strings.HasPrefix(v, "uuu") {
			t.Errorf("tag sub = %q; want at most 256 characters beginning with the sub", v)
		}
		if len(c.RoleSessionName) > 64 {
			t.Errorf("RoleSessionName of %d characters; want at most 64", len(c.RoleSessionName))
		}
	}
	if calls[0].Tags["sub"] == calls[1].Tags["sub"] || calls[0].RoleSessionName == calls[1].RoleSessionName {
		t.Errorf("two users share a tag or a session name: %v / %v", calls[0], calls[1])
	}
	if line := r.log.String(); strings.Contains(line, long) {
		t.Errorf("the log carries the 300-character sub whole; want it cut")
	}
}

// TestJWTUnknownScopeAnswersAsOneThatNeedsAToken: without a valid token, an unknown scope and an existing one get
// the same 401, so scope names cannot be enumerated; a verified caller learns that the scope is unknown.
func TestJWTUnknownScopeAnswersAsOneThatNeedsAToken(t *testing.T) {
	r := teamRig(t)
	forged := hs256(t, "another-secret-of-at-least-32-bytes!!", claimsFor("alice", time.Now().Add(time.Hour)))
	for _, token := range []string{"", forged} {
		answer := func(scope string) (int, string) {
			ev := funcURL("GET", `{"scope":"`+scope+`"}`, "")
			if token != "" {
				ev = withBearer(ev, token)
			}
			hr := r.http(ev)
			return hr.StatusCode, hr.Body
		}
		ks, kb := answer("team")
		us, ub := answer("nosuchscope")
		if ks != 401 || us != 401 || strings.ReplaceAll(kb, "team", "") != strings.ReplaceAll(ub, "nosuchscope", "") {
			t.Errorf("token given %v: existing scope %d %s, unknown %d %s; want the same 401", token != "", ks, kb, us, ub)
		}
	}
	good := hs256(t, jwtSecret, claimsFor("alice", time.Now().Add(time.Hour)))
	if hr := r.http(withBearer(funcURL("GET", `{"scope":"nosuchscope"}`, ""), good)); hr.StatusCode != 400 || !strings.Contains(hr.Body, "unknown scope") {
		t.Errorf("verified caller, unknown scope: %d %s; want 400 unknown scope", hr.StatusCode, hr.Body)
	}
	// Direct invocations are the operator's: an unknown scope is just that.
	if out := string(r.invoke(`{"scope":"nosuchscope","claims":{"sub":"alice"}}`, time.Second)); !strings.Contains(out, "unknown scope") {
		t.Errorf("direct, unknown scope: %s; want unknown scope", out)
	}
}

// TestGETWithABodyIsRefused: a GET's body used to be ignored, and the default scope granted.
func TestGETWithABodyIsRefused(t *testing.T) {
	r := newRig(t)
	if hr := r.http(funcURL("GET", "", `{"prefixes":["uploads/a/"]}`)); hr.StatusCode != 400 || !strings.Contains(hr.Body, "GET takes its parameters in the query string") {
		t.Errorf("GET with a body: %d %s; want 400", hr.StatusCode, hr.Body)
	}
	if hr := r.http(funcURL("GET", `{"dryRun":"true"}`, " \n")); hr.StatusCode != 200 {
		t.Errorf("GET with a blank body: %d %s; want 200", hr.StatusCode, hr.Body)
	}
	if n := len(r.emu.Calls()); n != 0 {
		t.Errorf("STS calls = %d; want none", n)
	}
}

// TestOversizedEventsAreRefusedInTheirShape: an event over MaxEventBytes is refused after one skim, yet in the shape
// and format its trigger expects, so that an HTTP caller gets an HTTP 400, not a body SCF would serve as a 200.
func TestOversizedEventsAreRefusedInTheirShape(t *testing.T) {
	pad := strings.Repeat("p", handler.MaxEventBytes)
	r := newRig(t, "STS_RESPONSE_FORMAT", "sts")
	hr := r.http(`{"body":"` + pad + `","httpMethod":"POST","requestContext":{"requestId":"gw-1"}}`)
	if b := hr.json(t); hr.StatusCode != 400 || b["error"].(map[string]any)["code"] != "InvalidParameter" {
		t.Errorf("oversized API Gateway event: %d %s; want an sts-format 400", hr.StatusCode, hr.Body)
	}
	var direct map[string]any
	if err := json.Unmarshal(r.invoke(`{"scope":"`+pad+`"}`, time.Second), &direct); err != nil {
		t.Fatal(err)
	}
	if e, _ := direct["error"].(map[string]any); e == nil || e["code"] != "InvalidParameter" || !strings.Contains(e["message"].(string), "at most 131072") {
		t.Errorf("oversized direct invocation: %v; want an sts-format 400 naming the limit", direct)
	}
	if strings.Contains(r.log.String(), pad[:1024]) {
		t.Errorf("the log carries the oversized event")
	}
}

// TestCallerChosenLogFieldsAreCut: a scope name, a method or a request id of kilobytes is cut in the log line.
func TestCallerChosenLogFieldsAreCut(t *testing.T) {
	r := newRig(t)
	long := strings.Repeat("s", 8<<10)
	r.http(funcURL("GET", `{"scope":"`+long+`"}`, ""))
	r.http(strings.Replace(funcURL("GET", "", ""), `"httpMethod":"GET"`, `"httpMethod":"`+long+`"`, 1))
	r.http(strings.Replace(apigw("GET", "", ""), "gw-req-1", long, 1))
	for _, line := range strings.Split(strings.TrimSpace(r.log.String()), "\n") {
		if len(line) > 1024 || strings.Contains(line, long[:200]) {
			t.Errorf("log line of %d bytes carries the caller's long value: %.200s", len(line), line)
		}
	}
}
