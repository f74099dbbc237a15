package handler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// recordingMinter issues fixed keys and remembers the last policy, so the fuzz target can check what was granted.
type recordingMinter struct{ last issuer.Request }

func (m *recordingMinter) Issue(_ context.Context, r issuer.Request) (issuer.Result, error) {
	m.last = r
	return issuer.Result{TmpSecretID: "AKIDfuzz", TmpSecretKey: "fuzz-tmp-secret-key", SessionToken: "fuzz-session-token",
		ExpiredTime: 1_800_000_000, RequestID: "sts-fuzz"}, nil
}

// FuzzInvoke feeds arbitrary events to the handler. Whatever arrives, the handler answers (never a function error
// or a panic), the answer is well-formed for its shape, and a minted policy never reaches outside the scope.
func FuzzInvoke(f *testing.F) {
	files, _ := filepath.Glob("../testdata/events/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"prefixes":["uploads/a/"]}`, `{"keys":["uploads/../x"]}`,
		`{"httpMethod":"GET","queryString":{"prefixes":["uploads/u1/","uploads/u10/"],"dryRun":true}}`,
		`{"httpMethod":"POST","body":"eyJrZXlzIjpbInVwbG9hZHMveCJdfQ==","isBase64Encoded":true}`,
		`{"httpMethod":"OPTIONS","headers":{"Origin":"https://app.example.com"}}`,
		`{"httpMethod":"GET","requestContext":{"requestId":"r"},"queryString":{"durationSeconds":"99999999999999999999"}}`,
	} {
		f.Add([]byte(s))
	}
	env := map[string]string{
		"STS_SECRET_ID": "AKIDfuzz", "STS_SECRET_KEY": "fuzz-permanent-key", "STS_BUCKET": "examplebucket-1250000000",
		"STS_ALLOW_PREFIXES": "uploads/,docs/readme.txt", "STS_ALLOW_ACTIONS": "upload,download",
		"STS_ALLOW_ORIGINS": "https://app.example.com",
	}
	scopePrefixes, scopeKeys := []string{"uploads/"}, []string{"docs/readme.txt"}
	// One handler for the whole run, as in a warm instance; the fuzz function runs sequentially in each worker.
	m := &recordingMinter{}
	h := New(Options{Getenv: func(k string) string { return env[k] }, Minter: m})
	f.Fuzz(func(t *testing.T, event []byte) {
		m.last = issuer.Request{}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := h.Invoke(ctx, event)
		if err != nil {
			t.Fatalf("Invoke error %v", err)
		}
		body := out
		if shape := classify(event); shape != ShapeDirect {
			var ir integrationResponse
			if err := json.Unmarshal(out, &ir); err != nil || ir.StatusCode < 200 || ir.StatusCode > 599 {
				t.Fatalf("reply %s is not an integration response", out)
			}
			if ir.Headers["Cache-Control"] != "no-store" {
				t.Fatalf("reply %s lacks Cache-Control", out)
			}
			if ir.StatusCode == 204 {
				return
			}
			body = []byte(ir.Body)
		}
		if !json.Valid(body) {
			t.Fatalf("body %q is not JSON", body)
		}
		if strings.Contains(string(out), "fuzz-permanent-key") {
			t.Fatal("the permanent key reached a reply")
		}
		if m.last.Policy == "" {
			return
		}
		p, err := policy.Parse(m.last.Policy)
		if err != nil {
			t.Fatalf("minted policy does not parse: %v", err)
		}
		for _, st := range p.Statement {
			for _, r := range st.Resource {
				path := strings.TrimPrefix(r, "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/")
				if path == r {
					t.Fatalf("resource %q outside the bucket", r)
				}
				if strings.HasSuffix(path, "/*") {
					if !policy.PrefixAllowed(scopePrefixes, strings.TrimSuffix(path, "*")) {
						t.Fatalf("prefix resource %q outside the scope", r)
					}
				} else if !policy.KeyAllowed(scopePrefixes, scopeKeys, path) {
					t.Fatalf("key resource %q outside the scope", r)
				}
			}
		}
	})
}
