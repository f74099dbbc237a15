package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// shBlockAfter returns the command lines of the first ```sh block after the README text anchor (indented blocks in
// list items too), each without its trailing # comment, and the comments, line by line.
func shBlockAfter(t *testing.T, readme, anchor string) (lines, comments []string) {
	t.Helper()
	i := strings.Index(readme, anchor)
	if i < 0 {
		t.Fatalf("README.md no longer says %q", anchor)
	}
	m := regexp.MustCompile("(?ms)^ *```sh\n(.*?)^ *```").FindStringSubmatch(readme[i:])
	if m == nil {
		t.Fatalf("README.md has no ```sh block after %q", anchor)
	}
	for line := range strings.SplitSeq(m[1], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cmd, comment, _ := strings.Cut(line, " #")
		lines, comments = append(lines, strings.TrimSpace(cmd)), append(comments, strings.TrimSpace(comment))
	}
	return lines, comments
}

// newUserEnv is the environment of someone who has not configured the function: none of its variables, none of
// the deploy values, no Tencent Cloud keys.
func newUserEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "STS_") || strings.HasPrefix(name, "TENCENTCLOUD_") {
			env = append(env, name+"=")
		}
	}
	env = append(env, unsetDeployVars()...)
	return append(env, extra...)
}

// TestREADMEOperatorWalk follows the README's operator instructions literally, in a fresh copy of the repository,
// as a new user would: the set-up command, explain with the README's scopes file, the deploy steps (deploy.sh
// before and after filling .env, with a stub scf on PATH that records what it is asked, and without any scf), the
// console events against the function deploy.sh built, and a release build.
func TestREADMEOperatorWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function and the local tool in a fresh copy: skipped with -short")
	}
	readme := readREADME(t)
	clone := freshClone(t)

	t.Run("set up", func(t *testing.T) {
		lines, _ := shBlockAfter(t, readme, "## Set up")
		if !slices.Contains(lines, "go test -race ./...") {
			t.Errorf("the set-up block %q no longer runs the tests", lines)
		}
		ran := 0
		for _, line := range lines {
			if line == "go test -race ./..." {
				continue // this test is part of that run
			}
			ran++
			code, out := runIn(t, clone, line, newUserEnv()...)
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", line, code, out)
			}
			for _, want := range []string{"no STS_* variable is set, so the demo configuration is used", "local: building the function", "HTTP 200", `"tmpSecretId"`} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: output lacks %q:\n%s", line, want, out)
				}
			}
		}
		if ran != 1 {
			t.Errorf("ran %d set-up commands; want the one that invokes the function", ran)
		}
	})

	t.Run("explain with the README's scopes file", func(t *testing.T) {
		m := regexp.MustCompile("(?ms)^```yaml\n(# scopes.yaml\n.*?)^```").FindStringSubmatch(readme)
		if m == nil {
			t.Fatal("README.md has no ```yaml block starting with # scopes.yaml")
		}
		if err := os.WriteFile(filepath.Join(clone, "scopes.yaml"), []byte(m[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		lines, _ := shBlockAfter(t, readme, "See what a configuration grants")
		wants := [][]string{
			{"scope      avatar", "avatars-1250000000/avatars/*", "at most 5242880 bytes"},
			{"scope      export", "exports-1250000000/exports/latest.csv", "600 seconds"},
		}
		if len(lines) != len(wants) {
			t.Fatalf("the explain block has %d commands %q; this walk checks %d", len(lines), lines, len(wants))
		}
		for i, line := range lines {
			code, out := runIn(t, clone, line, newUserEnv()...)
			if code != 0 {
				t.Errorf("%s: exit %d\n%s", line, code, out)
			}
			for _, want := range wants[i] {
				if !strings.Contains(out, want) {
					t.Errorf("%s: output lacks %q:\n%s", line, want, out)
				}
			}
		}
		// What the README says an event without a scope gets from this file.
		code, out := runIn(t, clone, "STS_SCOPES_FILE=scopes.yaml go run ./cmd/local explain testdata/events/function-url-post.json", newUserEnv()...)
		if code != 1 || !strings.Contains(out, `unknown scope "default"`) || !strings.Contains(out, "defines the scopes assets, avatar, export") {
			t.Errorf("explain of an event without a scope: exit %d\n%s", code, out)
		}
	})

	t.Run("deploy", func(t *testing.T) {
		lines, comments := shBlockAfter(t, readme, "Deploy with Tencent's Serverless Cloud Framework CLI")
		if len(lines) != 2 || lines[0] != "cp .env.example .env" || lines[1] != "scripts/deploy.sh" {
			t.Fatalf("the deploy block is %q; this walk runs cp .env.example .env, then scripts/deploy.sh", lines)
		}
		fill := regexp.MustCompile(`[A-Z][A-Z0-9_]+`).FindAllString(strings.TrimPrefix(comments[0], "then fill in"), -1)
		stub, record := stubSCF(t, "1.3.0")
		env := newUserEnv("PATH=" + stub + string(os.PathListSeparator) + os.Getenv("PATH"))

		if code, out := runIn(t, clone, lines[0], env...); code != 0 {
			t.Fatalf("%s: exit %d\n%s", lines[0], code, out)
		}
		// Before the values are filled in, deploy.sh names exactly the ones the README says to fill in.
		code, out := runIn(t, clone, lines[1], env...)
		sorted := slices.Sorted(slices.Values(fill))
		if want := "needs " + strings.Join(sorted, " ") + ", unset in the environment and in .env"; code != 2 || !strings.Contains(out, want) {
			t.Fatalf("%s before filling .env: exit %d\n%s\nwant exit 2 and %q", lines[1], code, out, want)
		}
		values := map[string]string{}
		for _, kv := range goodDeployVars {
			k, v, _ := strings.Cut(kv, "=")
			values[k] = v
		}
		dotenv, err := os.ReadFile(filepath.Join(clone, ".env"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(dotenv)
		for _, name := range fill {
			if values[name] == "" {
				t.Fatalf("the README says to fill in %s, which this walk has no value for", name)
			}
			text = strings.Replace(text, "\n"+name+"=\n", "\n"+name+"="+values[name]+"\n", 1)
		}
		if err := os.WriteFile(filepath.Join(clone, ".env"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out = runIn(t, clone, lines[1], env...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", lines[1], code, out)
		}
		args, _ := os.ReadFile(filepath.Join(record, "args"))
		pwd, _ := os.ReadFile(filepath.Join(record, "pwd"))
		if string(args) != "deploy\n" || mustEval(t, strings.TrimSpace(string(pwd))) != mustEval(t, clone) {
			t.Errorf("scf ran with %q in %s; want deploy at the repository root %s", args, pwd, clone)
		}
		recorded, _ := os.ReadFile(filepath.Join(record, "env"))
		if strings.Contains(string(recorded), "TENCENT_SECRET_KEY=") {
			t.Errorf("scf got a TENCENT_SECRET_KEY the user never set")
		}

		// The console events of the README's table, against the function deploy.sh just built for scf to upload.
		d := startFunction(t, filepath.Join(clone, "dist", "package", "main"))
		for _, m := range regexp.MustCompile("(?m)^\\| `(console-[a-z-]+\\.json)` \\|").FindAllStringSubmatch(readme, -1) {
			b, err := os.ReadFile(filepath.Join(clone, "testdata", "events", m[1]))
			if err != nil {
				t.Fatalf("the README's console table names %s: %v", m[1], err)
			}
			r := decodeResult(t, d.invoke(t, b))
			if (r.status != 0 && r.status != 200) || (r.credentials() == nil && !r.dryRun()) {
				t.Errorf("%s: status %d, body %v; want a grant or a dry run", m[1], r.status, r.body)
			}
		}

		// Without scf: the console-upload fallback.
		code, out = runIn(t, clone, lines[1], newUserEnv("PATH="+pathWithout("scf"))...)
		if code != 0 || !strings.Contains(out, "is not installed") || !strings.Contains(out, "dist/cos-sts-scf.zip") {
			t.Errorf("%s without scf: exit %d\n%s", lines[1], code, out)
		}
	})

	t.Run("release build", func(t *testing.T) {
		if !strings.Contains(readme, "`VERSION=vX.Y.Z scripts/build.sh`") {
			t.Fatal("README.md no longer says how to stamp a release version")
		}
		code, out := runIn(t, clone, "VERSION=v1.0.0 scripts/build.sh", newUserEnv()...)
		if code != 0 || !strings.Contains(out, "(version v1.0.0;") {
			t.Errorf("release build: exit %d\n%s", code, out)
		}
		checkBinaryVersion(t, filepath.Join(clone, "dist", "package", "main"), "v1.0.0")
	})
}
