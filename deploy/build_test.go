package deploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// TestBuildScript runs scripts/build.sh as a developer or CI would and checks
// the package SCF's Go1 runtime needs: main at the zip's root, executable, a
// static linux/amd64 ELF.
func TestBuildScript(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the function: skipped with -short")
	}
	// The build runs in a child process; stat its inputs so go test's cache forgets this pass when they change.
	if err := scfrpc.WatchSources(".."); err != nil {
		t.Fatalf("watch sources: %v", err)
	}
	// The build every test package shares compiles the function with the script's flags, once per go test run:
	// waiting for it here means that on linux/amd64 the script finds every package in Go's build cache and links.
	shared, err := scfrpc.SharedBinary(context.Background(), "..")
	if err != nil {
		t.Fatalf("build the function: %v", err)
	}
	script, err := filepath.Abs("../scripts/build.sh")
	if err != nil {
		t.Fatalf("script path: %v", err)
	}
	if _, err := os.Stat(script); err != nil { // and so is the script itself
		t.Fatalf("script: %v", err)
	}
	dist := t.TempDir()
	cmd := exec.Command("bash", script)
	cmd.Dir = t.TempDir() // the script must not depend on the caller's directory
	cmd.Env = append(os.Environ(), "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}

	zr, err := zip.OpenReader(filepath.Join(dist, "cos-sts-scf.zip"))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "main" {
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		t.Fatalf("zip entries = %q; want exactly [main]", names)
	}
	f := zr.File[0]
	if f.Mode()&0o111 != 0o111 {
		t.Errorf("main mode = %v; want executable by all", f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatalf("open main: %v", err)
	}
	bin, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("read main: %v", err)
	}
	exe, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("main is not ELF: %v", err)
	}
	if exe.Class != elf.ELFCLASS64 || exe.Machine != elf.EM_X86_64 {
		t.Errorf("main is %v %v; want ELFCLASS64 EM_X86_64", exe.Class, exe.Machine)
	}
	// CGO_ENABLED=0: no dynamic loader, so SCF's image needs no libc.
	for _, p := range exe.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("main asks for a dynamic loader; want a static binary")
		}
	}
	// -s -w: no symbol table to ship.
	if exe.Section(".symtab") != nil {
		t.Errorf("main has a .symtab; want it stripped (-ldflags=-s -w)")
	}

	// What the tests and the bench run is what ships: the build every test shares was made with the script's
	// settings, HTTP/2 left out of net/http included.
	shipped, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("main's build information: %v", err)
	}
	tested, err := buildinfo.ReadFile(shared)
	if err != nil {
		t.Fatalf("the shared build's information: %v", err)
	}
	want := map[string]string{"-tags": "nethttpomithttp2", "-trimpath": "true", "CGO_ENABLED": "0"}
	for key, value := range want {
		if got := setting(shipped, key); got != value {
			t.Errorf("build.sh's main: %s = %q; want %q", key, got, value)
		}
		if got := setting(tested, key); got != value {
			t.Errorf("the binary the tests run: %s = %q; want %q, as build.sh builds it", key, got, value)
		}
	}
}

// setting is one of the build settings Go recorded in a binary ("" when absent).
func setting(bi *buildinfo.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
