package e2e_test

import (
	"slices"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// spec2Parameters is docs/contract.md §2, the request parameters: names, types,
// the default request, narrowing, the key rules, conditions and query-string lists.
func spec2Parameters(e specEnv) []specCase {
	return []specCase{
		{
			name:  "§2 an unknown name in a JSON body is a 400 naming it",
			event: postBody(`{"prefix":["uploads/a/"]}`), status: 400, errCode: "InvalidParameter", says: []string{`"prefix"`}, calls: 0,
		},
		{
			name:  "§2 an unknown name in a query string is a 400 naming it",
			event: get(map[string]any{"duration": "900"}), status: 400, errCode: "InvalidParameter", says: []string{`"duration"`}, calls: 0,
		},
		{
			name:  "§2 an unknown name in a direct invocation is a 400 naming it",
			event: direct(`{"dryrun":true}`), direct: true, status: 400, errCode: "InvalidParameter", says: []string{`"dryrun"`}, calls: 0,
		},
		{
			name:  "§2 names are case-sensitive: Prefixes is unknown",
			event: get(map[string]any{"Prefixes": "uploads/"}), status: 400, errCode: "InvalidParameter", says: []string{`"Prefixes"`}, calls: 0,
		},
		{
			name:  "§2 {} is the default request: every scope prefix and key, the scope's actions and duration",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{}`), status: 200, calls: 1,
			grant: defaultGrant([]string{"uploads/"}, []string{"exports/latest.csv"}),
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 1800) }),
		},
		{
			name:  "§2 a parameterless GET is the default request",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: get(nil), status: 200, calls: 1, grant: defaultGrant([]string{"uploads/"}, []string{"exports/latest.csv"}),
		},
		{
			name:  "§2 scope defaults to default: scope=default is the same grant",
			event: get(map[string]any{"scope": "default", "dryRun": "true"}), status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 scope names a configured scope",
			env:   scopesEnv,
			event: postBody(`{"scope":"export"}`), status: 200, calls: 1,
			grant: grantIs("exports-1250000000", "ap-guangzhou", nil, []string{"exports/latest.csv"}, []string{"name/cos:GetObject"}),
		},
		{
			name:  "§2 an unknown scope is a 400",
			event: postBody(`{"scope":"nope"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes narrow the grant to exactly those",
			event: postBody(`{"prefixes":["uploads/a/","uploads/b/c/"]}`), status: 200, calls: 1,
			grant: defaultGrant([]string{"uploads/a/", "uploads/b/c/"}, nil),
		},
		{
			name:  "§2 keys narrow the grant to exactly those",
			event: postBody(`{"keys":["uploads/a.txt","uploads/b/c.png"]}`), status: 200, calls: 1,
			grant: defaultGrant(nil, []string{"uploads/a.txt", "uploads/b/c.png"}),
		},
		{
			name:  "§2 prefixes and keys together: exactly both",
			event: postBody(`{"prefixes":["uploads/a/"],"keys":["uploads/b.txt"]}`), status: 200, calls: 1,
			grant: defaultGrant([]string{"uploads/a/"}, []string{"uploads/b.txt"}),
		},
		{
			name:  "§2 a prefix must end with /",
			event: postBody(`{"prefixes":["uploads/a"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a prefix outside the scope is a 403",
			event: postBody(`{"prefixes":["private/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a prefix containing the scope prefix is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 segment boundary: uploads/u1/ allows uploads/u1/2026/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/u1/2026/"],"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant([]string{"uploads/u1/2026/"}, nil),
		},
		{
			name:  "§2 segment boundary: uploads/u1/ never allows uploads/u10/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"prefixes":["uploads/u10/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 segment boundary: a key under uploads/u10/ is outside uploads/u1/",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/u1/"},
			event: postBody(`{"keys":["uploads/u10/a.txt"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a key equal to a scope key is allowed",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"keys":["exports/latest.csv"],"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant(nil, []string{"exports/latest.csv"}),
		},
		{
			name:  "§2 a key that only starts with a scope key is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"keys":["exports/latest.csv2"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 a prefix under a scope key is a 403",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,exports/latest.csv"},
			event: postBody(`{"prefixes":["exports/latest.csv/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 actions: a preset",
			event: postBody(`{"actions":["download"],"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant([]string{"uploads/"}, nil, downloadActions),
		},
		{
			name:  "§2 actions: a COS action name, bare or name/cos:",
			event: postBody(`{"actions":["PutObject","name/cos:GetObject"],"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant([]string{"uploads/"}, nil, []string{"name/cos:PutObject", "name/cos:GetObject"}),
		},
		{
			name:  "§2 actions beyond the scope's are a 403",
			event: postBody(`{"actions":["delete"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 an unknown action is a 400",
			event: postBody(`{"actions":["Frobnicate"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a wildcard action is refused",
			event: postBody(`{"actions":["name/cos:*"]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds defaults to the scope's",
			env:   map[string]string{"STS_DURATION_SECONDS": "900"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) }),
		},
		{
			name:  "§2 durationSeconds sets the lifetime; startTime = expiredTime - durationSeconds",
			event: postBody(`{"durationSeconds":600}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 600) }),
		},
		{
			name:  "§2 durationSeconds above the scope's maximum is a 403",
			event: postBody(`{"durationSeconds":7201}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 durationSeconds 0 is a 400 (README)",
			event: postBody(`{"durationSeconds":0}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds as a JSON string is a 400 (wrong type)",
			event: postBody(`{"durationSeconds":"900"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds as a fraction is a 400 (wrong type)",
			event: postBody(`{"durationSeconds":900.5}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 durationSeconds not a number in a query string is a 400",
			event: get(map[string]any{"durationSeconds": "abc"}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 format=sts answers the sts shape",
			event: postBody(`{"format":"sts"}`), format: "sts", status: 200, calls: 1, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 format defaults to STS_RESPONSE_FORMAT",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "sts"},
			event: postBody(`{}`), format: "sts", status: 200, calls: 1,
		},
		{
			name:  "§2 format=cam overrides STS_RESPONSE_FORMAT=sts",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "sts"},
			event: postBody(`{"format":"cam"}`), status: 200, calls: 1,
		},
		{
			name:  "§2 an unknown format is a 400",
			event: get(map[string]any{"format": "xml"}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 dryRun returns the policy and mints nothing",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§2 dryRun false mints",
			event: postBody(`{"dryRun":false}`), status: 200, calls: 1,
		},
		{
			name:  "§2 maxContentLength tightens an unlimited scope",
			event: postBody(`{"maxContentLength":1048576,"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("numeric_less_than_equal", "cos:content-length")
				if len(got) != 1 || num(got[0]) != 1048576 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [1048576]", got)
				}
			},
		},
		{
			name:  "§2 maxContentLength tightens a scope's limit",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","maxContentLength":1024,"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("numeric_less_than_equal", "cos:content-length")
				if len(got) != 1 || num(got[0]) != 1024 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [1024]", got)
				}
			},
		},
		{
			name:  "§2 maxContentLength never loosens a scope's limit: 403",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","maxContentLength":5242881}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 contentTypes tightens a scope's types",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","contentTypes":["image/png"],"actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				got := r.dryPolicy(t).condition("string_like", "cos:content-type")
				if len(got) != 1 || !slices.Equal(strs(got[0]), []string{"image/png"}) {
					t.Errorf("string_like cos:content-type = %v; want [[image/png]]", got)
				}
			},
		},
		{
			name:  "§2 contentTypes the scope does not allow are a 403",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","contentTypes":["text/html"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 contentTypes wider than the scope's are a 403",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","contentTypes":["application/*"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§2 claims over HTTP are refused",
			event: postBody(`{"claims":{"sub":"alice"},"dryRun":true}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:   "§2 a query list by repeating the name",
			event:  get(map[string]any{"prefixes": []string{"uploads/a/", "uploads/b/"}, "actions": []string{"upload", "download"}, "dryRun": "true"}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{
			name:   "§2 a query list with commas",
			event:  get(map[string]any{"prefixes": "uploads/a/,uploads/b/", "actions": "upload,download", "dryRun": "true"}),
			status: 200, calls: 0, grant: defaultGrant([]string{"uploads/a/", "uploads/b/"}, nil),
		},
		{name: "§2 query boolean true", event: get(map[string]any{"dryRun": "true"}), status: 200, calls: 0},
		{name: "§2 query boolean 1", event: get(map[string]any{"dryRun": "1"}), status: 200, calls: 0},
		{name: "§2 query boolean false mints", event: get(map[string]any{"dryRun": "false"}), status: 200, calls: 1},
		{name: "§2 query boolean 0 mints", event: get(map[string]any{"dryRun": "0"}), status: 200, calls: 1},
		{name: "§2 query boolean yes is a 400", event: get(map[string]any{"dryRun": "yes"}), status: 400, errCode: "InvalidParameter", calls: 0},
		{
			name:  "§2 a single-valued query parameter given twice is a 400",
			event: get(map[string]any{"durationSeconds": []string{"900", "600"}}), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a JSON field given twice is a 400 (README)",
			event: postBody(`{"dryRun":true,"dryRun":false}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes as a JSON string is a 400 (wrong type)",
			event: postBody(`{"prefixes":"uploads/a/"}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 prefixes: [] with no keys is a 400, not everything (README)",
			event: postBody(`{"prefixes":[]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 malformed JSON is a 400",
			event: postBody(`{"prefixes":["uploads/a/"]`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a JSON body that is not an object is a 400",
			event: postBody(`["uploads/a/"]`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a direct invocation that is not an object is a 400",
			event: direct(`"uploads/a/"`), direct: true, status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a key of exactly 850 bytes is allowed",
			event: postBody(`{"keys":["` + k850 + `"],"dryRun":true}`), status: 200, calls: 0, grant: defaultGrant(nil, []string{k850}),
		},
		{name: "§2 a key of 851 bytes is a 400", event: postBody(`{"keys":["` + k850 + `b"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a leading / is a 400", event: postBody(`{"keys":["/uploads/a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with an empty segment is a 400", event: postBody(`{"keys":["uploads//a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a . segment is a 400", event: postBody(`{"keys":["uploads/./a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a .. segment is a 400", event: postBody(`{"keys":["uploads/../a"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a prefix with a .. segment is a 400", event: postBody(`{"prefixes":["uploads/../"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with a control character is a 400", event: postBody(`{"keys":["uploads/a\u0001b"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with DEL is a 400", event: postBody(`{"keys":["uploads/a\u007fb"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with * is a 400", event: postBody(`{"keys":["uploads/a*"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a key with ? is a 400", event: postBody(`{"keys":["uploads/a?"]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 an empty key is a 400", event: postBody(`{"keys":[""]}`), status: 400, errCode: "InvalidParameter", calls: 0},
		{name: "§2 a prefix with * is a 400", event: get(map[string]any{"prefixes": "uploads/*/"}), status: 400, errCode: "InvalidParameter", calls: 0},
		{
			name:  "§2 a key that is not valid UTF-8 (raw byte 0xFF in the body) is a 400, not a different key",
			event: base64Event("{\"keys\":[\"uploads/a\xffb\"],\"dryRun\":true}"), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 a key that is not valid UTF-8 (lone surrogate escape) is a 400, not a different key",
			event: postBody(`{"keys":["uploads/a\ud800b"],"dryRun":true}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 unicode keys and keys with spaces are keys like any other",
			event: postBody(`{"keys":["uploads/照片 1.jpg","uploads/my file (2).pdf"],"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant(nil, []string{"uploads/照片 1.jpg", "uploads/my file (2).pdf"}),
		},
		{
			name:  "§2 a query value is not URL-decoded twice",
			event: get(map[string]any{"keys": "uploads/a%2Fb", "dryRun": "true"}), status: 200, calls: 0,
			grant: defaultGrant(nil, []string{"uploads/a%2Fb"}),
		},
		{
			name:  "§2 a grant too large for STS is refused before STS is called",
			event: postBody(`{"prefixes":[` + manyPrefixes(200) + `]}`), status: 400, errCode: "InvalidParameter", calls: 0,
		},
		{
			name:  "§2 claims in a direct invocation with STS_AUTH=jwt test a scope as that user",
			env:   jwtEnv,
			event: direct(`{"scope":"mine","claims":{"sub":"bob"},"dryRun":true}`), direct: true, calls: 0,
			grant: grantIs(bucket, region, []string{"users/bob/"}, nil, uploadActions),
		},
	}
}
