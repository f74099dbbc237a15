package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// needFunction returns the real function, built once per go test run for every package that needs it
// (scfrpc.SharedBinary); a build that failed fails the test. Reading the sources to find the binary also tells
// go test's cache to drop a pass when the function's code changes.
func needFunction(t *testing.T) string {
	t.Helper()
	bin, err := scfrpc.SharedBinary(context.Background(), "../..")
	if err != nil {
		t.Fatalf("build the function: %v", err)
	}
	return bin
}

func runCLI(t *testing.T, stdin string, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = run(ctx, args, cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, environ: environ})
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantErr: "usage:"},
		{name: "unknown command", args: []string{"deploy"}, wantCode: exitUsage, wantErr: `unknown command "deploy"`},
		{name: "invoke without event", args: []string{"invoke"}, wantCode: exitUsage, wantErr: "invoke takes one event"},
		{name: "invoke with two events", args: []string{"invoke", "a.json", "b.json"}, wantCode: exitUsage, wantErr: "invoke takes one event"},
		{name: "invoke with a bad flag", args: []string{"invoke", "-nope", "a.json"}, wantCode: exitUsage, wantErr: "usage:"},
		{name: "serve with an argument", args: []string{"serve", "extra"}, wantCode: exitUsage, wantErr: "serve takes no arguments"},
		{name: "event file missing", args: []string{"invoke", "-bin", "/nonexistent", "testdata/none.json"}, wantCode: exitFail, wantErr: "read event"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", nil, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d; want %d", code, tc.wantCode)
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q; want it to contain %q", stderr, tc.wantErr)
			}
		})
	}
}

func TestInvokeRejectsNonJSON(t *testing.T) {
	code, _, stderr := runCLI(t, "not json", nil, "invoke", "-bin", "/nonexistent", "-")
	if code != exitFail || !strings.Contains(stderr, "not valid JSON") {
		t.Errorf("exit %d, stderr %q; want %d and a JSON complaint", code, stderr, exitFail)
	}
}

// TestInvokeEvents runs every sample event through the real function and the
// emulator, as a developer would with go run ./cmd/local invoke.
func TestInvokeEvents(t *testing.T) {
	bin := needFunction(t)
	want := map[string]string{ // file → the first line printed
		"apigw-get.json":            "HTTP 200",
		"apigw-post.json":           "HTTP 200",
		"function-url-get.json":     "HTTP 200",
		"function-url-post.json":    "HTTP 200",
		"console-test.json":         "{",
		"console-apigw.json":        "HTTP 200",
		"console-function-url.json": "HTTP 200",
		"console-default.json":      "{",
		"console-dry-run.json":      "{",
		"console-download.json":     "{",
		"console-sts-format.json":   "{",
		"options-preflight.json":    "HTTP 204",
		"bad-json-body.json":        "HTTP 400",
		"unknown-field.json":        "HTTP 400",
		"put-method.json":           "HTTP 405",
		"outside-scope.json":        "HTTP 403",
		"traversal-key.json":        "HTTP 400",
	}
	files, err := filepath.Glob("../../testdata/events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	// The demo's values plus CORS: setting one variable turns the demo off, so the rest are set too, and the
	// keys are the execution role's that the tool hands over, as SCF does.
	environ := []string{"STS_ALLOW_ORIGINS=https://app.example.com", "STS_BUCKET=examplebucket-1250000000",
		"STS_BUCKET_REGION=ap-guangzhou", "STS_ALLOW_PREFIXES=uploads/", "STS_ROLE_ARN=qcs::cam::uin/100000000001:roleName/cos-sts"}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			first, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it to this table", name)
			}
			code, stdout, stderr := runCLI(t, "", environ, "invoke", "-bin", bin, file)
			if code != exitOK {
				t.Fatalf("exit code = %d; want 0; stderr:\n%s", code, stderr)
			}
			if got, _, _ := strings.Cut(stdout, "\n"); got != first {
				t.Errorf("first line = %q; want %q; stdout:\n%s", got, first, stdout)
			}
			if strings.HasPrefix(first, "HTTP ") && !strings.Contains(stdout, "\nCache-Control: no-store\n") {
				t.Errorf("stdout lacks the Cache-Control header:\n%s", stdout)
			}
			if !strings.Contains(stderr, "STS emulator serves at http://127.0.0.1:") {
				t.Errorf("stderr lacks the emulator notice:\n%s", stderr)
			}
		})
	}
}

func TestInvokeRawFromStdin(t *testing.T) {
	bin := needFunction(t)
	event, err := os.ReadFile("../../testdata/events/console-test.json")
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	code, stdout, stderr := runCLI(t, string(event), nil, "invoke", "-raw", "-bin", bin, "-")
	if code != exitOK {
		t.Fatalf("exit code = %d; want 0; stderr:\n%s", code, stderr)
	}
	if strings.Count(stdout, "\n") != 1 {
		t.Errorf("-raw printed %d lines; want the payload on one", strings.Count(stdout, "\n"))
	}
	var body struct {
		CodeDesc string `json:"codeDesc"`
		Data     struct {
			Prefixes []string `json:"prefixes"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(stdout), &body); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if body.CodeDesc != "Success" || len(body.Data.Prefixes) != 1 || body.Data.Prefixes[0] != "uploads/alice/" {
		t.Errorf("reply = %+v; want Success for uploads/alice/", body)
	}
}

// TestInvokeBuilds covers the path a developer takes: no -bin, so the module is
// built first.
func TestInvokeBuilds(t *testing.T) {
	needFunction(t)
	code, stdout, stderr := runCLI(t, `{"dryRun":true}`, nil, "invoke", "-")
	if code != exitOK {
		t.Fatalf("exit code = %d; want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, `"dryRun": true`) {
		t.Errorf("stdout = %s; want a dry-run answer", stdout)
	}
}

// TestServe sends real HTTP through the gateway to the real function.
func TestServe(t *testing.T) {
	bin := needFunction(t)
	var stderr bytes.Buffer
	c := cli{stderr: &lockedWriter{w: &stderr}, environ: []string{"STS_ALLOW_ORIGINS=https://app.example.com", "STS_BUCKET=examplebucket-1250000000",
		"STS_ALLOW_PREFIXES=uploads/", "STS_SECRET_ID=AKIDservetest", "STS_SECRET_KEY=servetestkey"}}
	s, err := startSession(context.Background(), bin, c)
	if err != nil {
		t.Fatalf("startSession: %v", err)
	}
	defer s.Close()
	srv := httptest.NewServer(&gateway{fn: s.fn, env: s.env, timeout: 3 * time.Second, log: io.Discard})
	defer srv.Close()

	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		origin     string
		wantStatus int
		wantInBody string
		wantCORS   string
	}{
		{name: "POST mints", method: "POST", target: "/", body: `{"prefixes":["uploads/alice/"],"actions":["upload"]}`, origin: "https://app.example.com", wantStatus: 200, wantInBody: `"tmpSecretId"`, wantCORS: "https://app.example.com"},
		{name: "bare query name is true", method: "GET", target: "/?prefixes=uploads/bob/&dryRun", wantStatus: 200, wantInBody: `"dryRun":true`},
		{name: "repeated query names", method: "GET", target: "/?prefixes=uploads/a/&prefixes=uploads/b/&dryRun=1", wantStatus: 200, wantInBody: `"uploads/b/"`},
		{name: "DELETE refused", method: "DELETE", target: "/", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.target, strings.NewReader(tc.body))
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.target, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d; want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if !bytes.Contains(body, []byte(tc.wantInBody)) {
				t.Errorf("body = %s; want it to contain %s", body, tc.wantInBody)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.wantCORS {
				t.Errorf("Access-Control-Allow-Origin = %q; want %q", got, tc.wantCORS)
			}
		})
	}
}
