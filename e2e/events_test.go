package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectation is what docs/contract.md §1, §3 and §5 promise for one sample event, with
// the harness's demo configuration (uploads/ on examplebucket, CORS for
// https://app.example.com).
type expectation struct {
	status    int    // 0: a direct invocation, whose result is the body itself
	format    string // cam (default) or sts
	errCode   string // "" for success
	errNaming string // a word the error message must contain
	requestID string // the requestId an error carries; "" means the invocation's own
	mint      *grant // what STS must have been asked for; nil means no STS call
	duration  int    // DurationSeconds sent to STS
	dryRun    *grant // a dry run's grant
	cors      bool   // Access-Control-Allow-Origin expected
}

var eventExpectations = map[string]expectation{
	"apigw-get.json": {
		status: 200, dryRun: &grant{prefixes: []string{"uploads/alice/"}, actions: append(uploadActions, downloadActions...)},
	},
	"apigw-post.json": {
		status: 200, mint: &grant{prefixes: []string{"uploads/bob/"}, actions: downloadActions}, duration: 600,
	},
	"function-url-get.json": {
		status: 200, format: "sts",
		mint: &grant{prefixes: []string{"uploads/carol/", "uploads/shared/"}, actions: downloadActions}, duration: 1800,
	},
	"function-url-post.json": {
		status: 200, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 900, cors: true,
	},
	"console-test.json": {
		status: 0, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	// The console-ready events the README points to: the SCF console's API Gateway and Function URL templates
	// with the parameters in the body and an empty queryString, and direct invocations.
	"console-apigw.json": {
		status: 200, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	"console-function-url.json": {
		status: 200, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}, duration: 1800,
	},
	"console-default.json": {
		status: 0, mint: &grant{prefixes: []string{"uploads/"}, actions: append(uploadActions, downloadActions...)}, duration: 1800,
	},
	"console-dry-run.json": {
		status: 0, dryRun: &grant{prefixes: []string{"uploads/alice/"}, actions: append(uploadActions, downloadActions...)},
	},
	"console-download.json": {
		status: 0, mint: &grant{prefixes: []string{"uploads/alice/"}, actions: downloadActions}, duration: 600,
	},
	"console-sts-format.json": {
		status: 0, format: "sts", mint: &grant{prefixes: []string{"uploads/alice/"}, actions: append(uploadActions, downloadActions...)}, duration: 1800,
	},
	"options-preflight.json": {status: 204, cors: true},
	"bad-json-body.json":     {status: 400, errCode: "InvalidParameter", cors: false},
	"unknown-field.json":     {status: 400, errCode: "InvalidParameter", errNaming: "durationSecond"},
	"put-method.json":        {status: 405, errCode: "MethodNotAllowed"},
	"outside-scope.json":     {status: 403, errCode: "AccessDenied", requestID: "e7a0b3c4-7b61-11e6-9a41-93e8deadbeef"},
	"traversal-key.json":     {status: 400, errCode: "InvalidParameter"},
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
			if want.requestID == "" {
				want.requestID = requestID
			}
			checkEventReply(t, reply.Payload, want)

			calls := h.emu.Calls()
			if want.mint == nil {
				if len(calls) != 0 {
					t.Errorf("STS got %d calls; want none", len(calls))
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("STS got %d calls; want 1", len(calls))
			}
			c := calls[0]
			if c.Action != "GetFederationToken" || c.ErrorCode != "" || c.SecretID != secretID {
				t.Errorf("STS call = %s by %s -> %q; want a successful GetFederationToken by %s", c.Action, c.SecretID, c.ErrorCode, secretID)
			}
			checkPolicy(t, c.Policy, *want.mint)
			checkIssued(t, issuedPayload(t, reply.Payload, want), c, *want.mint, want.duration)
		})
	}
}

// checkEventReply checks the shape, status, headers and body of one reply.
func checkEventReply(t *testing.T, payload []byte, want expectation) {
	t.Helper()
	body := payload
	if want.status != 0 {
		var r integration
		if err := json.Unmarshal(payload, &r); err != nil {
			t.Fatalf("reply %s is not an integration response: %v", payload, err)
		}
		if r.StatusCode != want.status {
			t.Errorf("statusCode = %d; want %d; body %s", r.StatusCode, want.status, r.Body)
		}
		if got := r.header("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q; want application/json; charset=utf-8", got)
		}
		if got := r.header("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q; want no-store", got)
		}
		checkCORS(t, r, want)
		if r.IsBase64Encoded {
			t.Errorf("isBase64Encoded = true; want a JSON text body")
		}
		body = []byte(r.Body)
	}
	if want.status == 204 {
		if len(body) != 0 {
			t.Errorf("204 body = %q; want none", body)
		}
		return
	}
	if want.errCode != "" {
		checkErrorBody(t, body, want)
		return
	}
	if want.dryRun != nil {
		var b camBody
		if err := json.Unmarshal(body, &b); err != nil || b.Data == nil {
			t.Fatalf("body %s: not cam with data (%v)", body, err)
		}
		var d grantBody
		if err := json.Unmarshal(b.Data, &d); err != nil {
			t.Fatalf("data %s: %v", b.Data, err)
		}
		if !d.DryRun || d.Mode != "GetFederationToken" || d.DurationSeconds != 1800 || d.Credentials != nil {
			t.Errorf("dry run = {dryRun %v, mode %q, durationSeconds %d, credentials %v}; want true, GetFederationToken, 1800, none",
				d.DryRun, d.Mode, d.DurationSeconds, d.Credentials != nil)
		}
		checkPolicy(t, string(d.Policy), *want.dryRun)
		checkGrantFields(t, d, *want.dryRun)
	}
}

// checkCORS checks docs/contract.md §5: the allowed origin echoed with Vary, and for a
// preflight the methods, headers and max age.
func checkCORS(t *testing.T, r integration, want expectation) {
	t.Helper()
	got := r.header("Access-Control-Allow-Origin")
	if !want.cors {
		if got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q; want none", got)
		}
	} else {
		if got != origin || r.header("Vary") != "Origin" {
			t.Errorf("Access-Control-Allow-Origin, Vary = %q, %q; want %q, Origin", got, r.header("Vary"), origin)
		}
	}
	if want.status == 204 {
		if m := r.header("Access-Control-Allow-Methods"); m != "GET, POST, OPTIONS" {
			t.Errorf("Access-Control-Allow-Methods = %q; want GET, POST, OPTIONS", m)
		}
		if h := r.header("Access-Control-Allow-Headers"); h != "Authorization, Content-Type" {
			t.Errorf("Access-Control-Allow-Headers = %q; want Authorization, Content-Type", h)
		}
		if r.header("Access-Control-Max-Age") == "" {
			t.Errorf("Access-Control-Max-Age missing")
		}
	}
	if want.status == 405 {
		if a := r.header("Allow"); a != "GET, POST, OPTIONS" {
			t.Errorf("Allow = %q; want GET, POST, OPTIONS", a)
		}
	}
}

func checkErrorBody(t *testing.T, body []byte, want expectation) {
	t.Helper()
	var code, message, requestID string
	if want.format == "sts" {
		var b stsErrorBody
		if err := json.Unmarshal(body, &b); err != nil || b.Error == nil {
			t.Fatalf("body %s: not an sts error (%v)", body, err)
		}
		code, message, requestID = b.Error.Code, b.Error.Message, b.RequestID
	} else {
		var b camBody
		if err := json.Unmarshal(body, &b); err != nil || b.Code == nil || b.Message == nil {
			t.Fatalf("body %s: not a cam error (%v)", body, err)
		}
		if *b.Code != want.status {
			t.Errorf("code = %d; want the status %d", *b.Code, want.status)
		}
		if b.Data != nil {
			t.Errorf("an error carries data: %s", b.Data)
		}
		code, message, requestID = b.CodeDesc, *b.Message, b.RequestID
	}
	if code != want.errCode {
		t.Errorf("error code = %q; want %q (message %q)", code, want.errCode, message)
	}
	if message == "" || !strings.Contains(message, want.errNaming) {
		t.Errorf("message = %q; want one naming %q", message, want.errNaming)
	}
	if requestID != want.requestID {
		t.Errorf("requestId = %q; want %q", requestID, want.requestID)
	}
}

// issuedPayload extracts the credential payload of a success: data for cam,
// the whole body for sts.
func issuedPayload(t *testing.T, payload []byte, want expectation) grantBody {
	t.Helper()
	body := payload
	if want.status != 0 {
		var r integration
		if err := json.Unmarshal(payload, &r); err != nil {
			t.Fatalf("reply %s: %v", payload, err)
		}
		body = []byte(r.Body)
	}
	if want.format == "sts" {
		var g grantBody
		if err := json.Unmarshal(body, &g); err != nil {
			t.Fatalf("sts body %s: %v", body, err)
		}
		return g
	}
	var b camBody
	if err := json.Unmarshal(body, &b); err != nil || b.Code == nil || b.Message == nil {
		t.Fatalf("body %s: not cam (%v)", body, err)
	}
	if *b.Code != 0 || *b.Message != "" || b.CodeDesc != "Success" {
		t.Errorf("code, message, codeDesc = %d, %q, %q; want 0, \"\", Success", *b.Code, *b.Message, b.CodeDesc)
	}
	var g grantBody
	if err := json.Unmarshal(b.Data, &g); err != nil {
		t.Fatalf("data %s: %v", b.Data, err)
	}
	return g
}
