package deploy_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// runScript runs one of scripts/ from dir with env added to this process's environment, and returns its exit
// code and combined output. The scripts must not depend on the caller's directory.
func runScript(t *testing.T, script, dir string, env ...string) (int, string) {
	t.Helper()
	// The scripts build in a child process; stat their inputs so go test's cache forgets a pass when they change.
	if err := scfrpc.WatchSources(".."); err != nil {
		t.Fatalf("watch sources: %v", err)
	}
	abs, err := filepath.Abs(filepath.Join("..", "scripts", script))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", abs)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return 0, string(out)
}

// dirNames lists a folder's entries, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// zipNames lists a zip's entries, sorted.
func zipNames(t *testing.T, file string) []string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

// TestBuildPackageIsMadeAfresh: dist/package is what serverless.yml uploads, so a file an earlier build put there
// (an EXTRA_FILES scopes file since renamed or dropped) must not ship with the next one. Mistakes in EXTRA_FILES
// and VERSION fail before the package is touched.
func TestBuildPackageIsMadeAfresh(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the function: skipped with -short")
	}
	dist, work := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "scopes.yaml"), []byte("avatar:\n  bucket: a-1250000000\n  prefixes: [a/]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg, zipFile := filepath.Join(dist, "package"), filepath.Join(dist, "cos-sts-scf.zip")

	code, out := runScript(t, "build.sh", work, "DIST="+dist, "EXTRA_FILES=scopes.yaml", "VERSION=v0.0.0-test")
	if code != 0 {
		t.Fatalf("build.sh with EXTRA_FILES: exit %d\n%s", code, out)
	}
	want := []string{"main", "scopes.yaml"}
	if got := dirNames(t, pkg); !slices.Equal(got, want) {
		t.Errorf("package = %q; want %q", got, want)
	}
	if got := zipNames(t, zipFile); !slices.Equal(got, want) {
		t.Errorf("zip = %q; want %q", got, want)
	}

	// A leftover from someone's hand in dist/package goes too.
	if err := os.WriteFile(filepath.Join(pkg, "stale.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runScript(t, "build.sh", work, "DIST="+dist, "VERSION=v0.0.0-test")
	if code != 0 {
		t.Fatalf("build.sh without EXTRA_FILES: exit %d\n%s", code, out)
	}
	if got := dirNames(t, pkg); !slices.Equal(got, []string{"main"}) {
		t.Errorf("package after a build without EXTRA_FILES = %q; want only main", got)
	}
	if got := zipNames(t, zipFile); !slices.Equal(got, []string{"main"}) {
		t.Errorf("zip after a build without EXTRA_FILES = %q; want only main", got)
	}

	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"missing extra file", []string{"EXTRA_FILES=scopes.yml"}, "EXTRA_FILES names scopes.yml, which is not a file"},
		{"extra file named main", []string{"EXTRA_FILES=" + filepath.Join(pkg, "main")}, "already has a main"},
		{"extra files with one name", []string{"EXTRA_FILES=scopes.yaml ./scopes.yaml"}, "already has a scopes.yaml"},
		{"version with a space", []string{"VERSION=v1 -X main.x=y"}, "may hold only letters, digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runScript(t, "build.sh", work, append([]string{"DIST=" + dist}, tc.env...)...)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 2 and %q", code, out, tc.want)
			}
			if got := dirNames(t, pkg); !slices.Equal(got, []string{"main"}) {
				t.Errorf("package after a refused build = %q; want the last good one", got)
			}
		})
	}
}

// TestBuildStampsVersion: the binary build.sh makes says which version it is, in its cold-start log line and in
// every dry run; without VERSION, git describe's.
func TestBuildStampsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the function: skipped with -short")
	}
	dist := t.TempDir()
	code, out := runScript(t, "build.sh", t.TempDir(), "DIST="+dist, "VERSION=v1.2.3-rc.1+build.7")
	if code != 0 {
		t.Fatalf("build.sh: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "version v1.2.3-rc.1+build.7") {
		t.Errorf("build.sh output lacks the version:\n%s", out)
	}
	checkBinaryVersion(t, filepath.Join(dist, "package", "main"), "v1.2.3-rc.1+build.7")

	describe := exec.Command("git", "describe", "--tags", "--always", "--dirty")
	describe.Dir = ".."
	d, err := describe.Output()
	if err != nil {
		t.Skipf("no git here to describe the version: %v", err)
	}
	code, out = runScript(t, "build.sh", t.TempDir(), "DIST="+dist, "VERSION=")
	if want := "(version " + strings.TrimSpace(string(d)) + ";"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("build.sh without VERSION: exit %d, output:\n%s\nwant %q", code, out, want)
	}
}

// checkBinaryVersion starts a built function as SCF does and reads its version from the cold-start log line and
// a dry run.
func checkBinaryVersion(t *testing.T, bin, want string) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the package is linux/amd64; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	env := map[string]string{"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/",
		"STS_SECRET_ID": "AKIDversiontest", "STS_SECRET_KEY": "versiontestkey"}
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fn, err := scfrpc.Start(ctx, bin, list)
	if err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	defer fn.Close()
	reply, err := fn.Invoke(ctx, scfrpc.Invocation{Payload: []byte(`{"dryRun":true}`), RequestID: "version-test", Environment: env})
	if err != nil || reply.Error != nil {
		t.Fatalf("invoke: %v %v", err, reply.Error)
	}
	var body struct{ Data struct{ Version string } }
	if err := json.Unmarshal(reply.Payload, &body); err != nil || body.Data.Version != want {
		t.Errorf("dry run = %s; want version %q", reply.Payload, want)
	}
	first, _, _ := strings.Cut(string(fn.Output()), "\n")
	if !strings.Contains(first, `"msg":"cold start"`) || !strings.Contains(first, `"version":"`+want+`"`) {
		t.Errorf("first log line = %s; want the cold start with version %q", first, want)
	}
}

// TestBuildPacksYAMLScopesAsJSON: the function reads scopes files as JSON only, so build.sh packs a YAML scopes
// document of EXTRA_FILES as its JSON, under its own name; the packed function then serves the scopes the YAML
// describes with STS_SCOPES_FILE=scopes.yaml, as the README says. A document that does not decode fails the build
// with its line, and a YAML file that reached the package another way (uploaded by hand) is a ConfigError that
// says how to pack it.
func TestBuildPacksYAMLScopesAsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the function: skipped with -short")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("runs the packaged linux/amd64 function")
	}
	dist, work := t.TempDir(), t.TempDir()
	doc := "# scopes.yaml\navatar:\n  bucket: avatars-1250000000\n  region: ap-guangzhou\n  prefixes: [\"avatars/\"]\n" +
		"  actions: [upload]\n  conditions:\n    maxContentLength: 5242880\n    bindSourceIp: yes\n"
	if err := os.WriteFile(filepath.Join(work, "scopes.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runScript(t, "build.sh", work, "DIST="+dist, "EXTRA_FILES=scopes.yaml", "VERSION=v0.0.0-test")
	if code != 0 {
		t.Fatalf("build.sh: exit %d\n%s", code, out)
	}
	pkg := filepath.Join(dist, "package")
	packed, err := os.ReadFile(filepath.Join(pkg, "scopes.yaml"))
	if err != nil || !json.Valid(packed) {
		t.Fatalf("packed scopes.yaml = %q, %v; want JSON", packed, err)
	}
	if got := zipNames(t, filepath.Join(dist, "cos-sts-scf.zip")); !slices.Equal(got, []string{"main", "scopes.yaml"}) {
		t.Errorf("zip = %q", got)
	}

	dryRun := func(t *testing.T) (map[string]any, string) {
		t.Helper()
		env := map[string]string{"STS_SCOPES_FILE": "scopes.yaml", "STS_SECRET_ID": "AKIDpackedyaml", "STS_SECRET_KEY": "packedyamlsecret"}
		var list []string
		for k, v := range env {
			list = append(list, k+"="+v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		fn, err := scfrpc.Start(ctx, filepath.Join(pkg, "main"), list)
		if err != nil {
			t.Fatalf("start the packaged function: %v", err)
		}
		defer fn.Close()
		reply, err := fn.Invoke(ctx, scfrpc.Invocation{Payload: []byte(`{"scope":"avatar","dryRun":true}`), RequestID: "yaml", Environment: env})
		if err != nil || reply.Error != nil {
			t.Fatalf("invoke: %v %+v", err, reply.Error)
		}
		var body map[string]any
		if err := json.Unmarshal(reply.Payload, &body); err != nil {
			t.Fatalf("reply %s: %v", reply.Payload, err)
		}
		return body, string(fn.Output())
	}
	body, log := dryRun(t)
	data, _ := body["data"].(map[string]any)
	if data["scope"] != "avatar" || !strings.Contains(fmt.Sprint(data["prefixes"]), "avatars/") ||
		!strings.Contains(fmt.Sprint(data["conditions"]), "5242880") {
		t.Errorf("dry run of the packed scope = %v\nlog:\n%s", body, log)
	}

	// Uploaded by hand, unconverted: the function says what to do.
	if err := os.WriteFile(filepath.Join(pkg, "scopes.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	body, log = dryRun(t)
	if body["codeDesc"] != "ConfigError" || !strings.Contains(log, "scopes.yaml is YAML that was not converted") ||
		!strings.Contains(log, "EXTRA_FILES=scopes.yaml scripts/build.sh") {
		t.Errorf("an unconverted YAML file: reply %v\nlog:\n%s\nwant a ConfigError whose log says how to pack it", body, log)
	}

	// A typo fails the build, naming the line, and leaves the package as it was.
	if err := os.WriteFile(filepath.Join(work, "bad.yaml"), []byte("avatar:\n  bucket: a-1250000000\n  prefix: [a/]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runScript(t, "build.sh", work, "DIST="+dist, "EXTRA_FILES=bad.yaml", "VERSION=v0.0.0-test")
	if code != 2 || !strings.Contains(out, "line 3: field prefix not found") || !strings.Contains(out, "EXTRA_FILES names bad.yaml") {
		t.Errorf("build.sh with a typo: exit %d\n%s\nwant exit 2 naming the line", code, out)
	}
	if got := dirNames(t, pkg); !slices.Equal(got, []string{"main", "scopes.yaml"}) {
		t.Errorf("package after a failed build = %q; want it untouched", got)
	}
}
