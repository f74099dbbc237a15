package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// deployVars are serverless.yml's ${env:…} names; required are those deploy.sh insists on.
var (
	requiredDeployVars = []string{"DEPLOY_REGION", "SCF_EXECUTION_ROLE", "STS_ALLOW_PREFIXES", "STS_BUCKET", "STS_ROLE_ARN"}
	optionalDeployVars = []string{"STS_BUCKET_REGION", "STS_ALLOW_ORIGINS"}
)

// unsetDeployVars keeps a developer's own values out of a test.
func unsetDeployVars() []string {
	var env []string
	for _, v := range append(slices.Clone(requiredDeployVars), optionalDeployVars...) {
		env = append(env, v+"=")
	}
	return append(env, "DIST=", "TENCENT_SECRET_ID=", "TENCENT_SECRET_KEY=", "TENCENT_TOKEN=")
}

// goodDeployVars is a complete set of values, as an operator would write them.
var goodDeployVars = []string{
	"DEPLOY_REGION=ap-guangzhou", "SCF_EXECUTION_ROLE=SCF_QcsRole", "STS_BUCKET=examplebucket-1250000000",
	"STS_ALLOW_PREFIXES=uploads/", "STS_ROLE_ARN=qcs::cam::uin/100000000001:roleName/cos-sts",
}

// TestServerlessEnvNames: deploy.sh derives what it checks from serverless.yml, so the list here must be what the
// file holds, every name either required or marked optional.
func TestServerlessEnvNames(t *testing.T) {
	b, err := os.ReadFile("../serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	var required, optional []string
	for line := range strings.SplitSeq(string(b), "\n") {
		i := strings.Index(line, "${env:")
		if i < 0 || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, _, _ := strings.Cut(line[i+len("${env:"):], "}")
		if strings.Contains(line, "# optional") {
			optional = append(optional, name)
		} else {
			required = append(required, name)
		}
	}
	slices.Sort(required)
	if !slices.Equal(required, requiredDeployVars) || !slices.Equal(optional, optionalDeployVars) {
		t.Errorf("serverless.yml requires %q and marks optional %q; want %q and %q", required, optional, requiredDeployVars, optionalDeployVars)
	}
}

// TestDeployChecksVariablesFirst runs scripts/deploy.sh in a fresh clone with a stub scf on PATH: missing values
// are named before anything is built, values count from the environment or from the .env file scf would read,
// and scf deploy runs at the root with deploy.sh's arguments.
func TestDeployChecksVariablesFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function: skipped with -short")
	}
	clone := freshClone(t)
	stub, record := stubSCF(t, "1.3.0")
	path := "PATH=" + stub + string(os.PathListSeparator) + os.Getenv("PATH")
	base := append(unsetDeployVars(), path)
	called := func() bool { _, err := os.Stat(filepath.Join(record, "args")); return err == nil }
	writeEnv := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(clone, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removeEnv := func() {
		for _, n := range []string{".env", ".env.dev", ".env.prod"} {
			os.Remove(filepath.Join(clone, n))
		}
	}

	refusals := []struct {
		name    string
		env     []string
		files   map[string]string
		args    string
		missing []string
		from    string // the .env file named in the message
	}{
		{name: "nothing set", missing: requiredDeployVars},
		{name: "one missing", env: goodDeployVars[1:], missing: []string{"DEPLOY_REGION"}},
		{name: "an empty value is missing", env: append(slices.Clone(goodDeployVars[:4]), "STS_ROLE_ARN="), missing: []string{"STS_ROLE_ARN"}},
		{
			name: "empty and quoted-empty values in .env", files: map[string]string{".env": strings.Join(goodDeployVars[:3], "\n") + "\nSTS_ALLOW_PREFIXES=\"\"\nSTS_ROLE_ARN= # later\n"},
			missing: []string{"STS_ALLOW_PREFIXES", "STS_ROLE_ARN"}, from: ".env",
		},
		{
			// scf loads .env.<stage> instead of .env when it exists (stage dev unless --stage says otherwise).
			name: "the stage's file wins", files: map[string]string{".env": strings.Join(goodDeployVars, "\n"), ".env.prod": "DEPLOY_REGION=ap-shanghai\n"},
			args: "--stage prod", missing: []string{"SCF_EXECUTION_ROLE", "STS_ALLOW_PREFIXES", "STS_BUCKET", "STS_ROLE_ARN"}, from: ".env.prod",
		},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			removeEnv()
			for name, text := range tc.files {
				writeEnv(name, text)
			}
			code, out := runIn(t, clone, "scripts/deploy.sh "+tc.args, append(slices.Clone(base), tc.env...)...)
			want := "deploy.sh: serverless.yml needs " + strings.Join(tc.missing, " ") + ", unset in the environment"
			if tc.from != "" {
				want += " and in " + tc.from
			}
			if code != 2 || !strings.Contains(out, want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 2 and %q", code, out, want)
			}
			if called() {
				t.Errorf("scf was called although variables are missing")
			}
			if _, err := os.Stat(filepath.Join(clone, "dist")); err == nil {
				t.Errorf("dist/ exists: deploy.sh built before checking")
			}
		})
	}

	t.Run("values from the environment", func(t *testing.T) {
		removeEnv()
		code, out := runIn(t, clone, "scripts/deploy.sh --stage prod --debug", append(slices.Clone(base), goodDeployVars...)...)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		args, _ := os.ReadFile(filepath.Join(record, "args"))
		if string(args) != "deploy\n--stage\nprod\n--debug\n" {
			t.Errorf("scf got arguments %q; want deploy --stage prod --debug", args)
		}
		env, _ := os.ReadFile(filepath.Join(record, "env"))
		for _, kv := range goodDeployVars {
			if !slices.Contains(strings.Split(string(env), "\n"), kv) {
				t.Errorf("scf's environment lacks %s", kv)
			}
		}
		pwd, _ := os.ReadFile(filepath.Join(record, "pwd"))
		if got, _ := filepath.EvalSymlinks(strings.TrimSpace(string(pwd))); got != mustEval(t, clone) {
			t.Errorf("scf ran in %s; want the repository root %s, where serverless.yml is", pwd, clone)
		}
		if got := dirNames(t, filepath.Join(clone, "dist", "package")); !slices.Equal(got, []string{"main"}) {
			t.Errorf("dist/package = %q; want main, built before scf ran", got)
		}
	})

	t.Run("values from .env", func(t *testing.T) {
		removeEnv()
		os.Remove(filepath.Join(record, "args"))
		writeEnv(".env", "# from .env.example\n"+strings.Join(goodDeployVars, "\n")+"\nexport STS_ALLOW_ORIGINS=https://app.example.com\n")
		code, out := runIn(t, clone, "scripts/deploy.sh", base...)
		if code != 0 || !called() || !strings.Contains(out, "variables also from .env") {
			t.Errorf("exit %d, scf called %v:\n%s", code, called(), out)
		}
	})

	for _, tc := range []struct{ name, version, want string }{
		{"an old CLI", "1.1.9", "older than 1.2.0"},
		{"some other scf", "scf, version 0.2.1", "did not answer `scf --version --plain` with a version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			removeEnv()
			other, rec := stubSCF(t, tc.version)
			code, out := runIn(t, clone, "scripts/deploy.sh", append(append(unsetDeployVars(), goodDeployVars...),
				"PATH="+other+string(os.PathListSeparator)+os.Getenv("PATH"))...)
			if _, err := os.Stat(filepath.Join(rec, "args")); code != 2 || !strings.Contains(out, tc.want) || err == nil {
				t.Errorf("exit %d, output:\n%s\nwant exit 2, %q and no deploy", code, out, tc.want)
			}
		})
	}
}

// TestDeployWithoutCLI: with no scf installed, deploy.sh builds and tells how to upload by hand.
func TestDeployWithoutCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function: skipped with -short")
	}
	clone := freshClone(t)
	code, out := runIn(t, clone, "scripts/deploy.sh", append(unsetDeployVars(), "PATH="+pathWithout("scf"))...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	zip := filepath.Join(mustEval(t, clone), "dist", "cos-sts-scf.zip")
	for _, want := range []string{"scf (Tencent's Serverless Cloud Framework CLI) is not installed", "npm i -g serverless-cloud-framework",
		"upload the local zip " + zip, "handler: main", "runtime Go1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := zipNames(t, zip); !slices.Equal(got, []string{"main"}) {
		t.Errorf("zip = %q; want main", got)
	}
}

// TestGitIgnoresDotEnv: scf's QR login writes temporary Tencent Cloud keys into ./.env; it must never be committed.
func TestGitIgnoresDotEnv(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, tc := range []struct {
		name    string
		ignored bool
	}{{".env", true}, {".env.dev", true}, {".env.prod", true}, {".env.example", false}, {"dist/package/main", true}} {
		cmd := exec.Command("git", "check-ignore", "-q", "--no-index", tc.name)
		cmd.Dir = ".."
		err := cmd.Run()
		if ignored := err == nil; ignored != tc.ignored {
			t.Errorf("git ignores %s: %v; want %v (%v)", tc.name, ignored, tc.ignored, err)
		}
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
