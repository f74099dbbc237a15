package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scopesyaml"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// The three grants of the README's "Scopes" section, in both syntaxes.
const threeScopesYAML = `
avatar:
  bucket: avatars-1250000000
  region: ap-guangzhou
  prefixes: ["avatars/"]
  actions: [upload]
  durationSeconds: 900
  maxDurationSeconds: 1800
  conditions:
    maxContentLength: 5242880
    contentTypes: ["image/*"]
    bindSourceIp: true
assets:
  bucket: assets-1250000000
  region: ap-shanghai
  prefixes: ["public/"]
  actions: [download]
export:
  bucket: exports-1250000000
  keys: ["exports/latest.csv"]
  actions: [GetObject]
  durationSeconds: 600
  maxDurationSeconds: 600
`

const threeScopesJSON = `{
 "avatar": {"bucket": "avatars-1250000000", "region": "ap-guangzhou", "prefixes": ["avatars/"], "actions": ["upload"],
            "durationSeconds": 900, "maxDurationSeconds": 1800,
            "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"], "bindSourceIp": true}},
 "assets": {"bucket": "assets-1250000000", "region": "ap-shanghai", "prefixes": ["public/"], "actions": ["download"]},
 "export": {"bucket": "exports-1250000000", "keys": ["exports/latest.csv"], "actions": ["GetObject"],
            "durationSeconds": 600, "maxDurationSeconds": 600}
}`

var keys = env{"STS_SECRET_ID": "AKIDx", "STS_SECRET_KEY": "k"}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// packedYAML writes a YAML scopes document as scripts/build.sh packs it: converted to JSON (ConvertYAML with
// internal/scopesyaml's decoder), under its own name.
func packedYAML(t *testing.T, name, doc string) string {
	t.Helper()
	js, err := ConvertYAML([]byte(doc), scopesyaml.Decode)
	if err != nil {
		t.Fatalf("ConvertYAML: %v", err)
	}
	return writeFile(t, name, string(js))
}

func TestNamedScopesAllSources(t *testing.T) {
	sources := map[string]env{
		"inline json":          keys.with("STS_SCOPES", threeScopesJSON),
		"json file":            keys.with("STS_SCOPES_FILE", writeFile(t, "scopes.json", threeScopesJSON)),
		"yaml file":            keys.with("STS_SCOPES_FILE", packedYAML(t, "scopes.yaml", threeScopesYAML)),
		"yml file":             keys.with("STS_SCOPES_FILE", packedYAML(t, "scopes.yml", threeScopesYAML)),
		"json in a .yaml file": keys.with("STS_SCOPES_FILE", writeFile(t, "scopes.yaml", threeScopesJSON)),
	}
	for name, e := range sources {
		t.Run(name, func(t *testing.T) {
			c, err := Load(e.get)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(c.Scopes) != 3 || c.Scopes[DefaultScope] != nil {
				t.Fatalf("scopes = %v; want avatar, assets, export and no default", names(c))
			}
			av := c.Scopes["avatar"]
			want := &Scope{Name: "avatar", Bucket: "avatars-1250000000", Region: "ap-guangzhou", Prefixes: []string{"avatars/"}, Keys: []string{},
				Actions: []string{"name/cos:PutObject", "name/cos:PostObject", "name/cos:InitiateMultipartUpload", "name/cos:ListMultipartUploads",
					"name/cos:ListParts", "name/cos:UploadPart", "name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload"},
				DurationSeconds: 900, MaxDurationSeconds: 1800,
				Conditions: ScopeConditions{MaxContentLength: 5242880, ContentTypes: []string{"image/*"}, BindSourceIP: true}}
			if !reflect.DeepEqual(av, want) {
				t.Errorf("avatar = %+v\nwant %+v", av, want)
			}
			as := c.Scopes["assets"]
			if as.Region != "ap-shanghai" || as.DurationSeconds != 1800 || as.MaxDurationSeconds != 7200 || len(as.Actions) != 2 {
				t.Errorf("assets = %+v; want defaults for durations and the download preset", as)
			}
			ex := c.Scopes["export"]
			if ex.Region != "ap-guangzhou" || !reflect.DeepEqual(ex.Keys, []string{"exports/latest.csv"}) || ex.DurationSeconds != 600 {
				t.Errorf("export = %+v", ex)
			}
		})
	}
}

func TestNamedScopesBesideEnvDefault(t *testing.T) {
	c, err := Load(minimal.with("STS_SCOPES", threeScopesJSON).get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(c.Scopes) != 4 || c.Scopes[DefaultScope] == nil || c.Scopes[DefaultScope].Bucket != "examplebucket-1250000000" {
		t.Errorf("scopes = %v; want the env default beside the named three", names(c))
	}
	fileDefault := `{"default": {"bucket": "other-1250000000", "prefixes": ["a/"]}}`
	c, err = Load(keys.with("STS_SCOPES", fileDefault).get)
	if err != nil || c.Scopes[DefaultScope].Bucket != "other-1250000000" {
		t.Errorf("a file's default scope = %+v, %v", c, err)
	}
	_, err = Load(minimal.with("STS_SCOPES", fileDefault).get)
	if err == nil || !strings.Contains(err.Error(), `STS_SCOPES: defines the "default" scope while STS_BUCKET also configures it`) {
		t.Errorf("file default beside STS_BUCKET: err = %v; want one naming both", err)
	}
}

func TestNamedScopeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string // inline JSON
		want []string
	}{
		{"prefix without slash", `{"avatar":{"bucket":"a-1250000000","prefixes":["ok/","avatars"]}}`,
			[]string{`STS_SCOPES: scopes.avatar.prefixes[1]: must end with "/"`}},
		{"every problem at once", `{"avatar":{"bucket":"Bad_Bucket","region":"Mars","prefixes":["a//"],"keys":["/k"],"actions":["upload","Nope"],"durationSeconds":-1},
		  "b":{"prefixes":["x/"]}}`,
			[]string{"scopes.avatar.bucket:", "scopes.avatar.region:", "scopes.avatar.prefixes[0]:", "scopes.avatar.keys[0]:",
				"scopes.avatar.actions:", "scopes.avatar.durationSeconds: -1 must be above 0", "scopes.b.bucket: is required"}},
		{"no resources", `{"a":{"bucket":"a-1250000000"}}`, []string{"scopes.a.prefixes: is required: list at least one folder"}},
		{"star and folders", `{"a":{"bucket":"a-1250000000","prefixes":["*","x/"]}}`, []string{`scopes.a.prefixes: "*" already grants the whole bucket`}},
		{"template without jwt", `{"a":{"bucket":"a-1250000000","prefixes":["avatars/${jwt:sub}/"]}}`, []string{"scopes.a.prefixes[0]: templates like ${jwt:sub} need STS_AUTH=jwt"}},
		{"duration above max", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"durationSeconds":4000,"maxDurationSeconds":3600}}`,
			[]string{"scopes.a.durationSeconds: 4000 is above maxDurationSeconds (3600)"}},
		{"max above sts", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"maxDurationSeconds":129601}}`,
			[]string{"scopes.a.maxDurationSeconds: 129601 is above 129600, the longest STS grants"}},
		{"bad content length", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"conditions":{"maxContentLength":0}}}`,
			[]string{"scopes.a.conditions.maxContentLength: 0 must be above 0 bytes"}},
		{"bad content type", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"conditions":{"contentTypes":["image/png","png"]}}}`,
			[]string{"scopes.a.conditions.contentTypes[1]:"}},
		{"unknown field", `{"a":{"bucket":"a-1250000000","prefix":["x/"]}}`, []string{`STS_SCOPES: is not valid JSON: json: unknown field "prefix"`}},
		{"a verbatim policy is the environment's alone", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"policy":"{}"}}`, []string{`unknown field "policy"`}},
		{"unknown condition", `{"a":{"bucket":"a-1250000000","prefixes":["x/"],"conditions":{"maxSize":1}}}`, []string{`unknown field "maxSize"`}},
		{"wrong type", `{"a":{"bucket":"a-1250000000","prefixes":"x/"}}`, []string{"STS_SCOPES: is not valid JSON:", "prefixes"}},
		{"not json", `{"a":`, []string{"STS_SCOPES: is not valid JSON"}},
		{"bad name", `{"a b":{"bucket":"a-1250000000","prefixes":["x/"]}}`, []string{`scopes."a b": a scope name is 1 to 64 letters`}},
		{"empty", `{}`, []string{"STS_SCOPES: defines no scope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(keys.with("STS_SCOPES", tc.doc).get)
			if err == nil {
				t.Fatal("Load succeeded; want errors")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "STS_BUCKET") {
				t.Errorf("error %v asks for the env default scope, which named scopes make optional", err)
			}
		})
	}
}

func TestScopesFileErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"missing file", keys.with("STS_SCOPES_FILE", filepath.Join(t.TempDir(), "nope.yaml")), "STS_SCOPES_FILE: cannot read"},
		{"wrong extension", keys.with("STS_SCOPES_FILE", writeFile(t, "scopes.toml", "a = 1")), "must end in .json, .yaml or .yml"},
		{"yaml field error names the scope", keys.with("STS_SCOPES_FILE", packedYAML(t, "s.yaml", "avatar:\n  bucket: a-1250000000\n  prefixes: [ok/, \"no\"]\n")), `scopes.avatar.prefixes[1]: must end with "/"`},
		{"empty yaml", keys.with("STS_SCOPES_FILE", packedYAML(t, "s.yaml", "")), "defines no scope"},
		{"yaml not converted says how", keys.with("STS_SCOPES_FILE", writeFile(t, "s.yml", threeScopesYAML)), "is YAML that was not converted: the function reads a scopes file as JSON, which scripts/build.sh writes when it packs a YAML one (EXTRA_FILES=s.yml scripts/build.sh)"},
		{"json in a .yaml file, wrong field", keys.with("STS_SCOPES_FILE", writeFile(t, "s.yaml", `{"a":{"bucket":"a-1250000000","prefix":["x/"]}}`)), `is not a valid scopes document: json: unknown field "prefix"`},
		{"both sources", keys.with("STS_SCOPES", threeScopesJSON, "STS_SCOPES_FILE", writeFile(t, "s.json", threeScopesJSON)), "STS_SCOPES: cannot be combined with STS_SCOPES_FILE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.env.get)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestConvertYAMLRefusesWhatLoadRefused: a YAML document's typos and the verbatim policy no file may hold are
// refused when it is converted, with the decoder's words and line, as Load refused them when it read YAML itself.
func TestConvertYAMLRefusesWhatLoadRefused(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown field", "a:\n  bucket: a-1250000000\n  prefix: [x/]\n", "line 3: field prefix not found"},
		{"verbatim policy", "a:\n  bucket: a-1250000000\n  prefixes: [x/]\n  policy: \"{}\"\n", "line 4: field policy not found"},
		{"wrong type", "a:\n  bucket: a-1250000000\n  durationSeconds: soon\n", "line 3: cannot unmarshal !!str `soon` into int"},
		{"not a mapping", "- a\n- b\n", "cannot unmarshal !!seq into map"},
	} {
		if js, err := ConvertYAML([]byte(tc.doc), scopesyaml.Decode); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ConvertYAML = %s, %v; want an error containing %q", tc.name, js, err, tc.want)
		}
	}
}

// TestConvertYAMLSaysWhatYAMLSays: what the function loads from a converted document is what the document says,
// YAML's own spellings included (yes for true, 0x for hex), as yaml.v3 read them into the scopes' types.
func TestConvertYAMLSaysWhatYAMLSays(t *testing.T) {
	doc := "s:\n  bucket: b-1250000000\n  prefixes: [a/]\n  keys: []\n  durationSeconds: 0x384\n  conditions:\n    bindSourceIp: yes\n    contentTypes: [image/*]\n"
	var want map[string]scopeDoc
	if err := scopesyaml.Decode([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	js, err := ConvertYAML([]byte(doc), scopesyaml.Decode)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]scopeDoc
	if err := decodeJSON(js, &got); err != nil {
		t.Fatalf("decodeJSON(%s): %v", js, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON %s reads as %+v; the YAML as %+v", js, got, want)
	}
	if *got["s"].DurationSeconds != 900 || !got["s"].Conditions.BindSourceIP || got["s"].Keys == nil {
		t.Errorf("converted %s; want 900 s, bindSourceIp true and an empty (not absent) keys list", js)
	}
}

func TestWarnings(t *testing.T) {
	c, err := Load(minimal.with("STS_ALLOW_PREFIXES", "*", "STS_ALLOW_ORIGINS", "*").get)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(c.Warnings(), "\n")
	for _, want := range []string{"STS_ALLOW_ORIGINS=*", "STS_AUTH=none", `scope "default"`} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings:\n%s\nwant one about %s", w, want)
		}
	}
}

func names(c *Config) []string {
	var out []string
	for n := range c.Scopes {
		out = append(out, n)
	}
	return out
}

// TestUnnarrowedIsTheGrantsPolicy: the policy a scope keeps from the load is the one its whole grant builds, for
// every scope of the README's file and the environment's; a scope with templates or a verbatim policy keeps none.
func TestUnnarrowedIsTheGrantsPolicy(t *testing.T) {
	c, err := Load(env{
		"STS_SCOPES": threeScopesJSON, "STS_BUCKET": "examplebucket-1250000000",
		"STS_ALLOW_PREFIXES": "uploads/,exports/report.csv", "STS_ALLOW_ACTIONS": "upload,download,delete",
	}.get)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Scopes) != 4 {
		t.Fatalf("scopes = %v; want the file's three and default", c.Scopes)
	}
	for name, s := range c.Scopes {
		pol, text, ok := c.Unnarrowed(s)
		if !ok {
			t.Errorf("scope %q has no unnarrowed policy", name)
			continue
		}
		wantPol, wantText, err := policy.BuildJSON(s.Grant())
		if err != nil {
			t.Fatalf("scope %q: BuildJSON: %v", name, err)
		}
		if text != wantText || !reflect.DeepEqual(pol, wantPol) {
			t.Errorf("scope %q: unnarrowed %s; its grant builds %s", name, text, wantText)
		}
	}

	c, err = Load(env{
		"STS_AUTH": "jwt", "STS_JWT_ISSUER": "https://idp.example.com", "STS_JWT_AUDIENCE": "cos-sts",
		"STS_JWT_SECRET": strings.Repeat("s", 32),
		"STS_SCOPES":     `{"mine": {"bucket": "b-1250000000", "prefixes": ["users/${jwt:sub}/"]}}`,
	}.get)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Unnarrowed(c.Scopes["mine"]); ok {
		t.Error("a scope with templates has an unnarrowed policy; each caller's is its own")
	}
	filled, err := c.Scopes["mine"].Substitute(map[string]any{"sub": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Unnarrowed(filled); ok {
		t.Error("a filled scope carries an unnarrowed policy")
	}
	c, err = Load(env{"STS_POLICY": `{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}]}`}.get)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Unnarrowed(c.Scopes[DefaultScope]); ok {
		t.Error("a verbatim STS_POLICY scope has an unnarrowed policy built")
	}
}
