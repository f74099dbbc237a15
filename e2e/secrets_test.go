package e2e_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// canaryMarker is in every secret this file makes up, so that even a
// fragment too short for the window search shows as the marker.
const canaryMarker = "canary"

// canary is a distinctive, fresh secret value: kind names it in a failure
// message without printing it.
func canary(kind string) string {
	return kind + "-" + canaryMarker + "-" + rand.Text()
}

// secretCase is one invocation of the secrets test.
type secretCase struct {
	name   string
	event  func(requestID string) []byte
	env    map[string]string // this invocation's variables on top of the harness's
	faults []stsemu.Fault
	skew   time.Duration
	slow   bool      // the fault uses up the deadline: secretsSlowDeadline
	want   replyWant // requestID is filled in
}

// Deadlines: serverless.yml's 10 s for what should succeed or fail at once,
// so that a busy machine cannot turn it into a timeout; a shorter one for the
// faults that use up whatever deadline they get (a hang, throttling, errors
// retried until the budget is spent), which keeps the test quick: what is
// checked here is what they log, and 2 s still leaves the function 1.5 s of
// budget, several attempts.
const (
	secretsDeadline     = 10 * time.Second
	secretsSlowDeadline = 2 * time.Second
)

// TestNoSecretEscapes runs invocations of every kind (successes in every
// shape, every error the contract names that the configuration can reach, every
// fault, AssumeRole with the execution role's keys) with distinctive secret
// values, and searches every byte the function wrote and every reply for each
// secret, whole or in part: the permanent key, the role's key and token, a
// caller's bearer token, and every temporary key and token STS issued, which
// may appear only in the credentials of the very reply they were issued for.
func TestNoSecretEscapes(t *testing.T) {
	permanentKey, bearer := canary("SECRETKEY"), canary("BEARER")
	var skew atomic.Int64
	perm := newHarnessWith(t, harnessOptions{
		secretKey: permanentKey,
		emuNow:    func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
	})
	role := newHarness(t, map[string]string{"STS_SECRET_ID": "", "STS_SECRET_KEY": "", "STS_ROLE_ARN": roleARN})
	roleID, roleKey, roleToken := role.emu.NewRoleKeys(time.Hour)
	roleEnv := map[string]string{"TENCENTCLOUD_SECRETID": roleID, "TENCENTCLOUD_SECRETKEY": roleKey, "TENCENTCLOUD_SESSIONTOKEN": roleToken}
	// Role keys STS does not know: the failure path, with canary values.
	badRoleKey, badRoleToken := canary("ROLEKEY"), canary("ROLETOKEN")
	badRoleEnv := map[string]string{"TENCENTCLOUD_SECRETID": "AKIDcanary" + rand.Text(), "TENCENTCLOUD_SECRETKEY": badRoleKey, "TENCENTCLOUD_SESSIONTOKEN": badRoleToken}

	secrets := newCanaries()
	secrets.add("the permanent secret key", permanentKey)
	secrets.add("the bearer token", bearer)
	secrets.add("the role's secret key", roleKey, badRoleKey)
	secrets.add("the role's token", roleToken, badRoleToken)
	for _, s := range []string{bearer, roleKey, roleToken, badRoleKey, badRoleToken} {
		perm.addSecret(s)
		role.addSecret(s)
	}

	upload := func(string) []byte {
		return urlEvent("POST", `{"prefixes":["uploads/alice/"],"actions":["upload"]}`, nil)
	}
	cam := func(status int, code string) replyWant { return replyWant{status: status, format: "cam", code: code} }
	// STS's messages may quote what the request sent: the keys it was
	// signed with. The issuer must cut those out wherever they appear.
	quoting := func(sent ...string) string {
		return "the request signed with " + strings.Join(sent, " and ") + " does not match"
	}
	permCases := []secretCase{
		{name: "success, cam", event: upload, want: cam(200, "")},
		{
			name: "success, sts, API Gateway",
			event: func(id string) []byte {
				return apigwEvent(id, map[string]string{"prefixes": "uploads/bob/", "format": "sts"})
			},
			want: replyWant{status: 200, format: "sts"},
		},
		{name: "success, direct", event: func(string) []byte { return []byte(`{"prefixes":["uploads/carol/"]}`) }, want: replyWant{direct: true, format: "cam"}},
		{
			name: "success with a bearer token sent",
			event: func(string) []byte {
				return urlEvent("GET", "", map[string]string{"authorization": "Bearer " + bearer})
			},
			want: cam(200, ""),
		},
		{name: "dry run", event: func(string) []byte { return urlEvent("POST", `{"dryRun":true}`, nil) }, want: cam(200, "")},
		{name: "preflight", event: func(string) []byte { return urlEvent("OPTIONS", "", nil) }, want: replyWant{status: 204}},
		{name: "malformed JSON", event: func(string) []byte { return urlEvent("POST", `{"keys":`, nil) }, want: cam(400, "InvalidParameter")},
		{name: "unknown field", event: func(string) []byte { return urlEvent("POST", `{"secretKey":"x"}`, nil) }, want: cam(400, "InvalidParameter")},
		{name: "outside the scope", event: func(string) []byte { return urlEvent("POST", `{"prefixes":["a/"]}`, nil) }, want: cam(403, "AccessDenied")},
		{name: "PUT", event: func(string) []byte { return urlEvent("PUT", "", nil) }, want: cam(405, "MethodNotAllowed")},
		{
			name: "misconfigured: user info in STS_ENDPOINT", event: upload, want: cam(500, "ConfigError"),
			env: map[string]string{"STS_ENDPOINT": "https://" + secretID + ":" + permanentKey + "@sts.tencentcloudapi.com"},
		},
		{name: "misconfigured: no secret id", event: upload, want: cam(500, "ConfigError"), env: map[string]string{"STS_SECRET_ID": " "}},
		{name: "throttled, then fine", event: upload, faults: []stsemu.Fault{{Code: "RequestLimitExceeded", Times: 1}}, want: cam(200, "")},
		{name: "throttled forever", event: upload, faults: []stsemu.Fault{{Code: "RequestLimitExceeded", Message: quoting(permanentKey)}}, slow: true, want: cam(429, "RequestLimitExceeded")},
		{name: "HTTP 502", event: upload, faults: []stsemu.Fault{{HTTPStatus: 502}}, slow: true, want: cam(502, "UpstreamError")},
		{name: "connection reset", event: upload, faults: []stsemu.Fault{{Reset: true}}, slow: true, want: cam(502, "UpstreamError")},
		{name: "hang", event: upload, faults: []stsemu.Fault{{Delay: time.Hour}}, slow: true, want: cam(504, "UpstreamTimeout")},
		{name: "malformed STS answer quoting the key", event: upload, faults: []stsemu.Fault{{Body: `{"Response":` + quoting(permanentKey)}}, slow: true, want: cam(502, "UpstreamError")},
		{name: "empty credentials", event: upload, faults: []stsemu.Fault{{EmptyCredentials: true}}, want: cam(502, "UpstreamError")},
		{name: "STS error quoting the key", event: upload, faults: []stsemu.Fault{{Code: "AuthFailure.SignatureFailure", Message: quoting(permanentKey)}}, want: cam(502, "UpstreamError")},
		{name: "clock skew", event: upload, skew: time.Hour, want: cam(502, "UpstreamError")},
		{name: "success after the faults", event: upload, want: cam(200, "")},
	}
	roleCases := []secretCase{
		{name: "AssumeRole with role keys", event: upload, env: roleEnv, want: cam(200, "")},
		{name: "AssumeRole, sts format", event: func(string) []byte { return urlEvent("POST", `{"format":"sts"}`, nil) }, env: roleEnv, want: replyWant{status: 200, format: "sts"}},
		{name: "AssumeRole, STS error quoting the role keys", event: upload, env: roleEnv, faults: []stsemu.Fault{{Code: "InvalidParameter.PolicyError", Message: quoting(roleKey, roleToken)}}, want: cam(502, "UpstreamError")},
		{name: "AssumeRole, throttled forever", event: upload, env: roleEnv, faults: []stsemu.Fault{{Code: "RequestLimitExceeded", Message: quoting(roleToken, roleKey)}}, slow: true, want: cam(429, "RequestLimitExceeded")},
		{name: "AssumeRole with unknown role keys", event: upload, env: badRoleEnv, want: cam(502, "UpstreamError")},
		{
			name: "AssumeRole with unknown role keys, STS quoting them", event: upload, env: badRoleEnv,
			faults: []stsemu.Fault{{Code: "AuthFailure.SecretIdNotFound", Message: quoting(badRoleKey, badRoleToken)}}, want: cam(502, "UpstreamError"),
		},
		{name: "AssumeRole, outside the scope", event: func(string) []byte { return urlEvent("POST", `{"prefixes":["b/"]}`, nil) }, env: roleEnv, want: cam(403, "AccessDenied")},
		{name: "AssumeRole, no role keys", event: upload, env: map[string]string{"TENCENTCLOUD_SECRETKEY": " ", "TENCENTCLOUD_SESSIONTOKEN": " "}, want: cam(500, "ConfigError")},
	}

	var replies [][]byte
	var calls []stsemu.Call
	run := func(h *harness, prefix string, cases []secretCase) {
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				calls = append(calls, h.emu.Calls()...)
				h.emu.Reset()
				skew.Store(int64(tc.skew))
				defer skew.Store(0)
				for _, f := range tc.faults {
					h.emu.Inject(f)
				}
				requestID := fmt.Sprintf("%s-%d", prefix, i)
				deadline := secretsDeadline
				if tc.slow {
					deadline = secretsSlowDeadline
				}
				reply, _, err := h.send(tc.event(requestID), requestID, deadline, tc.env)
				if err != nil {
					t.Fatalf("%v", err)
				}
				h.keep(reply.Payload)
				replies = append(replies, reply.Payload)
				want := tc.want
				want.requestID = requestID
				if _, err := wellFormed(reply.Payload, want); err != nil {
					t.Errorf("reply: %v", err)
				}
				if _, ok := waitLogLine(h, requestID); !ok {
					t.Errorf("no log line for %s: the search below would not have read it", requestID)
				}
			})
		}
		calls = append(calls, settledCalls(h, 0)...)
		h.emu.Reset()
	}
	run(perm, "secrets-perm", permCases)
	run(role, "secrets-role", roleCases)

	issued := 0
	for _, c := range calls {
		if c.Issued.TmpSecretKey != "" {
			issued++
			secrets.add("credentials issued with STS request "+c.RequestID, c.Issued.TmpSecretKey, c.Issued.Token)
		}
	}
	if issued < 6 {
		t.Errorf("STS issued %d credentials; want at least one per success case (6)", issued)
	}
	for i, r := range replies {
		own := ownSecrets(r)
		_, token := ownPair(r)
		for _, s := range own {
			want := 1
			if s == token {
				want = 2 // sessionToken, and token for Go clients (docs/contract.md §3)
			}
			if n := strings.Count(string(r), s); n != want {
				t.Errorf("reply %d carries its own credential %d times; want %d, in its credentials", i, n, want)
			}
		}
		if found := secrets.find(r, own...); len(found) > 0 {
			t.Errorf("reply %d carries secrets not its own: %v", i, found)
		}
		if bytes.Contains(r, []byte(canaryMarker)) {
			t.Errorf("reply %d carries a piece of a configured secret: %s", i, r)
		}
	}
	for name, h := range map[string]*harness{"permanent keys": perm, "role keys": role} {
		out := h.fn.Output()
		if found := secrets.find(out); len(found) > 0 {
			t.Errorf("the function's log (%s) carries secrets: %v", name, found)
		}
		if i := bytes.Index(out, []byte(canaryMarker)); i >= 0 {
			t.Errorf("the function's log (%s) carries a piece of a configured secret: …%s…", name, out[max(i-60, 0):min(i+20, len(out))])
		}
	}
}

// TestCanaries checks the leak search itself: a secret is found whole, cut
// short, or spread over a longer text, never in its allowed place, and not in
// text that merely looks alike.
func TestCanaries(t *testing.T) {
	key := "0123456789abcdefghijklmnopqrstuv"
	c := newCanaries()
	c.add("the key", key)
	c.add("a short one", "short12")
	tests := []struct {
		name    string
		text    string
		allowed []string
		want    int
	}{
		{"whole", `{"k":"` + key + `"}`, nil, 1},
		{"cut short", "key " + key[:leakWindow] + "…", nil, 1},
		{"tail only", "…" + key[len(key)-leakWindow:], nil, 1},
		{"too short a piece", key[:leakWindow-1], nil, 0},
		{"allowed in place", `{"tmpSecretKey":"` + key + `"}`, []string{key}, 0},
		{"allowed once, leaked twice", key + " " + key[:20], []string{key}, 1},
		{"short secret whole", "x short12 y", nil, 1},
		{"two secrets", key + " short12", nil, 2},
		{"clean", "nothing to see here, not even 0123456789abcdeX", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.find([]byte(tc.text), tc.allowed...); len(got) != tc.want {
				t.Errorf("find = %v; want %d finds", got, tc.want)
			}
		})
	}
}
