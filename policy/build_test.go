package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
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
		{"everything at once", Grant{Bucket: "x", Region: "y", Keys: []string{"a//b"}}, ErrInvalidGrant,
			`policy: bucket "x": want <name>-<appid>, like examplebucket-1250000000` + "\n" +
				`policy: region "y": want lower-case words joined by "-", like ap-guangzhou` + "\n" +
				"policy: grant has no actions\n" +
				`policy: key "a//b": empty path segment`},
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

func TestEncode(t *testing.T) {
	got := Encode(`{"version":"2.0","resource":["a/b c+d&e"]}`)
	want := "%7B%22version%22%3A%222.0%22%2C%22resource%22%3A%5B%22a%2Fb+c%2Bd%26e%22%5D%7D"
	if got != want {
		t.Errorf("Encode = %q; want %q", got, want)
	}
}
