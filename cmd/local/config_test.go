package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoOnlyWhenNothingIsConfigured: the demo configuration hides nothing. It is used only when no STS_*
// variable is set, in every command; any one set turns it off, so the function reports what is missing.
func TestDemoOnlyWhenNothingIsConfigured(t *testing.T) {
	bin := needFunction(t)
	tests := []struct {
		name    string
		environ []string
		demo    bool
	}{
		{"nothing", nil, true},
		{"only SCF's region", []string{"TENCENTCLOUD_REGION=ap-shanghai", "HOME=/nowhere"}, true},
		{"only STS_BUCKET", []string{"STS_BUCKET=mine-1250000001"}, false},
		{"an empty STS_ variable", []string{"STS_ALLOW_PREFIXES="}, false},
		{"a misspelt variable", []string{"STS_BUCKETT=mine-1250000001"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, cmd := range [][]string{{"explain"}, {"invoke", "-bin", bin, "-"}} {
				code, out, errOut := runCLI(t, `{"dryRun":true}`, tc.environ, cmd...)
				said := strings.Contains(errOut, "no STS_* variable is set, so the demo configuration is used")
				if said != tc.demo {
					t.Errorf("%s: demo notice = %v; want %v:\n%s", cmd[0], said, tc.demo, errOut)
				}
				granted := code == exitOK && strings.Contains(out, "uploads/")
				if granted != tc.demo {
					t.Errorf("%s: exit %d, granted the demo folder = %v; want %v:\n%s\n%s", cmd[0], code, granted, tc.demo, out, errOut)
				}
				if !tc.demo && !strings.Contains(errOut, "STS_ALLOW_PREFIXES: is required") {
					t.Errorf("%s: stderr lacks the missing variable:\n%s", cmd[0], errOut)
				}
			}
		})
	}
}

// TestExplainAndInvokeAgree: the same configuration explained and dry-run through the built function grants
// the same folder.
func TestExplainAndInvokeAgree(t *testing.T) {
	bin := needFunction(t)
	environ := []string{"STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=photos/", "STS_SECRET_ID=AKIDagree", "STS_SECRET_KEY=agreekey"}
	code, out, errOut := runCLI(t, "", environ, "explain")
	if code != exitOK || !strings.Contains(out, "examplebucket-1250000000/photos/*") || strings.Contains(out, "uploads/") {
		t.Errorf("explain = %d:\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, `{"dryRun":true}`, environ, "invoke", "-raw", "-bin", bin, "-")
	var reply struct{ Data struct{ Prefixes []string } }
	if code != exitOK || json.Unmarshal([]byte(out), &reply) != nil || strings.Join(reply.Data.Prefixes, ",") != "photos/" {
		t.Errorf("invoke dry run = %d %s\n%s; want photos/", code, out, errOut)
	}
}

// TestScopesFileFromCurrentDirectory: a relative STS_SCOPES_FILE is the developer's file in the current directory,
// in every command; a missing one is named by its full path there, never by a path in Go's build cache; a file
// that defines default needs no STS_BUCKET; an unknown scope lists the ones there are.
func TestScopesFileFromCurrentDirectory(t *testing.T) {
	bin := needFunction(t)
	dir := t.TempDir()
	doc := "default:\n  bucket: home-1250000000\n  prefixes: [home/]\n  actions: [download]\navatar:\n  bucket: avatars-1250000000\n  prefixes: [avatars/]\n  actions: [upload]\n"
	if err := os.WriteFile(filepath.Join(dir, "scopes.yaml"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	environ := []string{"STS_SCOPES_FILE=scopes.yaml", "STS_SECRET_ID=AKIDscopes", "STS_SECRET_KEY=scopeskey"}

	code, out, errOut := runCLI(t, "", environ, "explain")
	if code != exitOK || !strings.Contains(out, "home-1250000000/home/*") || strings.Contains(errOut, "STS_BUCKET") {
		t.Errorf("explain with a file defining default = %d:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "STS_SCOPES_FILE="+filepath.Join(dir, "scopes.yaml")) {
		t.Errorf("stderr does not say which file was read:\n%s", errOut)
	}
	code, out, errOut = runCLI(t, `{"scope":"avatar","dryRun":true}`, environ, "invoke", "-bin", bin, "-")
	if code != exitOK || !strings.Contains(out, `"avatars/"`) {
		t.Errorf("invoke with the file = %d:\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "", environ, "explain", "-scope", "nope")
	if code != exitFail || !strings.Contains(errOut, `unknown scope "nope"`) || !strings.Contains(errOut, "defines the scopes avatar, default") {
		t.Errorf("unknown scope = %d:\n%s", code, errOut)
	}

	missing := []string{"STS_SCOPES_FILE=scopes.yml"}
	for _, cmd := range [][]string{{"explain"}, {"invoke", "-bin", bin, "-"}, {"serve", "-addr", "127.0.0.1:0", "-bin", bin}} {
		code, _, errOut := runCLI(t, "{}", missing, cmd...)
		want := "there is no file " + filepath.Join(dir, "scopes.yml")
		if code != exitFail || !strings.Contains(errOut, want) || strings.Contains(errOut, "go-build") {
			t.Errorf("%s with a missing file = %d:\n%s\nwant %q", cmd[0], code, errOut, want)
		}
	}
}

// TestInvokeWithoutKeysPlaysSCF: with a configuration but no keys, the function gets execution-role keys as on SCF,
// so a missing STS_ROLE_ARN is reported as it would be there, and with it the function mints by AssumeRole.
func TestInvokeWithoutKeysPlaysSCF(t *testing.T) {
	bin := needFunction(t)
	environ := []string{"STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=uploads/"}
	code, out, errOut := runCLI(t, "{}", environ, "invoke", "-bin", bin, "-")
	if code != exitOK || !strings.Contains(out, `"ConfigError"`) || !strings.Contains(errOut, "STS_ROLE_ARN: is required with the execution role's keys") {
		t.Errorf("without STS_ROLE_ARN = %d:\n%s\n%s", code, out, errOut)
	}
	environ = append(environ, "STS_ROLE_ARN=qcs::cam::uin/100000000001:roleName/cos-sts")
	code, out, errOut = runCLI(t, "{}", environ, "invoke", "-bin", bin, "-")
	if code != exitOK || !strings.Contains(out, `"tmpSecretId"`) {
		t.Errorf("with STS_ROLE_ARN = %d:\n%s\n%s", code, out, errOut)
	}
}
