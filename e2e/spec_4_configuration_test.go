package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// spec4Configuration is docs/contract.md §4, the configuration: keys and modes,
// every variable's effect and default, and a ConfigError naming each mistake.
func spec4Configuration(e specEnv) []specCase {
	return []specCase{
		{
			name:  "§4 STS_SECRET_ID/STS_SECRET_KEY: GetFederationToken signed with them",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error {
				if c.Action != "GetFederationToken" || c.SecretID != secretID || c.Token != "" {
					return fmt.Errorf("call = %s by %s (token %v); want GetFederationToken by %s without a token", c.Action, c.SecretID, c.Token != "", secretID)
				}
				return nil
			}),
		},
		{
			name:  "§4 TENCENTCLOUD_* role keys with STS_ROLE_ARN: AssumeRole with X-TC-Token",
			env:   with(e.role, map[string]string{"STS_ROLE_ARN": roleARN}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				c, role := r.stsCall(t), r.env.role
				if c.Action != "AssumeRole" || c.SecretID != role["TENCENTCLOUD_SECRETID"] || c.Token != role["TENCENTCLOUD_SESSIONTOKEN"] || c.RoleArn != roleARN {
					t.Errorf("call = %s by %s, RoleArn %q (token matches %v); want AssumeRole by the role keys with their token", c.Action, c.SecretID, c.RoleArn, c.Token == role["TENCENTCLOUD_SESSIONTOKEN"])
				}
			},
		},
		{
			name:  "§4 STS_ROLE_EXTERNAL_ID is AssumeRole's ExternalId",
			env:   with(e.role, map[string]string{"STS_ROLE_ARN": roleARN, "STS_ROLE_EXTERNAL_ID": "ext-123"}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("ExternalId", c.ExternalId, "ext-123") }),
		},
		{
			name:  "§4 STS_ROLE_ARN with permanent keys: AssumeRole signed with them",
			env:   map[string]string{"STS_ROLE_ARN": roleARN},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error {
				if c.Action != "AssumeRole" || c.SecretID != secretID {
					return fmt.Errorf("call = %s by %s; want AssumeRole by %s", c.Action, c.SecretID, secretID)
				}
				return nil
			}),
		},
		{
			name:  "§4 AssumeRole's RoleSessionName is cossts-<request id> (README)",
			env:   map[string]string{"STS_ROLE_ARN": roleARN},
			event: postBody(`{}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				if got := r.call.RoleSessionName; got != "cossts-"+r.id {
					t.Errorf("RoleSessionName = %q; want %q", got, "cossts-"+r.id)
				}
			},
		},
		{
			name:  "§4 AssumeRole allows STS_MAX_DURATION_SECONDS up to 43200 (README)",
			env:   map[string]string{"STS_ROLE_ARN": roleARN, "STS_MAX_DURATION_SECONDS": "43200"},
			event: postBody(`{"durationSeconds":43200}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 43200) }),
		},
		{
			name:  "§4 GetFederationToken refuses STS_MAX_DURATION_SECONDS above a sub-account's 129600 (README)",
			env:   map[string]string{"STS_MAX_DURATION_SECONDS": "129601"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_MAX_DURATION_SECONDS"),
		},
		{
			name:  "§4 STS_SECRET_ID wins over the role keys (README)",
			env:   with(e.role, map[string]string{"STS_SECRET_ID": secretID, "STS_SECRET_KEY": e.secretKey}),
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("SecretID", c.SecretID, secretID) }),
		},
		{
			name:  "§4 role keys without STS_ROLE_ARN: ConfigError that says to set STS_ROLE_ARN",
			env:   e.role,
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ROLE_ARN"),
		},
		{
			name:  "§4 no keys at all: ConfigError that says to set STS_ROLE_ARN or the keys",
			env:   map[string]string{"STS_SECRET_ID": "", "STS_SECRET_KEY": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ROLE_ARN", "STS_SECRET_ID"),
		},
		{
			name:  "§4 credentials are read at every invocation: a new permanent key is used at once",
			env:   map[string]string{"STS_SECRET_KEY": "not-the-key"},
			event: postBody(`{}`), status: 502, errCode: "UpstreamError", calls: 1, says: []string{"AuthFailure"},
		},
		{
			name:  "§4 STS_REGION is the region sent to STS",
			env:   map[string]string{"STS_REGION": "ap-chengdu"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-chengdu") }),
		},
		{
			name:  "§4 STS_REGION defaults to TENCENTCLOUD_REGION",
			env:   map[string]string{"TENCENTCLOUD_REGION": "ap-beijing"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-beijing") }),
		},
		{
			name:  "§4 STS_REGION defaults to ap-guangzhou",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Region", c.Region, "ap-guangzhou") }),
		},
		{
			name:  "§4 STS_BUCKET_REGION defaults to STS_REGION",
			env:   map[string]string{"STS_BUCKET_REGION": "", "STS_REGION": "ap-chengdu"},
			event: postBody(`{}`), status: 200, calls: 1,
			grant: grantIs(bucket, "ap-chengdu", []string{"uploads/"}, nil, allDefault),
		},
		{
			name:  "§4 STS_BUCKET_REGION is the resource region",
			env:   map[string]string{"STS_BUCKET_REGION": "ap-shanghai"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			grant: grantIs(bucket, "ap-shanghai", []string{"uploads/"}, nil, allDefault),
		},
		{
			name:  "§4 STS_FEDERATION_NAME defaults to cossts",
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Name", c.Name, "cossts") }),
		},
		{
			name:  "§4 STS_FEDERATION_NAME is GetFederationToken's Name",
			env:   map[string]string{"STS_FEDERATION_NAME": "photoapp"},
			event: postBody(`{}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("Name", c.Name, "photoapp") }),
		},
		{
			name:  "§4 STS_FEDERATION_NAME must be letters only",
			env:   map[string]string{"STS_FEDERATION_NAME": "photo-app"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_FEDERATION_NAME"),
		},
		{
			name:  "§4 STS_ENDPOINT that is not a host or URL is a ConfigError",
			env:   map[string]string{"STS_ENDPOINT": "ftp://sts.example.com/path"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ENDPOINT"),
		},
		{
			name:  "§4 STS_BUCKET is required",
			env:   map[string]string{"STS_BUCKET": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_BUCKET"),
		},
		{
			name:  "§4 STS_BUCKET needs its APPID suffix",
			env:   map[string]string{"STS_BUCKET": "examplebucket"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_BUCKET"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES is required",
			env:   map[string]string{"STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES: folders end in /, other items are keys",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/, docs/readme.md"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant([]string{"uploads/"}, []string{"docs/readme.md"}),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES=* is the whole bucket",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "*"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				want := []string{res(bucket, region, "*")}
				if got := r.dryPolicy(t).resources(); !slices.Equal(got, want) {
					t.Errorf("resources = %q; want %q", got, want)
				}
			},
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES=* beside folders is a ConfigError",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "uploads/,*"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_PREFIXES with a bad item is a ConfigError",
			env:   map[string]string{"STS_ALLOW_PREFIXES": "/uploads/"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_PREFIXES"),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS defaults to upload,download",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil, uploadActions, downloadActions),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS: the delete preset is DeleteObject",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "delete"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil, []string{"name/cos:DeleteObject"}),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS: presets and COS names mix",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "download, PutObject, name/cos:DeleteObject"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			grant: defaultGrant([]string{"uploads/"}, nil, downloadActions, []string{"name/cos:PutObject", "name/cos:DeleteObject"}),
		},
		{
			name:  "§4 STS_ALLOW_ACTIONS with an unknown action is a ConfigError",
			env:   map[string]string{"STS_ALLOW_ACTIONS": "upload,Frobnicate"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_ALLOW_ACTIONS", "Frobnicate"),
		},
		{
			name:  "§4 STS_DURATION_SECONDS is the default lifetime",
			env:   map[string]string{"STS_DURATION_SECONDS": "1200"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if got := num(r.payload["durationSeconds"]); got != 1200 {
					t.Errorf("durationSeconds = %d; want 1200", got)
				}
			},
		},
		{
			name:  "§4 STS_MAX_DURATION_SECONDS defaults to 7200: 7200 is allowed",
			event: postBody(`{"durationSeconds":7200}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 7200) }),
		},
		{
			name:  "§4 STS_MAX_DURATION_SECONDS is the most a caller may ask for",
			env:   map[string]string{"STS_MAX_DURATION_SECONDS": "3600"},
			event: postBody(`{"durationSeconds":3601}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_DURATION_SECONDS above STS_MAX_DURATION_SECONDS is a ConfigError",
			env:   map[string]string{"STS_DURATION_SECONDS": "3600", "STS_MAX_DURATION_SECONDS": "900"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0,
		},
		{
			name:  "§4 STS_POLICY is used verbatim",
			env:   map[string]string{"STS_POLICY": specPolicy, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 200, calls: 1, bucket: noBucket,
			check: callIs(func(c stsemu.Call) error { return wantStr("Policy", c.Policy, specPolicy) }),
		},
		{
			name:  "§4 STS_POLICY with whitespace and conditions is sent unchanged in meaning",
			env:   map[string]string{"STS_POLICY": specPolicySpaced, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 200, calls: 1, bucket: noBucket,
			check: func(t *testing.T, r *specReply) {
				var got, want any
				if err := json.Unmarshal([]byte(r.call.Policy), &got); err != nil {
					t.Fatalf("sent policy %q: %v", r.call.Policy, err)
				}
				if err := json.Unmarshal([]byte(specPolicySpaced), &want); err != nil {
					t.Fatalf("STS_POLICY: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("sent policy = %s; want %s", r.call.Policy, specPolicySpaced)
				}
			},
		},
		{
			name:  "§4 STS_POLICY: callers cannot narrow it",
			env:   map[string]string{"STS_POLICY": specPolicy, "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{"prefixes":["docs/a/"]}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_POLICY that is not JSON is a ConfigError",
			env:   map[string]string{"STS_POLICY": "{version: 2.0", "STS_BUCKET": "", "STS_ALLOW_PREFIXES": ""},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_POLICY"),
		},
		{
			name:  "§4 STS_SCOPES: a named scope's bucket, region, actions and durationSeconds",
			env:   scopesEnv,
			event: fnURL("POST", nil, `{"scope":"avatar"}`, map[string]string{"x-scf-remote-addr": "203.0.113.7"}), status: 200, calls: 1,
			// The avatar scope's limits leave the upload preset with PutObject alone (README, "Limits and upload paths").
			grant: grantIs("avatars-1250000000", "ap-shanghai", []string{"avatars/"}, nil, []string{"name/cos:PutObject"}),
			check: callIs(func(c stsemu.Call) error { return wantInt("DurationSeconds", c.DurationSeconds, 900) }),
		},
		{
			name:  "§4 STS_SCOPES: a named scope's maxDurationSeconds",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","durationSeconds":1801}`), status: 403, errCode: "AccessDenied", calls: 0,
		},
		{
			name:  "§4 STS_SCOPES: a named scope's conditions go into the policy",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar","actions":["PutObject"],"dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				p := r.dryPolicy(t)
				if got := p.condition("numeric_less_than_equal", "cos:content-length"); len(got) != 1 || num(got[0]) != 5242880 {
					t.Errorf("numeric_less_than_equal cos:content-length = %v; want [5242880]", got)
				}
				if got := p.condition("string_like", "cos:content-type"); len(got) != 1 || !slices.Equal(strs(got[0]), []string{"image/*"}) {
					t.Errorf("string_like cos:content-type = %v; want [[image/*]]", got)
				}
			},
		},
		{
			name:  "§4 STS_SCOPES: the env-built default scope stays beside named ones",
			env:   scopesEnv,
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0, grant: defaultGrant([]string{"uploads/"}, nil),
		},
		{
			name:  "§4 STS_SCOPES that is not valid JSON is a ConfigError",
			env:   map[string]string{"STS_SCOPES": `{"avatar": {`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES"),
		},
		{
			name:  "§4 STS_SCOPES with an unknown field is a ConfigError (a typo never widens a grant)",
			env:   map[string]string{"STS_SCOPES": `{"x": {"bucket": "examplebucket-1250000000", "prefixes": ["a/"], "action": ["upload"]}}`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES"),
		},
		{
			name:  "§4 STS_SCOPES_FILE: a JSON file",
			env:   map[string]string{"STS_SCOPES_FILE": e.jsonFile},
			event: postBody(`{"scope":"export","dryRun":true}`), status: 200, calls: 0,
			grant: grantIs("exports-1250000000", "ap-guangzhou", nil, []string{"exports/latest.csv"}, []string{"name/cos:GetObject"}),
		},
		{
			name:  "§4 STS_SCOPES_FILE: a YAML file, as scripts/build.sh packs it",
			env:   map[string]string{"STS_SCOPES_FILE": e.yamlFile},
			event: postBody(`{"scope":"avatar","dryRun":true}`), status: 200, calls: 0,
			grant: grantIs("avatars-1250000000", "ap-shanghai", []string{"avatars/"}, nil, uploadActions),
		},
		{
			name:  "§4 STS_SCOPES_FILE: a YAML file that reached the package unconverted is a ConfigError saying how to pack it",
			env:   map[string]string{"STS_SCOPES_FILE": e.rawYAMLFile},
			event: postBody(`{"scope":"avatar","dryRun":true}`), status: 500, errCode: "ConfigError", calls: 0,
			check: logSays("STS_SCOPES_FILE", "is YAML that was not converted", "EXTRA_FILES=unconverted.yaml scripts/build.sh"),
		},
		{
			name:  "§4 STS_SCOPES_FILE is re-read when the file changes",
			env:   map[string]string{"STS_SCOPES_FILE": e.reloadFile},
			event: postBody(`{"scope":"first","dryRun":true}`), status: 200, calls: 0,
			check: func(t *testing.T, r *specReply) {
				if err := os.WriteFile(r.env.reloadFile, []byte(`{"second": {"bucket": "examplebucket-1250000000", "prefixes": ["second/"], "actions": ["download"]}}`), 0o644); err != nil {
					t.Fatalf("rewrite %s: %v", r.env.reloadFile, err)
				}
				got, _ := r.send(t, postBody(`{"scope":"second","dryRun":true}`))
				if !slices.Equal(strs(got["prefixes"]), []string{"second/"}) {
					t.Errorf("after the file changed, scope second = %v; want prefixes [second/]", got)
				}
			},
		},
		{
			name:  "§4 STS_SCOPES_FILE that does not exist is a ConfigError",
			env:   map[string]string{"STS_SCOPES_FILE": e.missingFile},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_SCOPES_FILE"),
		},
		{
			name:  "§4 a ${jwt:…} template while STS_AUTH=none is a ConfigError",
			env:   map[string]string{"STS_SCOPES": `{"mine": {"bucket": "examplebucket-1250000000", "prefixes": ["users/${jwt:sub}/"], "actions": ["upload"]}}`},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0,
		},
		{
			name:  "§4 STS_RESPONSE_FORMAT other than cam or sts is a ConfigError",
			env:   map[string]string{"STS_RESPONSE_FORMAT": "xml"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_RESPONSE_FORMAT"),
		},
		{
			name:  "§4 STS_LOG_LEVEL other than debug, info, warn, error is a ConfigError",
			env:   map[string]string{"STS_LOG_LEVEL": "verbose"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_LOG_LEVEL"),
		},
		{
			name:  "§4 STS_LOG_LEVEL=debug is accepted",
			env:   map[string]string{"STS_LOG_LEVEL": "debug"},
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
		},
		{
			name:  "§4 STS_AUTH defaults to none: no token needed",
			event: postBody(`{"dryRun":true}`), status: 200, calls: 0,
		},
		{
			name:  "§4 STS_AUTH other than none or jwt is a ConfigError",
			env:   map[string]string{"STS_AUTH": "basic"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_AUTH"),
		},
		{
			name:  "§4 STS_AUTH=jwt: a valid HS256 token mints, with ${jwt:sub} substituted",
			env:   jwtEnv,
			event: e.authed(`{"scope":"mine"}`), status: 200, calls: 1,
			grant: grantIs(bucket, region, []string{"users/alice/"}, nil, uploadActions),
		},
		{
			name:  "§4 STS_AUTH=jwt: an anonymous scope is served without a token",
			env:   jwtEnv,
			event: postBody(`{"scope":"public","dryRun":true}`), status: 200, calls: 0,
			grant: grantIs(bucket, region, []string{"public/"}, nil, downloadActions),
		},
		{
			name:  "§4 STS_MAX_CALLS_PER_SECOND: beyond it, 429 RequestLimitExceeded with Retry-After and no call to STS",
			env:   map[string]string{"STS_MAX_CALLS_PER_SECOND": "0.01"}, // one call per 100 s
			event: postBody(`{"prefixes":["uploads/limited/"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				r.h.emu.Reset()
				reply, _, err := r.h.send(r.c.event, "spec-limited-"+rand4(), 10*time.Second, rowEnv(r.h, r.c))
				if err != nil {
					t.Fatal(err)
				}
				r.h.keep(reply.Payload)
				var ir integration
				if err := json.Unmarshal(reply.Payload, &ir); err != nil {
					t.Fatalf("reply %.300s: %v", reply.Payload, err)
				}
				if ir.StatusCode != 429 || ir.Headers["Retry-After"] == "" || !strings.Contains(ir.Body, `"codeDesc":"RequestLimitExceeded"`) {
					t.Errorf("the second request = %d %v %s; want 429 RequestLimitExceeded with Retry-After", ir.StatusCode, ir.Headers, ir.Body)
				}
				if n, err := strconv.Atoi(ir.Headers["Retry-After"]); err != nil || n < 90 || n > 100 {
					t.Errorf("Retry-After = %q; want about 100 s", ir.Headers["Retry-After"])
				}
				if calls := r.h.emu.Calls(); len(calls) != 0 {
					t.Errorf("the refused request made %d STS calls; want 0", len(calls))
				}
			},
		},
		{
			name:  "§4 STS_MAX_CALLS_PER_SECOND that is not a positive number is a ConfigError",
			env:   map[string]string{"STS_MAX_CALLS_PER_SECOND": "0"},
			event: postBody(`{}`), status: 500, errCode: "ConfigError", calls: 0, check: logSays("STS_MAX_CALLS_PER_SECOND"),
		},
		{
			name:  "§4 STS_CACHE defaults to off: an identical request mints again",
			event: postBody(`{"prefixes":["uploads/cache/"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				if _, calls := r.again(t); len(calls) != 1 {
					t.Errorf("second identical request: %d STS calls; want 1", len(calls))
				}
			},
		},
		{
			name:  "§4 STS_CACHE=on reuses credentials for an identical grant in a warm instance",
			env:   map[string]string{"STS_CACHE": "on"},
			event: postBody(`{"prefixes":["uploads/cache/"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				second, calls := r.again(t)
				if len(calls) != 0 {
					t.Errorf("second identical request: %d STS calls; want 0", len(calls))
				}
				first, _ := r.payload["credentials"].(map[string]any)
				again, _ := second["credentials"].(map[string]any)
				if first["tmpSecretId"] != again["tmpSecretId"] {
					t.Errorf("second tmpSecretId = %v; want the first's %v", again["tmpSecretId"], first["tmpSecretId"])
				}
			},
		},
	}
}
