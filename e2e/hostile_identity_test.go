package e2e_test

import (
	"fmt"
	"strings"
	"testing"
)

// hostileIPScope binds credentials to the caller's address.
const hostileIPScope = `{"pinned": {"bucket": "examplebucket-1250000000", "region": "ap-guangzhou", "prefixes": ["uploads/"],
 "actions": ["download"], "conditions": {"bindSourceIp": true}}}`

// TestHostileHeaderCaseDuplicates: the handler lower-cased header names while ranging over a map, so with
// x-scf-remote-addr and X-Scf-Remote-Addr both present the bound IP was whichever came last, at random. Names
// the function reads that appear twice, in any mix of case, with different values, are refused (README
// "Security notes"); the same value twice is one value.
func TestHostileHeaderCaseDuplicates(t *testing.T) {
	h := newHarness(t, map[string]string{"STS_SCOPES": hostileIPScope})
	for i, headers := range []map[string]string{
		{"x-scf-remote-addr": "203.0.113.7", "X-Scf-Remote-Addr": "198.51.100.9"},
		{"X-SCF-REMOTE-ADDR": "198.51.100.9", "x-scf-remote-addr": "203.0.113.7", "X-Scf-Remote-Addr": "203.0.113.7"},
		{"x-scf-remote-addr": "203.0.113.7", "Origin": origin, "origin": "https://evil.example"},
	} {
		for n := range 5 { // map order varies from run to run: the answer must not
			r := hostileCall(t, h, hostileEvent("GET", map[string]any{"scope": "pinned"}, "", headers), fmt.Sprintf("dup-%d-%d", i, n), nil)
			wantError(t, fmt.Sprintf("headers %v", headers), r, 400, "InvalidParameter", "header", "twice")
		}
	}
	if calls := h.emu.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times; an ambiguous caller must mint nothing", len(calls))
	}
	same := map[string]string{"x-scf-remote-addr": "203.0.113.7", "X-Scf-Remote-Addr": "203.0.113.7"}
	r := hostileCall(t, h, hostileEvent("GET", map[string]any{"scope": "pinned"}, "", same), "dup-same", nil)
	if r.status != 200 {
		t.Fatalf("one address written twice: status %d; want 200 (%.300s)", r.status, r.raw)
	}
	if calls := h.emu.Calls(); len(calls) != 1 || !strings.Contains(calls[0].Policy, `"203.0.113.7"`) {
		t.Errorf("the policy sent does not bind 203.0.113.7: %v", calls)
	}
}

// hostileTeam is a scope without templates, so that any verified user may use it whatever their sub.
const hostileTeam = `{"team": {"bucket": "examplebucket-1250000000", "region": "ap-guangzhou", "prefixes": ["team/"],
 "actions": ["download"]}}`

// TestHostileCacheDoesNotMergeUsers: with STS_CACHE=on, tokens with sub 1, sub 2 or no sub all received the same
// credentials, so CloudAudit could not tell them apart. A token without a string sub is refused (401), and two
// users never share credentials.
func TestHostileCacheDoesNotMergeUsers(t *testing.T) {
	env := hostileJWTEnv(hostileTeam)
	env["STS_CACHE"] = "on"
	h := newHarness(t, env)
	q := map[string]any{"scope": "team"}
	for i, sub := range []any{1, 2, nil, "", true, []any{"alice"}} {
		// hostileClaims leaves sub out for nil.
		r := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": sub})), q), fmt.Sprintf("nosub-%d", i), nil)
		wantError(t, fmt.Sprintf("sub %#v", sub), r, 401, "Unauthorized", "sub")
	}
	// The operator's claims in a direct invocation follow the same rule.
	r := hostileCall(t, h, []byte(`{"scope":"team","claims":{"sub":7}}`), "nosub-direct", nil)
	wantError(t, "direct claims without a string sub", r, 400, "InvalidParameter", "sub")
	if calls := h.emu.Calls(); len(calls) != 0 {
		t.Fatalf("STS was called %d times; a token without a sub must mint nothing", len(calls))
	}

	alice := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": "alice"})), q), "alice-1", nil)
	again := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": "alice", "jti": "2"})), q), "alice-2", nil)
	bob := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": "bob"})), q), "bob", nil)
	for _, r := range []hostileReply{alice, again, bob} {
		if r.status != 200 || r.secretKey() == "" {
			t.Fatalf("a valid user: status %d (%.300s); want 200 with credentials", r.status, r.raw)
		}
	}
	if alice.secretKey() != again.secretKey() {
		t.Errorf("alice's second request was not served from the cache")
	}
	if alice.secretKey() == bob.secretKey() {
		t.Errorf("bob received alice's credentials")
	}
	if line, ok := hostileLogLine(h, "alice-2"); !ok || !strings.Contains(line, `"sub":"alice"`) {
		t.Errorf("the log line of a cache hit does not name its user: %q", line)
	}
}

// TestHostileTemplateCollisions: a scope t/${jwt:org}-${jwt:sub}/ maps org=a-b,sub=c and org=a,sub=b-c to the
// same folder. A template must fill a whole path segment; anything else is refused when the configuration loads.
func TestHostileTemplateCollisions(t *testing.T) {
	for i, prefix := range []string{"t/${jwt:org}-${jwt:sub}/", "t/${jwt:org}${jwt:sub}/", "t/u-${jwt:sub}/", "t/${jwt:sub}.d/"} {
		scopes := `{"t": {"bucket": "examplebucket-1250000000", "prefixes": ["` + prefix + `"], "actions": ["download"]}}`
		h := newHarness(t, hostileJWTEnv(scopes))
		id := fmt.Sprintf("collide-%d", i)
		r := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": "c", "org": "a-b"})), map[string]any{"scope": "t"}), id, nil)
		wantError(t, prefix, r, 500, "ConfigError")
		if line, ok := hostileLogLine(h, id); !ok {
			t.Errorf("%s: no log line", prefix)
		} else if log := string(h.fn.Output()); !strings.Contains(log, "whole path segment") {
			t.Errorf("%s: the log does not say a template must fill a whole path segment: %.500s", prefix, line)
		}
	}
}

// TestHostileSessionTags: sub went into AssumeRole's session tag unchecked, so a valid user with a 257-character
// sub got a 502 blaming STS. Tags are held to STS's documented limits (a value of at most 256 characters) before
// the call: a sub that does not fit is cut and given a hash of the whole, as RoleSessionName is.
func TestHostileSessionTags(t *testing.T) {
	env := hostileJWTEnv(hostileTeam)
	env["STS_ROLE_ARN"] = roleARN
	h := newHarness(t, env)
	long := strings.Repeat("a", 300)
	for i, sub := range []string{long, long + "b", "user with spaces|and pipes", "alice@example.com"} {
		r := hostileCall(t, h, bearer(hostileHS256(hostileClaims(map[string]any{"sub": sub})), map[string]any{"scope": "team"}), fmt.Sprintf("tag-%d", i), nil)
		if r.status != 200 {
			t.Errorf("sub of %d characters: status %d; want 200 (%.300s)", len(sub), r.status, r.raw)
		}
	}
	calls := h.emu.Calls()
	if len(calls) != 4 {
		t.Fatalf("STS calls = %d; want 4", len(calls))
	}
	seen := map[string]bool{}
	for i, c := range calls {
		v := c.Tags["sub"]
		if len(v) == 0 || len(v) > 256 || strings.ContainsAny(v, " |") {
			t.Errorf("call %d: tag sub = %q; want 1 to 256 characters STS accepts", i, v)
		}
		if seen[v] || seen[c.RoleSessionName] {
			t.Errorf("call %d: tag %q or session name %q repeats another user's", i, v, c.RoleSessionName)
		}
		seen[v], seen[c.RoleSessionName] = true, true
	}
	if got := calls[3].Tags["sub"]; got != "alice@example.com" {
		t.Errorf("a sub that fits: tag = %q; want it verbatim", got)
	}
}
