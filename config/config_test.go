package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// env is a map-backed getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// with returns a copy of e with kv pairs set.
func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var minimal = env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/"}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(minimal.get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Endpoint != (issuer.Endpoint{Host: "sts.tencentcloudapi.com", Scheme: "HTTPS"}) {
		t.Errorf("Endpoint = %+v; want sts.tencentcloudapi.com over HTTPS", c.Endpoint)
	}
	if c.Region != "ap-guangzhou" || c.FederationName != "cossts" || c.Format != FormatCAM || c.LogLevel != LevelInfo {
		t.Errorf("defaults = region %q name %q format %q level %v", c.Region, c.FederationName, c.Format, c.LogLevel)
	}
	if c.Mode() != issuer.ModeGetFederationToken {
		t.Errorf("Mode = %q; want GetFederationToken", c.Mode())
	}
	s := c.Scopes[DefaultScope]
	if s == nil {
		t.Fatal("no default scope")
	}
	want := &Scope{
		Name: "default", Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
		Prefixes: []string{"uploads/"}, Keys: []string{},
		Actions: []string{
			"name/cos:PutObject", "name/cos:PostObject", "name/cos:InitiateMultipartUpload",
			"name/cos:ListMultipartUploads", "name/cos:ListParts", "name/cos:UploadPart",
			"name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload",
			"name/cos:GetObject", "name/cos:HeadObject",
		},
		DurationSeconds: 1800, MaxDurationSeconds: 7200,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("default scope = %+v\nwant %+v", s, want)
	}
}

func TestLoadSettings(t *testing.T) {
	e := minimal.with(
		"STS_ENDPOINT", "http://127.0.0.1:8080",
		"TENCENTCLOUD_REGION", "ap-shanghai",
		"STS_BUCKET_REGION", "ap-beijing",
		"STS_ALLOW_PREFIXES", " uploads/a/ , docs/readme.txt,",
		"STS_ALLOW_ACTIONS", "download,DeleteObject",
		"STS_DURATION_SECONDS", "900",
		"STS_MAX_DURATION_SECONDS", "3600",
		"STS_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/cos-sts",
		"STS_ROLE_EXTERNAL_ID", "ext",
		"STS_RESPONSE_FORMAT", "sts",
		"STS_ALLOW_ORIGINS", "https://app.example.com, http://localhost:5173/",
		"STS_LOG_LEVEL", "debug",
		"STS_FEDERATION_NAME", "myapp",
	)
	c, err := Load(e.get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Endpoint != (issuer.Endpoint{Host: "127.0.0.1:8080", Scheme: "HTTP"}) {
		t.Errorf("Endpoint = %+v", c.Endpoint)
	}
	if c.Region != "ap-shanghai" {
		t.Errorf("Region = %q; want TENCENTCLOUD_REGION's ap-shanghai", c.Region)
	}
	if c.Mode() != issuer.ModeAssumeRole || c.ExternalID != "ext" || c.Format != FormatSTS || c.LogLevel != LevelDebug {
		t.Errorf("mode %q ext %q format %q level %v", c.Mode(), c.ExternalID, c.Format, c.LogLevel)
	}
	if got := c.AllowOrigins; !reflect.DeepEqual(got, Origins{"https://app.example.com", "http://localhost:5173"}) {
		t.Errorf("AllowOrigins = %q", got)
	}
	s := c.Scopes[DefaultScope]
	if s.Region != "ap-beijing" || s.DurationSeconds != 900 || s.MaxDurationSeconds != 3600 {
		t.Errorf("scope region %q duration %d max %d", s.Region, s.DurationSeconds, s.MaxDurationSeconds)
	}
	if !reflect.DeepEqual(s.Prefixes, []string{"uploads/a/"}) || !reflect.DeepEqual(s.Keys, []string{"docs/readme.txt"}) {
		t.Errorf("prefixes %q keys %q", s.Prefixes, s.Keys)
	}
	if want := []string{"name/cos:GetObject", "name/cos:HeadObject", "name/cos:DeleteObject"}; !reflect.DeepEqual(s.Actions, want) {
		t.Errorf("Actions = %q; want %q", s.Actions, want)
	}
}

func TestLoadWholeBucketOnlyWhenExplicit(t *testing.T) {
	c, err := Load(minimal.with("STS_ALLOW_PREFIXES", "*").get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Scopes[DefaultScope].Prefixes; !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("Prefixes = %q; want [*]", got)
	}
	for _, v := range []string{"", " ", ",", "/"} {
		if _, err := Load(minimal.with("STS_ALLOW_PREFIXES", v).get); err == nil {
			t.Errorf("STS_ALLOW_PREFIXES=%q loaded; want an error, never a whole-bucket grant", v)
		}
	}
}

func TestLoadVerbatimPolicy(t *testing.T) {
	pol := `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/pub/*"]}]}`
	c, err := Load(env{"STS_POLICY": pol}.get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := c.Scopes[DefaultScope]
	if s.Policy == "" || !strings.Contains(s.Policy, `"name/cos:GetObject"`) {
		t.Errorf("Policy = %q; want the verbatim policy", s.Policy)
	}
	if !reflect.DeepEqual(s.Actions, []string{"name/cos:GetObject"}) {
		t.Errorf("Actions = %q", s.Actions)
	}
}

// TestLoadErrors checks that each mistake is reported naming its variable, and that all are reported together.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []string // substrings of the joined error, each naming a variable
	}{
		{"nothing set", env{}, []string{"STS_BUCKET: is required", "STS_ALLOW_PREFIXES: is required"}},
		{"bucket without appid", minimal.with("STS_BUCKET", "examplebucket"), []string{"STS_BUCKET: \"examplebucket\" is not a bucket name"}},
		{"prefix with dot segment", minimal.with("STS_ALLOW_PREFIXES", "a/../b/"), []string{"STS_ALLOW_PREFIXES:"}},
		{"leading slash", minimal.with("STS_ALLOW_PREFIXES", "/uploads/"), []string{"STS_ALLOW_PREFIXES:"}},
		{"star and folders", minimal.with("STS_ALLOW_PREFIXES", "*,uploads/"), []string{`STS_ALLOW_PREFIXES: "*" already grants the whole bucket`}},
		{"unknown preset", minimal.with("STS_ALLOW_ACTIONS", "upload,everything"), []string{"STS_ALLOW_ACTIONS:"}},
		{"wildcard action", minimal.with("STS_ALLOW_ACTIONS", "name/cos:*"), []string{"STS_ALLOW_ACTIONS:"}},
		{"duration not a number", minimal.with("STS_DURATION_SECONDS", "30m"), []string{`STS_DURATION_SECONDS: "30m" must be a whole number`}},
		{"duration zero", minimal.with("STS_DURATION_SECONDS", "0"), []string{"STS_DURATION_SECONDS:"}},
		{"duration above max", minimal.with("STS_DURATION_SECONDS", "4000", "STS_MAX_DURATION_SECONDS", "3600"), []string{"STS_DURATION_SECONDS: 4000 is above STS_MAX_DURATION_SECONDS"}},
		{"federation max", minimal.with("STS_MAX_DURATION_SECONDS", "129601"), []string{"STS_MAX_DURATION_SECONDS: 129601 is above 129600"}},
		{"assume role max", minimal.with("STS_ROLE_ARN", "qcs::cam::uin/1:roleName/r", "STS_MAX_DURATION_SECONDS", "50000"), []string{"STS_MAX_DURATION_SECONDS: 50000 is above 43200"}},
		{"bad endpoint", minimal.with("STS_ENDPOINT", "ftp://x"), []string{"STS_ENDPOINT:"}},
		{"endpoint with path", minimal.with("STS_ENDPOINT", "https://sts.tencentcloudapi.com/v1"), []string{"STS_ENDPOINT:"}},
		{"clear text endpoint", minimal.with("STS_ENDPOINT", "http://sts.tencentcloudapi.com"), []string{"STS_ENDPOINT:", "loopback"}},
		{"bad region", minimal.with("STS_REGION", "Guangzhou"), []string{"STS_REGION:"}},
		{"bad bucket region", minimal.with("STS_BUCKET_REGION", "gz"), []string{"STS_BUCKET_REGION:"}},
		{"bad role arn", minimal.with("STS_ROLE_ARN", "arn:aws:iam::1:role/x"), []string{"STS_ROLE_ARN:"}},
		{"external id without role", minimal.with("STS_ROLE_EXTERNAL_ID", "x"), []string{"STS_ROLE_EXTERNAL_ID:"}},
		{"bad auth", minimal.with("STS_AUTH", "oauth"), []string{`STS_AUTH: "oauth" must be none or jwt`}},
		{"bad format", minimal.with("STS_RESPONSE_FORMAT", "xml"), []string{"STS_RESPONSE_FORMAT:"}},
		{"bad origin", minimal.with("STS_ALLOW_ORIGINS", "app.example.com"), []string{"STS_ALLOW_ORIGINS:"}},
		{"origin with path", minimal.with("STS_ALLOW_ORIGINS", "https://a.example.com/app"), []string{"STS_ALLOW_ORIGINS:"}},
		{"bad log level", minimal.with("STS_LOG_LEVEL", "loud"), []string{"STS_LOG_LEVEL:"}},
		{"federation name", minimal.with("STS_FEDERATION_NAME", "my-app"), []string{"STS_FEDERATION_NAME:"}},
		{"jwt without its settings", minimal.with("STS_AUTH", "jwt"), []string{"STS_JWT_ISSUER:", "STS_JWT_AUDIENCE:"}},
		{"jwt settings without jwt", minimal.with("STS_JWT_SECRET", "x"), []string{"STS_JWT_SECRET: is set while STS_AUTH is none"}},
		{"bad leeway", minimal.with("STS_AUTH", "jwt", "STS_JWT_ISSUER", "i", "STS_JWT_AUDIENCE", "a", "STS_JWT_SECRET", strings.Repeat("s", 32), "STS_JWT_LEEWAY_SECONDS", "-5"), []string{"STS_JWT_LEEWAY_SECONDS:"}},
		{"template without jwt", minimal.with("STS_ALLOW_PREFIXES", "users/${jwt:sub}/"), []string{"STS_ALLOW_PREFIXES: templates like ${jwt:sub} need STS_AUTH=jwt"}},
		{"cache word", minimal.with("STS_CACHE", "yes"), []string{`STS_CACHE: "yes" must be on or off`}},
		{"cache remaining", minimal.with("STS_CACHE_MIN_REMAINING_SECONDS", "-1"), []string{"STS_CACHE_MIN_REMAINING_SECONDS:"}},
		{"calls per second zero", minimal.with("STS_MAX_CALLS_PER_SECOND", "0"), []string{`STS_MAX_CALLS_PER_SECOND: "0" must be a positive number`}},
		{"calls per second zero point zero", minimal.with("STS_MAX_CALLS_PER_SECOND", "0.000"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second negative", minimal.with("STS_MAX_CALLS_PER_SECOND", "-1"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second word", minimal.with("STS_MAX_CALLS_PER_SECOND", "many"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second exponent", minimal.with("STS_MAX_CALLS_PER_SECOND", "1e3"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second infinite", minimal.with("STS_MAX_CALLS_PER_SECOND", "Inf"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second bare fraction", minimal.with("STS_MAX_CALLS_PER_SECOND", ".5"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second trailing dot", minimal.with("STS_MAX_CALLS_PER_SECOND", "5."), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"calls per second with a unit", minimal.with("STS_MAX_CALLS_PER_SECOND", "5/s"), []string{"STS_MAX_CALLS_PER_SECOND:"}},
		{"empty scopes", minimal.with("STS_SCOPES", "{}"), []string{"STS_SCOPES: defines no scope"}},
		{"policy not json", env{"STS_POLICY": "{version"}, []string{"STS_POLICY: is not a usable CAM policy"}},
		{"policy with principal", env{"STS_POLICY": `{"version":"2.0","principal":{"qcs":["*"]},"statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}`}, []string{"STS_POLICY:"}},
		{"policy and prefixes", minimal.with("STS_POLICY", `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}`), []string{"STS_ALLOW_PREFIXES: cannot be combined with STS_POLICY"}},
		{"several at once", env{"STS_BUCKET": "bad", "STS_ALLOW_PREFIXES": "x//", "STS_RESPONSE_FORMAT": "xml"}, []string{"STS_BUCKET:", "STS_ALLOW_PREFIXES:", "STS_RESPONSE_FORMAT:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.env.get)
			if err == nil {
				t.Fatalf("Load = %+v, nil; want an error", c)
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("errors.Is(err, ErrConfig) = false for %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestOriginsAllow(t *testing.T) {
	o := Origins{"https://app.example.com"}
	if got, ok := o.Allow("https://app.example.com"); !ok || got != "https://app.example.com" {
		t.Errorf("Allow(listed) = %q, %v", got, ok)
	}
	if _, ok := o.Allow("https://evil.example.com"); ok {
		t.Error("Allow(unlisted) = true")
	}
	if _, ok := o.Allow(""); ok {
		t.Error("Allow(\"\") = true")
	}
	if got, ok := (Origins{"*"}).Allow("https://any.example"); !ok || got != "*" {
		t.Errorf("Allow with * = %q, %v; want *", got, ok)
	}
}

func TestLoadCredentials(t *testing.T) {
	const arn = "qcs::cam::uin/1:roleName/r"
	role := env{"TENCENTCLOUD_SECRETID": "AKIDrole", "TENCENTCLOUD_SECRETKEY": "rolekey", "TENCENTCLOUD_SESSIONTOKEN": "tok"}
	tests := []struct {
		name    string
		env     env
		roleARN string
		want    issuer.Credentials
		wantVar string // the variable the error names
	}{
		{"permanent keys", env{"STS_SECRET_ID": "AKIDperm", "STS_SECRET_KEY": "permkey"}, "", issuer.Credentials{SecretID: "AKIDperm", SecretKey: "permkey"}, ""},
		{"permanent keys win over role keys", role.with("STS_SECRET_ID", "AKIDperm", "STS_SECRET_KEY", "permkey"), arn, issuer.Credentials{SecretID: "AKIDperm", SecretKey: "permkey"}, ""},
		{"role keys with role", role, arn, issuer.Credentials{SecretID: "AKIDrole", SecretKey: "rolekey", Token: "tok"}, ""},
		{"role keys without role", role, "", issuer.Credentials{}, "STS_ROLE_ARN"},
		{"id without key", env{"STS_SECRET_ID": "AKIDperm"}, "", issuer.Credentials{}, "STS_SECRET_KEY"},
		{"key without id", env{"STS_SECRET_KEY": "permkey"}, "", issuer.Credentials{}, "STS_SECRET_ID"},
		{"nothing", env{}, "", issuer.Credentials{}, "STS_ROLE_ARN"},
		{"role but no role keys", env{}, arn, issuer.Credentials{}, "TENCENTCLOUD_SECRETID"},
		{"half role keys", env{"TENCENTCLOUD_SECRETID": "AKIDrole"}, arn, issuer.Credentials{}, "TENCENTCLOUD_SECRETKEY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadCredentials(tc.env.get, tc.roleARN)
			if tc.wantVar == "" {
				if err != nil || got != tc.want {
					t.Fatalf("LoadCredentials = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tc.wantVar {
				t.Fatalf("LoadCredentials error = %v; want one naming %s", err, tc.wantVar)
			}
			for _, secret := range []string{"permkey", "rolekey", "tok"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes a secret", err)
				}
			}
		})
	}
}

func TestLoadJWT(t *testing.T) {
	e := minimal.with("STS_AUTH", "jwt", "STS_JWT_ISSUER", "https://idp.example.com", "STS_JWT_AUDIENCE", "cos-sts",
		"STS_JWT_SECRET", strings.Repeat("k", 32), "STS_ALLOW_PREFIXES", "users/${jwt:sub}/,shared/")
	c, err := Load(e.get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Auth == nil || c.Auth.Issuer != "https://idp.example.com" || c.Auth.Leeway != 60*time.Second {
		t.Errorf("Auth = %+v; want the issuer and the 60 s default leeway", c.Auth)
	}
	s := c.Scopes[DefaultScope]
	if !s.Templated() {
		t.Error("Templated() = false for users/${jwt:sub}/")
	}
	filled, err := s.Substitute(map[string]any{"sub": "alice"})
	if err != nil || !reflect.DeepEqual(filled.Prefixes, []string{"users/alice/", "shared/"}) {
		t.Errorf("Substitute = %+v, %v", filled, err)
	}
	if !reflect.DeepEqual(s.Prefixes, []string{"users/${jwt:sub}/", "shared/"}) {
		t.Errorf("Substitute changed the scope itself: %q", s.Prefixes)
	}
	if _, err := s.Substitute(map[string]any{"sub": "../x"}); err == nil {
		t.Error("Substitute accepted an unsafe sub")
	}
	if strings.Contains(strings.Join(c.Warnings(), " "), "STS_AUTH=none") {
		t.Error("warns about unauthenticated callers while STS_AUTH=jwt")
	}
	bad := e.with("STS_SCOPES", `{"a":{"bucket":"a-1250000000","prefixes":["u/${jwt:sub}/"],"anonymous":true}}`)
	if _, err := Load(bad.get); err == nil || !strings.Contains(err.Error(), "scopes.a.anonymous:") {
		t.Errorf("anonymous templated scope: err = %v", err)
	}
}

// TestLoadRefusesTemplatesSharingASegment: t/${jwt:org}-${jwt:sub}/ gives org=a-b,sub=c and org=a,sub=b-c the same
// folder. A template must fill a whole path segment, in the default scope and in named scopes.
func TestLoadRefusesTemplatesSharingASegment(t *testing.T) {
	jwt := minimal.with("STS_AUTH", "jwt", "STS_JWT_ISSUER", "https://idp.example.com", "STS_JWT_AUDIENCE", "cos-sts",
		"STS_JWT_SECRET", strings.Repeat("k", 32))
	for _, item := range []string{"t/${jwt:org}-${jwt:sub}/", "t/u-${jwt:sub}/", "t/${jwt:sub}.d/", "t/${jwt:sub}/k-${jwt:org}"} {
		_, err := Load(jwt.with("STS_ALLOW_PREFIXES", item).get)
		if err == nil || !strings.Contains(err.Error(), "STS_ALLOW_PREFIXES:") || !strings.Contains(err.Error(), "whole path segment") {
			t.Errorf("STS_ALLOW_PREFIXES=%s: err = %v; want a whole-path-segment problem", item, err)
		}
		scopes := `{"t":{"bucket":"a-1250000000","prefixes":["x/"],"keys":["` + strings.TrimSuffix(item, "/") + `"]}}`
		_, err = Load(jwt.with("STS_ALLOW_PREFIXES", "", "STS_BUCKET", "", "STS_SCOPES", scopes).get)
		if err == nil || !strings.Contains(err.Error(), "scopes.t.keys[0]:") || !strings.Contains(err.Error(), "whole path segment") {
			t.Errorf("key %s: err = %v; want a whole-path-segment problem", item, err)
		}
	}
	if _, err := Load(jwt.with("STS_ALLOW_PREFIXES", "t/${jwt:org}/${jwt:sub}/").get); err != nil {
		t.Errorf("one template per segment: %v", err)
	}
}

// TestLoadFederationDurationUpToASubAccountsLimit: STS gives a sub-account's GetFederationToken up to 129,600 s.
func TestLoadFederationDurationUpToASubAccountsLimit(t *testing.T) {
	c, err := Load(minimal.with("STS_MAX_DURATION_SECONDS", "129600", "STS_DURATION_SECONDS", "86400").get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s := c.Scopes[DefaultScope]; s.MaxDurationSeconds != 129600 || s.DurationSeconds != 86400 {
		t.Errorf("durations = %d / %d; want 86400 / 129600", s.DurationSeconds, s.MaxDurationSeconds)
	}
}

// TestMaxCallsPerSecond: STS_MAX_CALLS_PER_SECOND is a positive decimal number of calls per second and instance;
// unset (or blank) is no limit.
func TestMaxCallsPerSecond(t *testing.T) {
	for raw, want := range map[string]float64{"": 0, "  ": 0, "4.8": 4.8, "1": 1, "0.25": 0.25, " 600 ": 600, "007": 7} {
		c, err := Load(minimal.with("STS_MAX_CALLS_PER_SECOND", raw).get)
		if err != nil {
			t.Fatalf("%q: Load: %v", raw, err)
		}
		if c.MaxCallsPerSecond != want {
			t.Errorf("STS_MAX_CALLS_PER_SECOND=%q: MaxCallsPerSecond = %v; want %v", raw, c.MaxCallsPerSecond, want)
		}
	}
}
