package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from Build's output")

// goldenCase is a grant whose policy a reviewer reads as JSON in
// testdata/golden. appid is written out, not derived, so the proofs in
// allows_test.go do not trust AppID to check Build.
type goldenCase struct {
	name  string
	appid string
	grant Grant
	// overlapping grants cover some of their own neighbours by design, so the
	// neighbour proofs skip them.
	overlapping bool
	// ctx is a request that meets the grant's conditions, for the proofs in
	// allows_test.go; nil for a grant without conditions.
	ctx RequestContext
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{name: "one-prefix", appid: "1250000000", grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: []string{"uploads/alice/"}, Actions: []string{"upload"},
		}},
		{name: "prefixes-and-keys", appid: "1250000000", grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-shanghai",
			Prefixes: []string{"home/u1/", "shared/docs/"}, Keys: []string{"public/logo.png", "index.html"},
			Actions: []string{"upload", "download"},
		}},
		{name: "whole-bucket", appid: "1300000001", grant: Grant{
			Bucket: "my-app-assets-1300000001", Region: "ap-shanghai-fsi",
			Prefixes: []string{WholeBucket}, Actions: []string{"download"},
		}},
		{name: "download-only", appid: "1250000000", grant: Grant{
			Bucket: "media-1250000000", Region: "na-siliconvalley",
			Prefixes: []string{"media/2026/"}, Keys: []string{"media/index.html"}, Actions: []string{"download"},
		}},
		{name: "unicode-key", appid: "1250000000", grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Keys:    []string{"照片/2026/猫.jpg", "docs/ça va & <ok>.txt"},
			Actions: []string{"GetObject", "name/cos:PutObject"},
		}},
		{name: "dedup-and-cover", appid: "1250000000", overlapping: true, grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: []string{"b/", "a/", "a/x/", "b/"}, Keys: []string{"a/k.txt", "c.txt", "c.txt"},
			Actions: []string{"download", "GetObject", "delete"},
		}},
		{name: "avatar", appid: "1250000000", grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: []string{"avatars/alice/"}, Actions: []string{"upload"},
			Conditions: Conditions{MaxContentLength: 5 << 20, ContentTypes: []string{"image/*"}, SourceIP: "203.0.113.7"},
		}, ctx: RequestContext{KeyContentLength: "5242880", KeyContentType: "image/png", KeySourceIP: "203.0.113.7"}},
		{name: "download-from-cidr", appid: "1300000001", grant: Grant{
			Bucket: "assets-1300000001", Region: "ap-singapore",
			Prefixes: []string{"public/"}, Keys: []string{"exports/2026/report.csv"}, Actions: []string{"download"},
			Conditions: Conditions{SourceIP: "198.51.100.77/24"},
		}, ctx: RequestContext{KeySourceIP: "198.51.100.20"}},
		{name: "types-without-ip", appid: "1250000000", grant: Grant{
			Bucket: "docs-1250000000", Region: "ap-shanghai",
			Prefixes: []string{"inbox/u1/"}, Actions: []string{"GetObject", "PutObject", "delete"},
			Conditions: Conditions{ContentTypes: []string{"image/png", "application/pdf", "image/png"}},
		}, ctx: RequestContext{KeyContentType: "application/pdf", KeyContentLength: "10"}},
		{name: "size-and-ipv6", appid: "1250000000", grant: Grant{
			Bucket: "logs-1250000000", Region: "eu-frankfurt",
			Prefixes: []string{"app/"}, Actions: []string{"AppendObject", "PutObject", "HeadObject"},
			Conditions: Conditions{MaxContentLength: 1 << 20, SourceIP: "2001:db8::/32"},
		}, ctx: RequestContext{KeyContentLength: "1048576", KeySourceIP: "2001:db8::5"}},
		{name: "content-conditions-without-uploads", appid: "1250000000", grant: Grant{
			Bucket: "examplebucket-1250000000", Region: "ap-guangzhou",
			Prefixes: []string{"reports/"}, Actions: []string{"download"},
			Conditions: Conditions{MaxContentLength: 100, ContentTypes: []string{"text/csv"}},
		}},
	}
}

func TestBuildGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.grant)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			text, err := p.JSON()
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(text), "", "  "); err != nil {
				t.Fatalf("Indent: %v", err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatalf("write golden: %v", err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test ./policy -update): %v", err)
			}
			if got := pretty.String(); got != string(want) {
				t.Errorf("policy for %s:\n%s\nwant (%s):\n%s", tc.name, got, path, want)
			}
		})
	}
}

// TestBuildDeterministic proves that order and repetition in a grant do not
// change the policy text, which callers compare and cache on.
func TestBuildDeterministic(t *testing.T) {
	a := Grant{Bucket: "b-1", Region: "ap-guangzhou", Prefixes: []string{"x/", "y/"}, Keys: []string{"k", "a/k"},
		Actions: []string{"download"}}
	b := Grant{Bucket: "b-1", Region: "ap-guangzhou", Prefixes: []string{"y/", "x/", "y/"}, Keys: []string{"a/k", "k"},
		Actions: []string{"download"}}
	pa, err := Build(a)
	if err != nil {
		t.Fatalf("Build(a): %v", err)
	}
	pb, err := Build(b)
	if err != nil {
		t.Fatalf("Build(b): %v", err)
	}
	ja, _ := pa.JSON()
	jb, _ := pb.JSON()
	if ja != jb {
		t.Errorf("JSON = %s; want %s", jb, ja)
	}
}

// TestBuildJSONIsTheEncoding: the text BuildJSON returns is the policy's own encoding, and the policy Build's.
func TestBuildJSONIsTheEncoding(t *testing.T) {
	for _, tc := range goldenCases() {
		p, text, err := BuildJSON(tc.grant)
		if err != nil {
			t.Fatalf("%s: BuildJSON: %v", tc.name, err)
		}
		want, _ := p.JSON()
		if text != want {
			t.Errorf("%s: BuildJSON text = %s; Policy.JSON = %s", tc.name, text, want)
		}
		if b, _ := Build(tc.grant); !reflect.DeepEqual(b, p) {
			t.Errorf("%s: BuildJSON policy = %#v; Build = %#v", tc.name, p, b)
		}
	}
	if _, text, err := BuildJSON(Grant{Bucket: "nobucket"}); err == nil || text != "" {
		t.Errorf("a bad grant: text %q, err %v; want no text and an error", text, err)
	}
}

func TestBuildRoundTrip(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.grant)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			text, err := p.JSON()
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			got, err := Parse(text)
			if err != nil {
				t.Fatalf("Parse(%s): %v", text, err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("Parse(JSON()) = %#v; want %#v", got, p)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	ok := Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou", Prefixes: []string{"a/"},
		Actions: []string{"upload"}}
	with := func(f func(*Grant)) Grant {
		g := ok
		f(&g)
		return g
	}
	tests := []struct {
		name     string
		grant    Grant
		sentinel error
		wantErr  string
	}{
		{"no actions", with(func(g *Grant) { g.Actions = nil }), ErrInvalidGrant,
			"policy: grant has no actions"},
		{"no resources", with(func(g *Grant) { g.Prefixes = nil }), ErrInvalidGrant,
			"policy: grant has no prefixes or keys"},
		{"bad bucket", with(func(g *Grant) { g.Bucket = "examplebucket" }), ErrInvalidBucket,
			`policy: bucket "examplebucket": want <name>-<appid>, like examplebucket-1250000000`},
		{"bad region", with(func(g *Grant) { g.Region = "Guangzhou" }), ErrInvalidRegion,
			`policy: region "Guangzhou": want lower-case words joined by "-", like ap-guangzhou`},
		{"bad action", with(func(g *Grant) { g.Actions = []string{"*"} }), ErrInvalidAction,
			`policy: action "*": wildcards are not allowed`},
		{"key given as a prefix", with(func(g *Grant) { g.Prefixes = []string{"a/b"} }), ErrInvalidKey,
			`policy: prefix "a/b": must end in "/"`},
		{"prefix given as a key", with(func(g *Grant) { g.Keys = []string{"a/"} }), ErrInvalidKey,
			`policy: key "a/": ends in "/" (that is a folder prefix, not a key)`},
		{"whole bucket as a key", with(func(g *Grant) { g.Keys = []string{WholeBucket} }), ErrInvalidKey,
			`policy: key "*": CAM wildcard '*' at byte 0`},
		{"empty prefix is not the whole bucket", with(func(g *Grant) { g.Prefixes = []string{""} }), ErrInvalidKey,
			`policy: prefix "": empty`},
		{"unknown action", with(func(g *Grant) { g.Actions = []string{"upload", "PutObjekt"} }), ErrInvalidAction,
			`policy: unknown COS action "PutObjekt"`},
		{"negative size", with(func(g *Grant) { g.Conditions.MaxContentLength = -1 }), ErrInvalidCondition,
			"policy: maxContentLength -1: must be above 0 (leave it 0 for no limit)"},
		{"bad content type", with(func(g *Grant) { g.Conditions.ContentTypes = []string{"image/*", "*"} }), ErrInvalidCondition,
			`policy: content type "*": matches every type; leave contentTypes out instead`},
		{"bad IP", with(func(g *Grant) { g.Conditions.SourceIP = "203.0.113.300" }), ErrInvalidCondition,
			`policy: IP "203.0.113.300": want an IPv4 or IPv6 address or CIDR, like 203.0.113.7 or 203.0.113.0/24`},
		{"everything at once", Grant{Bucket: "x", Region: "y", Keys: []string{"a//b"},
			Conditions: Conditions{SourceIP: "x"}}, ErrInvalidGrant,
			`policy: bucket "x": want <name>-<appid>, like examplebucket-1250000000` + "\n" +
				`policy: region "y": want lower-case words joined by "-", like ap-guangzhou` + "\n" +
				"policy: grant has no actions\n" +
				`policy: key "a//b": empty path segment` + "\n" +
				`policy: IP "x": want an IPv4 or IPv6 address or CIDR, like 203.0.113.7 or 203.0.113.0/24`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.grant)
			checkErr(t, err, tc.wantErr, tc.sentinel)
			if !reflect.DeepEqual(p, Policy{}) {
				t.Errorf("Build = %#v; want the zero Policy", p)
			}
		})
	}
}

// TestBuildSizeLimit proves the ceiling: the largest grant that fits is
// built, one more key is refused before STS sees it.
func TestBuildSizeLimit(t *testing.T) {
	g := Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou", Actions: []string{"GetObject"}}
	const base = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
	var last int // the length of the last policy that fit; each key adds ,"<base><key>"
	for i := 0; ; i++ {
		g.Keys = append(g.Keys, fmt.Sprintf("exports/2026/report-%04d.csv", i))
		p, err := Build(g)
		if err != nil {
			if !errors.Is(err, ErrPolicyTooLarge) {
				t.Fatalf("Build with %d keys: %v; want ErrPolicyTooLarge", len(g.Keys), err)
			}
			want := fmt.Sprintf("policy: the policy would be %d bytes, more than %d: "+
				"grant fewer prefixes and keys, or a common parent folder", last+len(`,""`)+len(base)+len(g.Keys[i]), MaxPolicyBytes)
			if err.Error() != want {
				t.Errorf("err = %q; want %q", err, want)
			}
			break
		}
		text, err := p.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if len(text) > MaxPolicyBytes {
			t.Fatalf("Build returned %d bytes; want at most %d", len(text), MaxPolicyBytes)
		}
		last = len(text)
	}
	if len(g.Keys) < 30 {
		t.Errorf("only %d keys fit; want at least 30 (the documented promise)", len(g.Keys)-1)
	}
}

// TestBuildStatementSplit shows where each condition goes: content
// conditions only on the uploads that carry the object, the IP everywhere.
func TestBuildStatementSplit(t *testing.T) {
	g := Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou", Prefixes: []string{"u/"},
		Actions:    []string{"GetObject", "upload", "AppendObject"},
		Conditions: Conditions{MaxContentLength: 10, SourceIP: "203.0.113.7"}}
	p, err := Build(g)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	type split struct {
		actions   []string
		condition string
	}
	var got []split
	for _, s := range p.Statement {
		got = append(got, split{s.Action, string(s.Condition)})
	}
	// A size limit leaves the multipart APIs out of the upload preset.
	want := []split{
		{[]string{"name/cos:PutObject", "name/cos:PostObject", "name/cos:AppendObject"},
			`{"numeric_less_than_equal":{"cos:content-length":10},"ip_equal":{"qcs:ip":["203.0.113.7"]}}`},
		{[]string{"name/cos:GetObject"}, `{"ip_equal":{"qcs:ip":["203.0.113.7"]}}`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements = %q; want %q", got, want)
	}

	// Types alone keep multipart uploads, with the type on InitiateMultipartUpload, and leave out PostObject.
	g.Conditions = Conditions{ContentTypes: []string{"image/*"}}
	if p, err = Build(g); err != nil {
		t.Fatalf("Build: %v", err)
	}
	got = nil
	for _, s := range p.Statement {
		got = append(got, split{s.Action, string(s.Condition)})
	}
	want = []split{
		{[]string{"name/cos:PutObject", "name/cos:InitiateMultipartUpload", "name/cos:AppendObject"},
			`{"string_like":{"cos:content-type":["image/*"]}}`},
		{[]string{"name/cos:GetObject", "name/cos:ListMultipartUploads", "name/cos:ListParts", "name/cos:UploadPart",
			"name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload"}, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements with types = %q; want %q", got, want)
	}
}

func TestBuildRefusesAGrantItsConditionsEmpty(t *testing.T) {
	for _, g := range []Grant{
		{Actions: []string{"PostObject"}, Conditions: Conditions{ContentTypes: []string{"image/png"}}},
		{Actions: []string{"UploadPart", "CompleteMultipartUpload"}, Conditions: Conditions{MaxContentLength: 1}},
	} {
		g.Bucket, g.Region, g.Prefixes = "examplebucket-1250000000", "ap-guangzhou", []string{"u/"}
		if _, err := Build(g); !errors.Is(err, ErrInvalidGrant) || !strings.Contains(err.Error(), "left out") {
			t.Errorf("Build(%v under %+v) = %v; want ErrInvalidGrant saying what is left out", g.Actions, g.Conditions, err)
		}
	}
}

func TestUsableActions(t *testing.T) {
	upload, _ := ExpandActions([]string{"upload"})
	tests := []struct {
		name    string
		c       Conditions
		kept    []string
		dropped []string
	}{
		{"no conditions", Conditions{}, upload, nil},
		{"source IP only", Conditions{SourceIP: "203.0.113.7"}, upload, nil},
		{"types", Conditions{ContentTypes: []string{"image/*"}},
			without(upload, "PostObject"), []string{"PostObject"}},
		{"size", Conditions{MaxContentLength: 5 << 20},
			[]string{"name/cos:PutObject", "name/cos:PostObject"}, multipartAPIsIn(upload)},
		{"both: the avatar scope", Conditions{MaxContentLength: 5 << 20, ContentTypes: []string{"image/*"}},
			[]string{"name/cos:PutObject"}, append([]string{"PostObject"}, multipartAPIsIn(upload)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kept, dropped := UsableActions(upload, tc.c)
			var names []string
			for _, d := range dropped {
				names = append(names, strings.TrimPrefix(d.Action, ActionPrefix))
				if d.Reason == "" {
					t.Errorf("%s dropped without a reason", d.Action)
				}
			}
			if !slices.Equal(kept, tc.kept) || !slices.Equal(names, tc.dropped) {
				t.Errorf("UsableActions = %q, dropped %q; want %q, dropped %q", kept, names, tc.kept, tc.dropped)
			}
		})
	}
}

func without(list []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(a string) bool { return a == ActionPrefix+name })
}

func multipartAPIsIn(list []string) []string {
	var out []string
	for _, a := range list {
		if n := strings.TrimPrefix(a, ActionPrefix); slices.Contains(multipartAPIs(), n) {
			out = append(out, n)
		}
	}
	return out
}
