package e2e_test

import (
	"strconv"
	"testing"
)

// spec5CORS is docs/contract.md §5, CORS.
func spec5CORS(e specEnv) []specCase {
	return []specCase{
		{
			name:  "§5 an allowed Origin gets Access-Control-Allow-Origin and Vary: Origin",
			event: withOrigin("GET", origin, map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: corsOK,
		},
		{
			name:  "§5 an allowed Origin gets CORS headers on an error too",
			event: withOrigin("POST", origin, nil, `{"prefixes":["private/"]}`), status: 403, errCode: "AccessDenied", calls: 0, headers: corsOK,
		},
		{
			name:  "§5 an allowed Origin gets CORS headers on a 405",
			event: withOrigin("PUT", origin, nil, ""), status: 405, errCode: "MethodNotAllowed", calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Allow": "GET, POST, OPTIONS"},
		},
		{
			name:  "§5 one of several allowed origins",
			env:   map[string]string{"STS_ALLOW_ORIGINS": "https://a.example.com,https://b.example.com:8443"},
			event: withOrigin("GET", "https://b.example.com:8443", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": "https://b.example.com:8443", "Vary": "Origin"},
		},
		{
			name:  "§5 STS_ALLOW_ORIGINS=* answers *",
			env:   map[string]string{"STS_ALLOW_ORIGINS": "*"},
			event: withOrigin("GET", "https://anything.example", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0,
			headers: map[string]string{"Access-Control-Allow-Origin": "*"},
		},
		{
			name:  "§5 OPTIONS preflight: 204 with Allow-Methods, Allow-Headers and Max-Age",
			event: withOrigin("OPTIONS", origin, nil, ""), status: 204, calls: 0, headers: preflight,
		},
		{
			name:  "§5 OPTIONS preflight carries Access-Control-Max-Age",
			event: withOrigin("OPTIONS", origin, nil, ""), status: 204, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if n, err := strconv.Atoi(r.http.header("Access-Control-Max-Age")); err != nil || n <= 0 {
					t.Errorf("Access-Control-Max-Age = %q; want a positive number of seconds", r.http.header("Access-Control-Max-Age"))
				}
			},
		},
		{
			name:  "§5 a disallowed Origin gets no CORS headers, and the request is served",
			event: withOrigin("GET", "https://evil.example", nil, ""), status: 200, calls: 1, headers: noCORS,
		},
		{
			name:  "§5 a disallowed Origin's preflight gets no CORS headers",
			event: withOrigin("OPTIONS", "https://evil.example", nil, ""), status: 204, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 an origin differing only by a trailing slash is not allowed",
			event: withOrigin("GET", origin+"/", map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 without STS_ALLOW_ORIGINS there are no CORS headers",
			env:   map[string]string{"STS_ALLOW_ORIGINS": ""},
			event: withOrigin("GET", origin, map[string]any{"dryRun": "true"}, ""), status: 200, calls: 0, headers: noCORS,
		},
		{
			name:  "§5 OPTIONS without Origin is a 204 without CORS headers",
			event: fnURL("OPTIONS", nil, "", nil), status: 204, calls: 0, headers: map[string]string{"Access-Control-Allow-Origin": ""},
		},
	}
}
