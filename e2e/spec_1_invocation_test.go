package e2e_test

import (
	"encoding/json"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// spec1Invocation is docs/contract.md §1, how the function is invoked: the three event
// shapes, their headers, query strings and bodies, the methods, and SCF's deadline.
func spec1Invocation(e specEnv) []specCase {
	return []specCase{
		{
			name:   "§1 API Gateway event: integration response; an error carries requestContext.requestId",
			event:  gateway("GET", map[string]any{"scope": "nope"}, "", "gw-0001-req", "10.0.2.14", nil),
			status: 400, errCode: "InvalidParameter", requestID: "gw-0001-req", calls: 0,
		},
		{
			name:   "§1 API Gateway event: the caller IP is requestContext.sourceIp, not x-scf-remote-addr",
			env:    scopesEnv,
			event:  gateway("GET", map[string]any{"scope": "avatar", "dryRun": "true"}, "", "gw-0002", "10.0.2.14", map[string]string{"x-scf-remote-addr": "198.51.100.9"}),
			status: 200, calls: 0, check: sentIP("10.0.2.14"),
		},
		{
			name:   "§1 Function URL event: the caller IP is header x-scf-remote-addr",
			env:    scopesEnv,
			event:  fnURL("POST", nil, `{"scope":"avatar","dryRun":true}`, map[string]string{"x-scf-remote-addr": "198.51.100.9"}),
			status: 200, calls: 0, check: sentIP("198.51.100.9"),
		},
		{
			name:   "§1 headers match case-insensitively: X-SCF-Remote-Addr",
			env:    scopesEnv,
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
			event: direct(`{}`), direct: true, calls: 1, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§1 direct invocation: no caller IP, so bindSourceIp is left out",
			env:   scopesEnv,
			event: direct(`{"scope":"avatar","dryRun":true}`), direct: true, calls: 0, check: sentIP(""),
		},
		{
			name:  "§1 direct invocation: an error is the same body, with SCF's request id",
			event: direct(`{"scope":"nope"}`), direct: true, status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:   "§1 queryString value as a string",
			event:  get(map[string]any{"prefixes": "uploads/a/", "dryRun": "true"}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/a/"}, nil),
		},
		{
			name:   "§1 queryString value as an array of strings",
			event:  get(map[string]any{"prefixes": []string{"uploads/a/", "uploads/b/"}, "dryRun": "true"}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{
			name:   "§1 queryString value true (a bare name) for a boolean",
			event:  get(map[string]any{"dryRun": true}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 isBase64Encoded: true: the body is decoded first",
			event:  base64Event(`{"prefixes":["uploads/b64/"],"dryRun":true}`),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/b64/"}, nil),
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
			status: 200, calls: 1, grant: defaultGrant([]string{"uploads/g/"}, nil, downloadActions),
		},
		{
			name:   "§1 POST takes its parameters from the JSON body and mints",
			event:  postBody(`{"prefixes":["uploads/p/"],"actions":["upload"],"durationSeconds":900}`),
			status: 200, calls: 1, grant: defaultGrant([]string{"uploads/p/"}, nil, uploadActions),
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) }),
		},
		{
			name:   "§1 POST with query parameters is a 400 InvalidParameter",
			event:  fnURL("POST", map[string]any{"dryRun": "true"}, `{}`, nil),
			status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§1 POST with an empty body is the default request",
			event: postBody(``), status: 200, calls: 1, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 POST ignores a Content-Type that is not JSON (text/plain, as browsers send to skip preflight)",
			event:  fnURL("POST", nil, `{"dryRun":true}`, map[string]string{"Content-Type": "text/plain;charset=UTF-8"}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
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
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:   "§1 SCF's deadline: STS that never answers gets a clean 504 before it",
			event:  postBody(`{"prefixes":["uploads/slow/"]}`),
			faults: []stsemu.Fault{{Delay: time.Hour}}, deadline: defaultDeadline,
			status: 504, errCode: "UpstreamTimeout", calls: -1,
		},
	}
}
