package handler

import (
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

func TestCredCacheLifetimeRules(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	req := issuer.Request{Mode: issuer.ModeGetFederationToken, Credentials: issuer.Credentials{SecretID: "AKIDa", SecretKey: "k"}, Policy: `{"p":1}`, DurationSeconds: 1800}
	res := issuer.Result{TmpSecretID: "AKIDtmp", ExpiredTime: now.Unix() + 1800}
	c := newCredCache()
	c.put(req, "alice", res, now)

	tests := []struct {
		name         string
		at           time.Duration // after minting
		minRemaining time.Duration
		req          func(issuer.Request) issuer.Request
		sub          string // the verified caller; alice asked first
		hit          bool
	}{
		{"same request at once", 0, 300 * time.Second, nil, "alice", true},
		{"another user", 0, 0, nil, "bob", false},
		{"nobody named", 0, 0, nil, "", false},
		{"other secret key, same SecretID", 0, 0, func(r issuer.Request) issuer.Request { r.Credentials.SecretKey = "rotated"; return r }, "alice", true},
		{"other session name", 0, 0, func(r issuer.Request) issuer.Request { r.RoleSessionName = "x"; return r }, "alice", true},
		{"other policy", 0, 0, func(r issuer.Request) issuer.Request { r.Policy = `{"p":2}`; return r }, "alice", false},
		{"other duration", 0, 0, func(r issuer.Request) issuer.Request { r.DurationSeconds = 900; return r }, "alice", false},
		{"other identity", 0, 0, func(r issuer.Request) issuer.Request { r.Credentials.SecretID = "AKIDb"; return r }, "alice", false},
		{"other role", 0, 0, func(r issuer.Request) issuer.Request { r.RoleARN = "qcs::cam::uin/1:roleName/x"; return r }, "alice", false},
		{"other tags", 0, 0, func(r issuer.Request) issuer.Request { r.Tags = map[string]string{"sub": "x"}; return r }, "alice", false},
		{"enough left", 1000 * time.Second, 300 * time.Second, nil, "alice", true},             // 800 s left ≥ 600 s (a third)
		{"under a third left", 1250 * time.Second, 300 * time.Second, nil, "alice", false},     // 550 s left < 600 s
		{"under the minimum left", 1000 * time.Second, 900 * time.Second, nil, "alice", false}, // 800 s < 900 s
		{"expired", 2000 * time.Second, 0, nil, "alice", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			if tc.req != nil {
				r = tc.req(r)
			}
			got, ok := c.get(r, tc.sub, now.Add(tc.at), tc.minRemaining)
			if ok != tc.hit || (ok && got != res) {
				t.Errorf("get = %+v, %v; want hit %v", got, ok, tc.hit)
			}
		})
	}
}

func TestCredCacheDropsExpiredAndBoundsSize(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newCredCache()
	for i := 0; i < maxCacheEntries+10; i++ {
		r := issuer.Request{Policy: string(rune('a' + i%26)), DurationSeconds: i}
		c.put(r, "", issuer.Result{ExpiredTime: now.Unix() + 60}, now)
	}
	if n := len(c.entries); n > maxCacheEntries {
		t.Errorf("entries = %d; want at most %d", n, maxCacheEntries)
	}
	c.put(issuer.Request{Policy: "late"}, "", issuer.Result{ExpiredTime: now.Unix() + 3600}, now.Add(2*time.Minute))
	if n := len(c.entries); n != 1 {
		t.Errorf("entries after the others expired = %d; want 1", n)
	}
}
