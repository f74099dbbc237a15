package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// freshClone copies the repository's files (what a clone holds: tracked and new, not ignored ones such as dist/
// or a developer's .env) into a temporary folder and returns it, so that a test can run the operator's commands
// as a new user would without touching the developer's tree.
func freshClone(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, f := range repoFiles(t, root, func(format string, args ...any) { t.Fatalf(format, args...) }) {
		src := filepath.Join(root, filepath.FromSlash(f.name))
		st, err := os.Lstat(src)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dst, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// pathWithout returns a PATH with every folder that holds an executable named name left out, so a test can
// stand where that command is not installed.
func pathWithout(name string) string {
	var keep []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			continue
		}
		keep = append(keep, dir)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// stubSCF writes an executable named scf into a new folder and returns the folder and where the stub records
// each call: its arguments (one per line) in args, its environment in env, its working directory in pwd. It
// answers `scf --version --plain` with version, as serverless-cloud-framework does.
func stubSCF(t *testing.T, version string) (dir, record string) {
	t.Helper()
	dir, record = t.TempDir(), t.TempDir()
	script := "#!/bin/sh\n" +
		"if [ \"$1\" = --version ]; then echo '" + version + "'; exit 0; fi\n" +
		"printf '%s\\n' \"$@\" > '" + record + "/args'\n" +
		"env > '" + record + "/env'\n" +
		"pwd > '" + record + "/pwd'\n"
	if err := os.WriteFile(filepath.Join(dir, "scf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, record
}

// runIn runs a shell command line in dir with env replacing the named variables of this process's environment
// (NAME= unsets one), and returns its exit code and combined output.
func runIn(t *testing.T, dir, line string, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir = dir
	cmd.Env = mergeEnv(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	return 0, string(out)
}

// mergeEnv overrides base with env: NAME=value sets, NAME= removes.
func mergeEnv(base []string, env ...string) []string {
	over := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		over[k] = v
	}
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := over[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range over {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}
