package config

import (
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fieldOf is this test's own account of which variable writes which field of a scope document (docs/contract.md
// §4), kept apart from the package's envVars so that the two can disagree.
var fieldOf = map[string]string{
	"STS_BUCKET":               "bucket",
	"STS_BUCKET_REGION":        "region",
	"STS_ALLOW_PREFIXES":       "prefixes",
	"STS_ALLOW_ACTIONS":        "actions",
	"STS_DURATION_SECONDS":     "durationSeconds",
	"STS_MAX_DURATION_SECONDS": "maxDurationSeconds",
}

// keyNote ends an environment problem about an item of STS_ALLOW_PREFIXES that is a key.
const keyNote = " (an item without a trailing / is an exact object key)"

var filePlace = regexp.MustCompile(`^scopes\.default\.([A-Za-z.]+)(\[\d+\])?: `)

// normalized turns Load's problems into "field: message", whichever form named them: STS_DURATION_SECONDS: m and
// STS_SCOPES: scopes.default.durationSeconds: m both become "durationSeconds: m", and a variable a message quotes
// becomes its field. Any problem that names neither a default-scope variable nor the default scope's document is
// returned as it is, and so fails the comparison.
func normalized(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("problem %v is not a *config.Error", e)
		}
		field, msg := "", ce.Problem
		switch {
		case ce.Var == "STS_SCOPES":
			m := filePlace.FindStringSubmatch(msg)
			if m == nil {
				out = append(out, ce.Error())
				continue
			}
			field, msg = m[1], msg[len(m[0]):]
		case fieldOf[ce.Var] != "":
			field = fieldOf[ce.Var]
			if cut, ok := strings.CutSuffix(msg, keyNote); ok && field == "prefixes" {
				field, msg = "keys", cut
			}
		default:
			out = append(out, ce.Error())
			continue
		}
		for v, f := range fieldOf {
			msg = strings.ReplaceAll(msg, v, f)
		}
		out = append(out, field+": "+msg)
	}
	slices.Sort(out)
	return out
}

// TestEnvAndFileScopesAgree runs one table through both ways of writing a scope: the STS_* variables of the
// default scope, and the same scope as a document (STS_SCOPES={"default": …}). Every row must load to the same
// Scope, or fail with the same problems, each named in its own form's words: a variable for the environment, a
// place in the document for the file. A row names what it expects too, so that the two cannot agree on a wrong
// answer. Conditions and anonymous exist only in documents, STS_POLICY only in the environment: they are tested
// in their own tests.
func TestEnvAndFileScopesAgree(t *testing.T) {
	jwt := env{"STS_AUTH": "jwt", "STS_JWT_ISSUER": "https://idp.example.com", "STS_JWT_AUDIENCE": "cos-sts", "STS_JWT_SECRET": strings.Repeat("k", 32)}
	role := env{"STS_ROLE_ARN": "qcs::cam::uin/100000000001:roleName/cos-sts"}
	const bucket = `"bucket":"examplebucket-1250000000"`
	long := strings.Repeat("d", 200)
	var manyEnv, manyDoc []string
	for i := range 30 {
		manyEnv = append(manyEnv, long+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"/")
		manyDoc = append(manyDoc, `"`+manyEnv[i]+`"`)
	}
	tests := []struct {
		name   string
		shared env    // in both forms
		vars   env    // the environment's form
		doc    string // the document's form, the inside of {"default": {…}}
		want   func(*Scope) bool
		wantP  []string // normalized problems, each a prefix of one
	}{
		{"a folder", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/"},
			bucket + `,"prefixes":["uploads/"]`,
			func(s *Scope) bool {
				return s.DurationSeconds == 1800 && s.MaxDurationSeconds == 7200 && len(s.Actions) == 10 && s.Region == "ap-guangzhou"
			}, nil},
		{"folders and keys", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/a/, docs/readme.txt"},
			bucket + `,"prefixes":["uploads/a/"],"keys":["docs/readme.txt"]`,
			func(s *Scope) bool { return slices.Equal(s.Keys, []string{"docs/readme.txt"}) }, nil},
		{"a key alone", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "exports/latest.csv"},
			bucket + `,"keys":["exports/latest.csv"]`,
			func(s *Scope) bool { return len(s.Prefixes) == 0 && len(s.Keys) == 1 }, nil},
		{"the whole bucket", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "*"},
			bucket + `,"prefixes":["*"]`,
			func(s *Scope) bool { return slices.Equal(s.Prefixes, []string{"*"}) }, nil},
		{"the whole bucket beside a folder", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "*,uploads/"},
			bucket + `,"prefixes":["*","uploads/"]`, nil, []string{`prefixes: "*" already grants the whole bucket`}},
		{"a dot-dot folder", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "a/../b/"},
			bucket + `,"prefixes":["a/../b/"]`, nil, []string{"prefixes: policy: prefix"}},
		{"a key with a leading slash", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/,/k"},
			bucket + `,"prefixes":["uploads/"],"keys":["/k"]`, nil, []string{"keys: policy: key"}},
		{"no folder or key", nil, env{"STS_BUCKET": "examplebucket-1250000000"},
			bucket, nil, []string{"prefixes: is required"}},
		{"no bucket", nil, env{"STS_ALLOW_PREFIXES": "uploads/"},
			`"prefixes":["uploads/"]`, nil, []string{"bucket: is required"}},
		{"a bucket without its APPID", nil, env{"STS_BUCKET": "examplebucket", "STS_ALLOW_PREFIXES": "uploads/"},
			`"bucket":"examplebucket","prefixes":["uploads/"]`, nil, []string{`bucket: "examplebucket" is not a bucket name`}},
		{"nothing at all", nil, env{"STS_DURATION_SECONDS": "900"},
			`"durationSeconds":900`, nil, []string{"bucket: is required", "prefixes: is required"}},
		{"actions", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_ALLOW_ACTIONS": "download,DeleteObject"},
			bucket + `,"prefixes":["uploads/"],"actions":["download","DeleteObject"]`,
			func(s *Scope) bool {
				return slices.Equal(s.Actions, []string{"name/cos:GetObject", "name/cos:HeadObject", "name/cos:DeleteObject"})
			}, nil},
		{"an unknown preset", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_ALLOW_ACTIONS": "upload,everything"},
			bucket + `,"prefixes":["uploads/"],"actions":["upload","everything"]`, nil, []string{"actions: policy: action"}},
		{"a wildcard action", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_ALLOW_ACTIONS": "name/cos:*"},
			bucket + `,"prefixes":["uploads/"],"actions":["name/cos:*"]`, nil, []string{"actions: policy: action"}},
		{"a bucket region", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_BUCKET_REGION": "ap-beijing"},
			bucket + `,"prefixes":["uploads/"],"region":"ap-beijing"`,
			func(s *Scope) bool { return s.Region == "ap-beijing" }, nil},
		{"a bad bucket region", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_BUCKET_REGION": "gz"},
			bucket + `,"prefixes":["uploads/"],"region":"gz"`, nil, []string{`region: "gz" is not a region`}},
		{"the region STS is called in", env{"STS_REGION": "ap-shanghai"}, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/"},
			bucket + `,"prefixes":["uploads/"]`,
			func(s *Scope) bool { return s.Region == "ap-shanghai" }, nil},
		{"a bad region to call STS in", env{"STS_REGION": "Guangzhou"}, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/"},
			bucket + `,"prefixes":["uploads/"]`, nil, []string{`STS_REGION: "Guangzhou" is not a region`}},
		{"a default duration", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "900"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":900`,
			func(s *Scope) bool { return s.DurationSeconds == 900 && s.MaxDurationSeconds == 7200 }, nil},
		{"both durations", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "900", "STS_MAX_DURATION_SECONDS": "3600"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":900,"maxDurationSeconds":3600`,
			func(s *Scope) bool { return s.DurationSeconds == 900 && s.MaxDurationSeconds == 3600 }, nil},
		// The drift this test was written against: the environment blamed STS_DURATION_SECONDS, which nobody set.
		{"a maximum below the default duration lowers it", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "600"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":600`,
			func(s *Scope) bool { return s.DurationSeconds == 600 && s.MaxDurationSeconds == 600 }, nil},
		{"a maximum above the default duration keeps it", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "86400"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":86400`,
			func(s *Scope) bool { return s.DurationSeconds == 1800 && s.MaxDurationSeconds == 86400 }, nil},
		{"a default above the maximum", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "4000", "STS_MAX_DURATION_SECONDS": "3600"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":4000,"maxDurationSeconds":3600`, nil,
			[]string{"durationSeconds: 4000 is above maxDurationSeconds (3600)"}},
		{"a default above the default maximum", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "9000"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":9000`, nil,
			[]string{"durationSeconds: 9000 is above maxDurationSeconds (7200)"}},
		{"a default below the floor", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "60"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":60`, nil, []string{"durationSeconds: 60 is below 300"}},
		// Only the maximum was written, so only the maximum is blamed.
		{"a maximum below the floor", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "200"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":200`, nil, []string{"maxDurationSeconds: 200 is below 300"}},
		{"a zero default", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "0"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":0`, nil, []string{"durationSeconds: 0 must be above 0"}},
		{"a negative maximum", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "-5"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":-5`, nil, []string{"maxDurationSeconds: -5 must be above 0"}},
		{"a maximum above GetFederationToken's", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "129601"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":129601`, nil, []string{"maxDurationSeconds: 129601 is above 129600"}},
		{"a maximum at GetFederationToken's", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "129600", "STS_DURATION_SECONDS": "86400"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":129600,"durationSeconds":86400`,
			func(s *Scope) bool { return s.DurationSeconds == 86400 && s.MaxDurationSeconds == 129600 }, nil},
		{"a maximum above AssumeRole's", role, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_MAX_DURATION_SECONDS": "50000"},
			bucket + `,"prefixes":["uploads/"],"maxDurationSeconds":50000`, nil, []string{"maxDurationSeconds: 50000 is above 43200"}},
		{"a default above AssumeRole's", role, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/", "STS_DURATION_SECONDS": "50000"},
			bucket + `,"prefixes":["uploads/"],"durationSeconds":50000`, nil, []string{"durationSeconds: 50000 is above 43200"}},
		{"a template", jwt, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "users/${jwt:sub}/,shared/"},
			bucket + `,"prefixes":["users/${jwt:sub}/","shared/"]`,
			func(s *Scope) bool {
				return s.Templated() && slices.Equal(s.Prefixes, []string{"users/${jwt:sub}/", "shared/"})
			}, nil},
		{"a template in a key", jwt, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "users/${jwt:sub}/avatar.png"},
			bucket + `,"keys":["users/${jwt:sub}/avatar.png"]`,
			func(s *Scope) bool { return s.Templated() && len(s.Keys) == 1 }, nil},
		{"a template without STS_AUTH=jwt", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "users/${jwt:sub}/"},
			bucket + `,"prefixes":["users/${jwt:sub}/"]`, nil, []string{"prefixes: templates like ${jwt:sub} need STS_AUTH=jwt"}},
		{"templates sharing a segment", jwt, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "t/${jwt:org}-${jwt:sub}/"},
			bucket + `,"prefixes":["t/${jwt:org}-${jwt:sub}/"]`, nil, []string{"prefixes: auth: template"}},
		{"a template that is not jwt", jwt, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "u/${env:HOME}/"},
			bucket + `,"prefixes":["u/${env:HOME}/"]`, nil, []string{"prefixes: auth: template: ${env:HOME}"}},
		{"a policy too large to build", nil, env{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": strings.Join(manyEnv, ",")},
			bucket + `,"prefixes":[` + strings.Join(manyDoc, ",") + `]`, nil, []string{"prefixes: the scope's policy cannot be built"}},
		{"every problem at once", nil, env{"STS_BUCKET": "Bad_Bucket", "STS_BUCKET_REGION": "Mars", "STS_ALLOW_PREFIXES": "a//,/k", "STS_ALLOW_ACTIONS": "upload,Nope", "STS_DURATION_SECONDS": "-1"},
			`"bucket":"Bad_Bucket","region":"Mars","prefixes":["a//"],"keys":["/k"],"actions":["upload","Nope"],"durationSeconds":-1`, nil,
			[]string{"actions:", "bucket:", "durationSeconds: -1 must be above 0", "keys:", "prefixes:", "region:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fromEnv, envErr := Load(tc.shared.with(flatten(tc.vars)...).get)
			fromFile, fileErr := Load(tc.shared.with("STS_SCOPES", `{"default":{`+tc.doc+`}}`).get)
			envP, fileP := normalized(t, envErr), normalized(t, fileErr)
			if !slices.Equal(envP, fileP) {
				t.Fatalf("the two forms disagree:\nenvironment: %q\ndocument:    %q", envP, fileP)
			}
			if tc.wantP != nil {
				if len(envP) != len(tc.wantP) {
					t.Fatalf("problems %q; want %d, starting %q", envP, len(tc.wantP), tc.wantP)
				}
				for i, w := range tc.wantP {
					if !strings.HasPrefix(envP[i], w) {
						t.Errorf("problem %q; want one starting %q", envP[i], w)
					}
				}
				return
			}
			if envErr != nil {
				t.Fatalf("Load: %v", envErr)
			}
			a, b := fromEnv.Scopes[DefaultScope], fromFile.Scopes[DefaultScope]
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("the two forms built different scopes:\nenvironment: %+v\ndocument:    %+v", a, b)
			}
			if !tc.want(a) {
				t.Errorf("scope %+v is not what the row expects", a)
			}
		})
	}
}

// flatten turns an env into with's key-value list.
func flatten(e env) []string {
	var kv []string
	for k, v := range e {
		kv = append(kv, k, v)
	}
	return kv
}
