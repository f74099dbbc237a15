package handler

import (
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// TestResolveSendsTheLoadedPolicyForTheWholeGrant: a request that narrows nothing is sent the policy its scope's
// whole grant built when the configuration loaded, and it is the policy a fresh build of the grant gives; a request
// that narrows, or a scope that binds the caller's IP, gets a policy of its own.
func TestResolveSendsTheLoadedPolicyForTheWholeGrant(t *testing.T) {
	env := map[string]string{
		"STS_BUCKET": "examplebucket-1250000000", "STS_ALLOW_PREFIXES": "uploads/,exports/report.csv",
		"STS_SCOPES": `{
		 "avatar": {"bucket": "avatars-1250000000", "prefixes": ["avatars/"], "actions": ["upload"],
		            "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"], "bindSourceIp": true}},
		 "typed": {"bucket": "assets-1250000000", "region": "ap-shanghai", "prefixes": ["public/", "shared/"],
		           "actions": ["upload", "download"], "conditions": {"contentTypes": ["text/csv"]}}}`,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	fresh := func(t *testing.T, r *resolved) string {
		t.Helper()
		_, text, err := policy.BuildJSON(r.Grant)
		if err != nil {
			t.Fatalf("BuildJSON(%+v): %v", r.Grant, err)
		}
		return text
	}
	http, direct := caller{ip: "203.0.113.7"}, caller{direct: true}
	for _, name := range []string{"default", "typed", "avatar"} {
		scope := cfg.Scopes[name]
		loaded, _, ok := cfg.Unnarrowed(scope)
		if !ok {
			t.Fatalf("scope %q has no policy from the load", name)
		}
		for _, who := range []caller{http, direct} {
			r, err := resolve(cfg, scope, params{}, who)
			if err != nil {
				t.Fatalf("%s: resolve: %v", name, err)
			}
			if want := fresh(t, r); r.PolicyJSON != want {
				t.Errorf("%s, %+v: sent %s; the grant builds %s", name, who, r.PolicyJSON, want)
			}
			shared := &r.Policy.Statement[0] == &loaded.Statement[0]
			// The avatar scope binds an HTTP caller's IP: that policy is the request's own.
			if wantShared := name != "avatar" || who.direct; shared != wantShared {
				t.Errorf("%s, %+v: the loaded policy was used: %v; want %v", name, who, shared, wantShared)
			}
		}
		narrowed := params{HasDuration: true, DurationSeconds: 900}
		if name != "avatar" {
			narrowed = params{HasActions: true, Actions: []string{"download"}}
		}
		r, err := resolve(cfg, scope, narrowed, http)
		if err != nil {
			t.Fatalf("%s narrowed: resolve: %v", name, err)
		}
		if want := fresh(t, r); r.PolicyJSON != want {
			t.Errorf("%s narrowed: sent %s; the grant builds %s", name, r.PolicyJSON, want)
		}
	}
}
