package e2e_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// spec6Policy is docs/contract.md §6, the policy sent to STS.
func spec6Policy(e specEnv) []specCase {
	return []specCase{
		{
			name:  "§6 version 2.0, lowercase names, no principal, allow only",
			env:   scopesEnv,
			event: postBody(`{"scope":"avatar"}`), status: 200, calls: 1,
			// The avatar scope's limits leave the upload preset with PutObject alone (README, "Limits and upload paths").
			grant: grantIs("avatars-1250000000", "ap-shanghai", []string{"avatars/"}, nil, []string{"name/cos:PutObject"}),
			check: func(t *testing.T, r *specReply) {
				raw := r.call.Policy
				var v map[string]any
				if err := json.Unmarshal([]byte(raw), &v); err != nil {
					t.Fatalf("policy %q: %v", raw, err)
				}
				if v["version"] != "2.0" {
					t.Errorf("version = %v; want 2.0", v["version"])
				}
				if up := upperNames(v); len(up) != 0 {
					t.Errorf("member names with upper case: %q", up)
				}
				if strings.Contains(strings.ToLower(raw), "principal") {
					t.Errorf("policy has a principal: %s", raw)
				}
				for _, s := range r.sentPolicy(t).Statement {
					if s.Effect != "allow" {
						t.Errorf("effect = %q; want allow", s.Effect)
					}
				}
			},
		},
		{
			name:  "§6 the Policy parameter is url.QueryEscape of the JSON",
			event: postBody(`{"keys":["uploads/照片 1+2&x=y.jpg"]}`), status: 200, calls: 1,
			check: callIs(func(c stsemu.Call) error { return wantStr("RawPolicy", c.RawPolicy, url.QueryEscape(c.Policy)) }),
		},
		{
			name:  "§6 deterministic: the same request sends the same policy text",
			event: postBody(`{"prefixes":["uploads/b/","uploads/a/"],"keys":["uploads/k.txt"],"actions":["download","upload"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				_, calls := r.again(t)
				if len(calls) != 1 || calls[0].Policy != r.call.Policy {
					t.Errorf("second policy differs:\n%s\n%s", r.call.Policy, policyOfCalls(calls))
				}
			},
		},
		{
			name:  "§6 a folder prefix p/ is qcs::cos:<region>:uid/<appid>:<bucket>/p/*, a key k is …/<bucket>/k",
			event: postBody(`{"prefixes":["uploads/p/"],"keys":["uploads/k.txt"],"actions":["GetObject"]}`), status: 200, calls: 1,
			check: func(t *testing.T, r *specReply) {
				want := []string{
					"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/p/*",
					"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/k.txt",
				}
				p := r.sentPolicy(t)
				if got := p.resources(); !sameSet(got, want) {
					t.Errorf("resources = %q; want %q", got, want)
				}
				if got := p.actions(); !slices.Equal(slices.Compact(got), []string{"name/cos:GetObject"}) {
					t.Errorf("actions = %q; want exactly name/cos:GetObject", got)
				}
			},
		},
		{
			name:  "§6 the APPID is the bucket name's suffix after its last -",
			env:   map[string]string{"STS_BUCKET": "my-photo-bucket-1250000000"},
			event: postBody(`{}`), status: 200, calls: 1,
			grant: grantIs("my-photo-bucket-1250000000", region, []string{"uploads/"}, nil, allDefault),
		},
	}
}
