package e2e_test

import (
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// spec3Replies is docs/contract.md §3, the replies: dry runs, the sts shape, and
// every error code with its status and headers.
func spec3Replies(e specEnv) []specCase {
	return []specCase{
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
			faults: []stsemu.Fault{{Code: "RequestLimitExceeded"}},
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
			event:  fnURL("POST", nil, `{"scope":"mine"}`, map[string]string{"authorization": "Bearer " + e.bearer[:len(e.bearer)-4] + "AAAA"}),
			status: 401, errCode: "Unauthorized", calls: 0, headers: map[string]string{"WWW-Authenticate": "Bearer"},
		},
	}
}
