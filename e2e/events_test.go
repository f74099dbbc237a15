package e2e_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectation is what docs/contract.md §1, §3 and §5 promise for one sample event, with
// the harness's demo configuration (uploads/ on examplebucket, CORS for
// https://app.example.com).
type expectation struct {
	reply    replyWant // requestID "" means the invocation's own
	cors     bool      // Access-Control-Allow-Origin expected (a preflight's headers too); else none
	mint     *grant    // what STS must have been asked for; nil means no STS call
	duration int       // DurationSeconds sent to STS
	dryRun   *grant    // a dry run's grant
}

var eventExpectations = map[string]expectation{
	"apigw-get.json": {
		reply: replyWant{status: 200}, dryRun: &grant{prefixes: []string{"uploads/alice/"}, actions: allDefault},
	},
	"apigw-post.json": {
		reply: replyWant{status: 200}, mint: &grant{prefixes: []string{"uploads/bob/"}, actions: downloadActions}, duration: 600,
	},
	"function-url-get.json": {
		reply: replyWant{status: 200, format: "sts"},
		mint:  &grant{prefixes: []string{"uploads/carol/", "uploads/shared/"}, actions: downloadActions}, duration: 1800,
	},
	"function-url-post.json": {
		reply: replyWant{status: 200}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 900, cors: true,
	},
	"console-test.json": {
		reply: replyWant{direct: true}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	// The console-ready events the README points to: the SCF console's API Gateway and Function URL templates
	// with the parameters in the body and an empty queryString, and direct invocations.
	"console-apigw.json": {
		reply: replyWant{status: 200}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	"console-function-url.json": {
		reply: replyWant{status: 200}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	"console-default.json": {
		reply: replyWant{direct: true}, mint: &grant{prefixes: []string{"uploads/"}, actions: allDefault}, duration: 1800,
	},
	"console-dry-run.json": {
		reply: replyWant{direct: true}, dryRun: &grant{prefixes: []string{"uploads/alice/"}, actions: allDefault},
	},
	"console-download.json": {
		reply: replyWant{direct: true}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: downloadActions}, duration: 600,
	},
	"console-sts-format.json": {
		reply: replyWant{direct: true, format: "sts"}, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: allDefault}, duration: 1800,
	},
	"options-preflight.json": {reply: replyWant{status: 204, headers: preflight}, cors: true},
	"bad-json-body.json":     {reply: replyWant{status: 400, code: "InvalidParameter"}},
	"unknown-field.json":     {reply: replyWant{status: 400, code: "InvalidParameter", says: []string{"durationSecond"}}},
	"put-method.json":        {reply: replyWant{status: 405, code: "MethodNotAllowed"}},
	"outside-scope.json":     {reply: replyWant{status: 403, code: "AccessDenied", requestID: "e7a0b3c4-7b61-11e6-9a41-93e8deadbeef"}},
	"traversal-key.json":     {reply: replyWant{status: 400, code: "InvalidParameter"}},
}

// TestEvents sends every sample event to one warm function and checks the
// reply, and what STS was asked, against the contract.
func TestEvents(t *testing.T) {
	h := newHarness(t, nil)
	files, err := filepath.Glob("../testdata/events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			want, ok := eventExpectations[name]
			if !ok {
				t.Fatalf("no expectation for %s: add one to eventExpectations", name)
			}
			event, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read %s: %v", file, err)
			}
			h.emu.Reset()
			requestID := "e2e-" + strings.TrimSuffix(name, ".json")
			reply := h.invoke(event, requestID, nil)
			rw := want.reply
			if rw.requestID == "" {
				rw.requestID = requestID
			}
			if !rw.direct {
				rw.headers = maps.Clone(rw.headers)
				if rw.headers == nil {
					rw.headers = map[string]string{}
				}
				maps.Copy(rw.headers, map[string]string{"Access-Control-Allow-Origin": ""})
				if want.cors {
					maps.Copy(rw.headers, corsOK)
				}
			}
			p, err := wellFormed(reply.Payload, rw)
			if err != nil {
				t.Fatalf("reply: %v", err)
			}

			calls := h.emu.Calls()
			switch {
			case want.dryRun != nil:
				if p.grant.Mode != "GetFederationToken" || p.grant.DurationSeconds != 1800 {
					t.Errorf("dry run mode, durationSeconds = %q, %d; want GetFederationToken, 1800", p.grant.Mode, p.grant.DurationSeconds)
				}
				if err := checkGrant(p.grant, string(p.grant.Policy), *want.dryRun); err != nil {
					t.Errorf("dry run: %v", err)
				}
			case want.mint != nil:
				if len(calls) != 1 {
					t.Fatalf("STS got %d calls; want 1", len(calls))
				}
				c, err := matchIssued(p, calls)
				if err != nil {
					t.Errorf("credentials: %v", err)
				}
				if c.Action != "GetFederationToken" || c.SecretID != secretID || c.DurationSeconds != want.duration {
					t.Errorf("STS call = %s by %s for %d s; want GetFederationToken by %s for %d s", c.Action, c.SecretID, c.DurationSeconds, secretID, want.duration)
				}
				if err := checkGrant(p.grant, c.Policy, *want.mint); err != nil {
					t.Errorf("grant: %v", err)
				}
			}
			if want.mint == nil && len(calls) != 0 {
				t.Errorf("STS got %d calls; want none", len(calls))
			}
		})
	}
}
