package stsemu

import (
	"testing"
	"time"
)

func TestRoleKeys(t *testing.T) {
	tests := []struct {
		name   string
		action string
		token  func(real string) string
		after  time.Duration // how far the clock moves before the call
		want   string
	}{
		{"AssumeRole with token", "AssumeRole", func(tok string) string { return tok }, 0, ""},
		{"AssumeRole without token", "AssumeRole", func(string) string { return "" }, 0, "AuthFailure.TokenFailure"},
		{"AssumeRole with another token", "AssumeRole", func(tok string) string { return tok + "x" }, 0, "AuthFailure.TokenFailure"},
		{"AssumeRole after expiry", "AssumeRole", func(tok string) string { return tok }, 2 * time.Hour, "AuthFailure.TokenFailure"},
		{"GetFederationToken refuses temporary keys", "GetFederationToken", func(tok string) string { return tok }, 0, "FailedOperation.TempKeyNotAllowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			s := New(Options{AppID: testAppID, Now: func() time.Time { return now }})
			id, key, token := s.NewRoleKeys(time.Hour)
			if id == "" || key == "" || token == "" || id[:4] != "AKID" {
				t.Fatalf("NewRoleKeys = %q, %q, %q; want an AKID… triple", id, key, token)
			}
			now = now.Add(tc.after)
			body := assumeBody(t)
			if tc.action == "GetFederationToken" {
				body = federationBody(t)
			}
			r := newReq(tc.action, body)
			r.id, r.key, r.token, r.ts = id, key, tc.token(token), now.Unix()
			a, _ := serve(t, s, r)
			if got := a.errorCode(); got != tc.want {
				t.Fatalf("Code = %q; want %q", got, tc.want)
			}
			if c := s.Calls()[0]; (c.Token != "") != (tc.token(token) != "") {
				t.Errorf("Call.Token present = %v; want %v", c.Token != "", tc.token(token) != "")
			}
		})
	}
}

func TestIssuedKeysWorkAsTemporaryKeys(t *testing.T) {
	s := newTestServer(t)
	a, _ := serve(t, s, newReq("AssumeRole", assumeBody(t)))
	c := a.Response.Credentials
	if c == nil {
		t.Fatalf("first AssumeRole failed: %s", a.errorCode())
	}
	r := newReq("AssumeRole", assumeBody(t))
	r.id, r.key, r.token = c.TmpSecretId, c.TmpSecretKey, c.Token
	if a2, _ := serve(t, s, r); a2.errorCode() != "" {
		t.Fatalf("AssumeRole with issued keys: Code = %q; want success", a2.errorCode())
	}
	if a2, _ := serve(t, s, newReq("AssumeRole", assumeBody(t))); a2.Response.Credentials.TmpSecretId == c.TmpSecretId {
		t.Errorf("two calls issued the same TmpSecretId %s; want fresh keys each time", c.TmpSecretId)
	}
}
