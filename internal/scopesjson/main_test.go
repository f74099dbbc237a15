package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// TestConvertWritesWhatTheFunctionReads: the file written is JSON the function loads into the scopes the YAML
// describes; a document with a field no scope has is refused with its line, and nothing is written.
func TestConvertWritesWhatTheFunctionReads(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.yaml"), filepath.Join(dir, "scopes.yaml")
	doc := "# scopes\navatar:\n  bucket: avatars-1250000000\n  prefixes: [\"avatars/\"]\n  actions: [upload]\n" +
		"  conditions:\n    maxContentLength: 5242880\n    bindSourceIp: yes\n"
	if err := os.WriteFile(in, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := convert(in, out); err != nil {
		t.Fatalf("convert: %v", err)
	}
	written, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(written), "{") {
		t.Fatalf("written %q, %v; want JSON", written, err)
	}
	env := map[string]string{"STS_SCOPES_FILE": out}
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("Load of the written file: %v", err)
	}
	s := c.Scopes["avatar"]
	if s == nil || s.Conditions.MaxContentLength != 5242880 || !s.Conditions.BindSourceIP || s.Prefixes[0] != "avatars/" {
		t.Errorf("avatar = %+v; want the YAML's scope", s)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("avatar:\n  bucket: a-1250000000\n  prefix: [a/]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "never.yaml")
	err = convert(bad, target)
	if err == nil || !strings.Contains(err.Error(), "line 3: field prefix not found") {
		t.Errorf("convert of a typo = %v; want the decoder's line", err)
	}
	if _, statErr := os.Stat(target); statErr == nil {
		t.Error("a file was written for a document that does not decode")
	}
}
