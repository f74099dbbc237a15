package handler

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// FuzzScopeRequest pairs an arbitrary scopes document with an arbitrary request. Whenever both are accepted and
// credentials are minted, the policy sent to STS must grant nothing outside the scope: no resource outside its
// folders and keys, no action it lacks, no upload larger or of another type than its conditions allow, and no
// request from another IP when it binds the caller's.
func FuzzScopeRequest(f *testing.F) {
	f.Add(`{"s":{"bucket":"b-1250000000","prefixes":["a/"],"actions":["upload"],"conditions":{"maxContentLength":100,"contentTypes":["image/*"],"bindSourceIp":true}}}`,
		`{"scope":"s","prefixes":["a/b/"],"maxContentLength":50}`, "203.0.113.7")
	f.Add(`{"s":{"bucket":"b-1250000000","prefixes":["a/","c/"],"keys":["k.txt"],"actions":["download","DeleteObject"]}}`,
		`{"scope":"s","keys":["k.txt","a/x"],"actions":["GetObject"]}`, "")
	f.Add(`{"s":{"bucket":"b-1250000000","prefixes":["*"],"actions":["PutObject"],"conditions":{"contentTypes":["image/png","text/*"]}}}`,
		`{"scope":"s","contentTypes":["text/plain"]}`, "2001:db8::1")
	f.Add(`{"s":{"bucket":"b-1250000000","prefixes":["u1/"]}}`, `{"scope":"s","prefixes":["u10/"]}`, "1.2.3.4")
	// A range where an address belongs would bind the credentials to nothing.
	f.Add(`{"s":{"bucket":"b-1250000000","prefixes":["a/"],"actions":["PutObject"],"conditions":{"bindSourceIp":true}}}`, `{"scope":"s"}`, "0.0.0.0/0")

	f.Fuzz(func(t *testing.T, scopes, request, ip string) {
		env := map[string]string{"STS_SECRET_ID": "AKIDfuzz", "STS_SECRET_KEY": "fuzz-permanent-key", "STS_SCOPES": scopes}
		getenv := func(k string) string { return env[k] }
		cfg, err := config.Load(getenv)
		if err != nil {
			return // a document refused at load never reaches a request
		}
		var req map[string]json.RawMessage
		if json.Unmarshal([]byte(request), &req) != nil {
			return
		}
		var name string
		_ = json.Unmarshal(req["scope"], &name)
		scope := cfg.Scopes[name]
		if scope == nil {
			return
		}

		body, _ := json.Marshal(request)
		event := `{"httpMethod":"POST","headers":{"x-scf-remote-addr":` + strconv.Quote(ip) + `},"body":` + string(body) + `}`
		m := &recordingMinter{}
		h := New(Options{Getenv: getenv, Minter: m})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := h.Invoke(ctx, json.RawMessage(event)); err != nil {
			t.Fatalf("Invoke error %v", err)
		}
		if m.last.Policy == "" {
			return
		}
		p, err := policy.Parse(m.last.Policy)
		if err != nil {
			t.Fatalf("minted policy does not parse: %v", err)
		}
		base := "qcs::cos:" + scope.Region + ":uid/" + strings.TrimPrefix(scope.Bucket[strings.LastIndex(scope.Bucket, "-"):], "-") + ":" + scope.Bucket + "/"
		for _, st := range p.Statement {
			for _, a := range st.Action {
				if !slices.Contains(scope.Actions, a) {
					t.Fatalf("action %s outside scope actions %v", a, scope.Actions)
				}
			}
			for _, r := range st.Resource {
				path, ok := strings.CutPrefix(r, base)
				if !ok {
					t.Fatalf("resource %q outside bucket %s", r, scope.Bucket)
				}
				inside := path == "*" && slices.Contains(scope.Prefixes, policy.WholeBucket)
				if strings.HasSuffix(path, "/*") {
					inside = inside || policy.PrefixAllowed(scope.Prefixes, strings.TrimSuffix(path, "*"))
				} else if path != "*" {
					inside = policy.KeyAllowed(scope.Prefixes, scope.Keys, path)
				}
				if !inside {
					t.Fatalf("resource %q outside scope %v %v", r, scope.Prefixes, scope.Keys)
				}
			}
		}
		// Probe uploads against the scope's conditions on a resource the policy does grant.
		res := p.Statement[0].Resource[0]
		probe := strings.ReplaceAll(res, "*", "probe.bin")
		sc := scope.Conditions
		for _, action := range []string{"name/cos:PutObject", "name/cos:PostObject"} {
			ctx := policy.RequestContext{"cos:content-length": "1", "cos:content-type": "application/x-fuzz-unlisted", "qcs:ip": ip}
			if sc.MaxContentLength > 0 {
				big := policy.RequestContext{"cos:content-length": strconv.FormatInt(sc.MaxContentLength+1, 10), "cos:content-type": "image/png", "qcs:ip": ip}
				if len(sc.ContentTypes) > 0 {
					big["cos:content-type"] = strings.ReplaceAll(sc.ContentTypes[0], "*", "x")
				}
				if policy.AllowsRequest(p, action, probe, big) {
					t.Fatalf("%s of %d bytes allowed above the scope's %d", action, sc.MaxContentLength+1, sc.MaxContentLength)
				}
			}
			if len(sc.ContentTypes) > 0 && policy.AllowsRequest(p, action, probe, ctx) {
				t.Fatalf("%s of an unlisted content type allowed under %v", action, sc.ContentTypes)
			}
			if sc.BindSourceIP {
				other := policy.RequestContext{"cos:content-length": "1", "qcs:ip": "192.0.2.254"}
				if len(sc.ContentTypes) > 0 {
					other["cos:content-type"] = strings.ReplaceAll(sc.ContentTypes[0], "*", "x")
				}
				if ip != "192.0.2.254" && policy.AllowsRequest(p, action, probe, other) {
					t.Fatalf("%s from another IP allowed under bindSourceIp (caller %q)", action, ip)
				}
			}
		}
	})
}
