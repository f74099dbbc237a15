package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	scopes := filepath.Join(t.TempDir(), "scopes.yaml")
	doc := "avatar:\n  bucket: avatars-1250000000\n  prefixes: [avatars/]\n  actions: [upload]\n  conditions:\n    maxContentLength: 5242880\n    contentTypes: [image/*]\n    bindSourceIp: true\n"
	if err := os.WriteFile(scopes, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"STS_SCOPES_FILE=" + scopes, "HOME=/nowhere"}

	code, out, errOut := runCLI(t, "", env, "explain", "-scope", "avatar")
	if code != exitOK {
		t.Fatalf("explain -scope avatar = %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"scope      avatar", "avatars-1250000000/avatars/*", "at most 5242880 bytes", "image/*",
		"PostObject left out of the grant", "UploadPart, CompleteMultipartUpload, AbortMultipartUpload left out", "direct invocation has no caller IP", `"numeric_less_than_equal"`} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}

	// An HTTP event keeps its own parameters; -scope is added to them, and the IP of the trigger is bound.
	event := filepath.Join(t.TempDir(), "e.json")
	_ = os.WriteFile(event, []byte(`{"httpMethod":"POST","headers":{"x-scf-remote-addr":"203.0.113.7"},"body":"{\"prefixes\":[\"avatars/alice/\"]}"}`), 0o600)
	code, out, errOut = runCLI(t, "", env, "explain", "-scope", "avatar", event)
	if code != exitOK || !strings.Contains(out, "avatars/alice/*") || !strings.Contains(out, "203.0.113.7") {
		t.Errorf("explain of a Function URL event = %d:\n%s\n%s", code, out, errOut)
	}

	code, _, errOut = runCLI(t, "", env, "explain", "-scope", "nope")
	if code != exitFail || !strings.Contains(errOut, `unknown scope "nope"`) {
		t.Errorf("unknown scope = %d, stderr %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "", []string{"STS_BUCKET=bad", "STS_ALLOW_PREFIXES=a/"}, "explain")
	if code != exitFail || !strings.Contains(errOut, `STS_BUCKET: \"bad\" is not a bucket name`) {
		t.Errorf("bad configuration = %d; stderr %s; want the log's exact problem", code, errOut)
	}
	code, out, _ = runCLI(t, "", nil, "explain")
	if code != exitOK || !strings.Contains(out, "examplebucket-1250000000/uploads/*") {
		t.Errorf("explain with nothing configured = %d %s; want the demo scope", code, out)
	}
}
