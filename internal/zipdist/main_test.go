package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "main")
	if err := os.WriteFile(bin, []byte("\x7fELF binary"), 0o700); err != nil {
		t.Fatalf("write: %v", err)
	}
	scopes := filepath.Join(dir, "sub", "scopes.json")
	if err := os.MkdirAll(filepath.Dir(scopes), 0o755); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if err := os.WriteFile(scopes, []byte(`{}`), 0o600); err != nil {
		t.Fatalf("write: %v", err)
	}
	out := filepath.Join(dir, "fn.zip")
	if err := write(out, []string{bin, scopes}); err != nil {
		t.Fatalf("write: %v", err)
	}

	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	defer zr.Close()
	want := []struct {
		name    string
		mode    os.FileMode
		content string
	}{
		{"main", 0o755, "\x7fELF binary"},
		{"scopes.json", 0o644, "{}"},
	}
	if len(zr.File) != len(want) {
		t.Fatalf("zip has %d entries; want %d", len(zr.File), len(want))
	}
	for i, w := range want {
		f := zr.File[i]
		if f.Name != w.name || f.Mode() != w.mode {
			t.Errorf("entry %d = %s %v; want %s %v", i, f.Name, f.Mode(), w.name, w.mode)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != w.content {
			t.Errorf("%s = %q; want %q", f.Name, got, w.content)
		}
	}

	// The same inputs give the same bytes: nothing time- or order-dependent.
	again := filepath.Join(dir, "again.zip")
	if err := write(again, []string{bin, scopes}); err != nil {
		t.Fatalf("write again: %v", err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Errorf("two zips of the same files differ")
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a", "main")
	b := filepath.Join(dir, "b", "main")
	for _, p := range []string{a, b} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("mkdir: %v", err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	tests := []struct {
		name   string
		files  []string
		wantIn string
	}{
		{name: "two files with one name", files: []string{a, b}, wantIn: "two files named"},
		{name: "missing file", files: []string{filepath.Join(dir, "nope")}, wantIn: "no such file"},
		{name: "directory", files: []string{dir}, wantIn: "not a regular file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.zip")
			err := write(out, tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("write error = %v; want it to contain %q", err, tc.wantIn)
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Errorf("a failed write left %s behind", out)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".zipdist-*"))
			if len(leftovers) != 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
}
