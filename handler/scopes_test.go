package handler_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

const scopesJSON = `{
 "avatar": {"bucket": "avatars-1250000000", "region": "ap-guangzhou", "prefixes": ["avatars/"], "actions": ["upload"],
            "durationSeconds": 900, "maxDurationSeconds": 1800,
            "conditions": {"maxContentLength": 5242880, "contentTypes": ["image/*"], "bindSourceIp": true}},
 "assets": {"bucket": "assets-1250000000", "region": "ap-shanghai", "prefixes": ["public/"], "actions": ["download"]},
 "export": {"bucket": "exports-1250000000", "keys": ["exports/latest.csv"], "actions": ["GetObject"],
            "durationSeconds": 600, "maxDurationSeconds": 600}
}`

const (
	avatarRes = "qcs::cos:ap-guangzhou:uid/1250000000:avatars-1250000000/"
	assetsRes = "qcs::cos:ap-shanghai:uid/1250000000:assets-1250000000/"
	exportRes = "qcs::cos:ap-guangzhou:uid/1250000000:exports-1250000000/"
)

// upload is the request context of a PutObject the app would make with the credentials.
func upload(size, contentType, ip string) policy.RequestContext {
	return policy.RequestContext{"cos:content-length": size, "cos:content-type": contentType, "qcs:ip": ip}
}

func TestScopeSelection(t *testing.T) {
	r := newRig(t, "STS_SCOPES", scopesJSON)

	// avatar over a Function URL: bound to x-scf-remote-addr, 5 MiB images only.
	hr := r.http(funcURL("POST", "", `{"scope":"avatar","prefixes":["avatars/alice/"]}`))
	if hr.StatusCode != 200 {
		t.Fatalf("avatar = %d %s", hr.StatusCode, hr.Body)
	}
	p := r.lastPolicy()
	put := "name/cos:PutObject"
	checks := []struct {
		what     string
		action   string
		resource string
		ctx      policy.RequestContext
		want     bool
	}{
		{"5 MiB png from the caller", put, avatarRes + "avatars/alice/x.png", upload("5242880", "image/png", "203.0.113.7"), true},
		{"6 MiB png", put, avatarRes + "avatars/alice/x.png", upload("6291456", "image/png", "203.0.113.7"), false},
		{"text file", put, avatarRes + "avatars/alice/x.txt", upload("100", "text/plain", "203.0.113.7"), false},
		{"sibling folder", put, avatarRes + "avatars/bob/x.png", upload("100", "image/png", "203.0.113.7"), false},
		{"other bucket", put, assetsRes + "avatars/alice/x.png", upload("100", "image/png", "203.0.113.7"), false},
		{"download", "name/cos:GetObject", avatarRes + "avatars/alice/x.png", upload("0", "image/png", "203.0.113.7"), false},
		{"other IP", put, avatarRes + "avatars/alice/x.png", upload("100", "image/png", "198.51.100.1"), false},
	}
	for _, c := range checks {
		if got := policy.AllowsRequest(p, c.action, c.resource, c.ctx); got != c.want {
			t.Errorf("%s: allowed = %v; want %v", c.what, got, c.want)
		}
	}
	if d := r.emu.Calls()[0].DurationSeconds; d != 900 {
		t.Errorf("avatar duration = %d; want the scope's 900", d)
	}

	// avatar over API Gateway: bound to requestContext.sourceIp, not to a header.
	r.http(apigw("GET", `{"scope":"avatar"}`, ""))
	p = r.lastPolicy()
	if !policy.AllowsRequest(p, put, avatarRes+"avatars/x.png", upload("1", "image/png", "10.0.2.14")) ||
		policy.AllowsRequest(p, put, avatarRes+"avatars/x.png", upload("1", "image/png", "203.0.113.7")) {
		t.Error("API Gateway grant is not bound to requestContext.sourceIp")
	}

	// assets: another bucket in another region, download only.
	if hr := r.http(apigw("GET", `{"scope":"assets"}`, "")); hr.StatusCode != 200 || !strings.Contains(hr.Body, `"region":"ap-shanghai"`) {
		t.Fatalf("assets = %d %s", hr.StatusCode, hr.Body)
	}
	p = r.lastPolicy()
	if !policy.Allows(p, "name/cos:GetObject", assetsRes+"public/logo.png") || policy.Allows(p, put, assetsRes+"public/logo.png") {
		t.Error("assets policy is not download-only on public/")
	}

	// export: one key for ten minutes.
	r.http(`{"httpMethod":"GET","queryString":{"scope":"export"}}`)
	p = r.lastPolicy()
	if !policy.Allows(p, "name/cos:GetObject", exportRes+"exports/latest.csv") || policy.Allows(p, "name/cos:GetObject", exportRes+"exports/other.csv") {
		t.Error("export policy does not grant exactly its key")
	}
	if d := r.emu.Calls()[len(r.emu.Calls())-1].DurationSeconds; d != 600 {
		t.Errorf("export duration = %d; want 600", d)
	}
}

func TestScopeTighteningAndRefusals(t *testing.T) {
	tests := []struct {
		name   string
		event  string
		status int
		msg    string
	}{
		{"lower size", funcURL("POST", "", `{"scope":"avatar","maxContentLength":1048576}`), 200, ""},
		{"fewer types", funcURL("POST", "", `{"scope":"avatar","contentTypes":["image/png"]}`), 200, ""},
		{"higher size", funcURL("POST", "", `{"scope":"avatar","maxContentLength":6000000}`), 403, "a request may only lower it"},
		{"other type", funcURL("POST", "", `{"scope":"avatar","contentTypes":["video/mp4"]}`), 403, `"video/mp4" is not allowed`},
		{"bad type", funcURL("POST", "", `{"scope":"avatar","contentTypes":["png"]}`), 400, "contentTypes"},
		{"zero size", funcURL("POST", "", `{"scope":"avatar","maxContentLength":0}`), 400, "maxContentLength"},
		{"download from upload scope", funcURL("POST", "", `{"scope":"avatar","actions":["download"]}`), 403, "name/cos:GetObject"},
		{"longer than scope max", funcURL("POST", "", `{"scope":"export","durationSeconds":601}`), 403, "maximum of 600"},
		{"other key", funcURL("POST", "", `{"scope":"export","keys":["exports/secret.csv"]}`), 403, "outside scope"},
		{"unknown scope", funcURL("POST", "", `{"scope":"admin"}`), 400, `unknown scope "admin"`},
		{"no default without env", funcURL("POST", "", `{}`), 400, `unknown scope "default"`},
		{"no IP to bind", `{"httpMethod":"GET","queryString":{"scope":"avatar"}}`, 403, "binds credentials to the caller's IP"},
		{"a range is not an IP", `{"httpMethod":"GET","headers":{"x-scf-remote-addr":"0.0.0.0/0"},"queryString":{"scope":"avatar"}}`, 403, "binds credentials to the caller's IP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "STS_SCOPES", scopesJSON, "STS_BUCKET", "", "STS_ALLOW_PREFIXES", "")
			hr := r.http(tc.event)
			msg, _ := hr.json(t)["message"].(string)
			if hr.StatusCode != tc.status || !strings.Contains(msg, tc.msg) {
				t.Fatalf("reply %d %s; want %d containing %q", hr.StatusCode, hr.Body, tc.status, tc.msg)
			}
			if tc.status != 200 {
				if len(r.emu.Calls()) != 0 {
					t.Error("STS was called for a refused request")
				}
				return
			}
			p := r.lastPolicy()
			if strings.Contains(tc.name, "size") && policy.AllowsRequest(p, "name/cos:PutObject", avatarRes+"avatars/a.png", upload("2000000", "image/png", "203.0.113.7")) {
				t.Error("a 2 MB upload is allowed after tightening to 1 MiB")
			}
			if strings.Contains(tc.name, "types") && policy.AllowsRequest(p, "name/cos:PutObject", avatarRes+"avatars/a.jpg", upload("10", "image/jpeg", "203.0.113.7")) {
				t.Error("image/jpeg is allowed after tightening to image/png")
			}
		})
	}
}

func TestDryRunExplains(t *testing.T) {
	r := newRig(t, "STS_SCOPES", scopesJSON)
	var direct struct {
		Data struct {
			DryRun     bool            `json:"dryRun"`
			Scope      string          `json:"scope"`
			Policy     json.RawMessage `json:"policy"`
			Resources  []string        `json:"resources"`
			Conditions []string        `json:"conditions"`
			Warnings   []string        `json:"warnings"`
			Notes      []string        `json:"notes"`
		} `json:"data"`
	}
	out := r.invoke(`{"scope":"avatar","dryRun":true}`, 5e9)
	if err := json.Unmarshal(out, &direct); err != nil {
		t.Fatal(err)
	}
	d := direct.Data
	if !d.DryRun || d.Scope != "avatar" || len(d.Resources) == 0 || !strings.HasPrefix(d.Resources[0], avatarRes+"avatars/") {
		t.Errorf("dry run = %s", out)
	}
	if len(d.Conditions) < 2 || !strings.Contains(strings.Join(d.Conditions, " "), "5242880") {
		t.Errorf("conditions = %q; want the size and type conditions explained", d.Conditions)
	}
	if !strings.Contains(strings.Join(d.Notes, " "), "direct invocation has no caller IP") {
		t.Errorf("notes = %q; want the missing IP binding explained", d.Notes)
	}
	if strings.Contains(string(d.Policy), "qcs:ip") {
		t.Error("a direct invocation's policy carries an IP condition")
	}
	if len(r.emu.Calls()) != 0 {
		t.Error("dry run called STS")
	}

	r.set("STS_ALLOW_PREFIXES", "*")
	hr := r.http(apigw("GET", `{"dryRun":"true"}`, ""))
	if !strings.Contains(hr.Body, `"warnings":[`) || !strings.Contains(strings.ToLower(hr.Body), "whole bucket") {
		t.Errorf("whole-bucket dry run = %s; want a warning", hr.Body)
	}
}
