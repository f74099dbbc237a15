package stsemu

import (
	"net/url"
	"testing"
	"time"
)

func TestIssuedKey(t *testing.T) {
	s := newTestServer(t)
	a, _ := serve(t, s, newReq("GetFederationToken", federationBody(t)))
	c := a.Response.Credentials
	if c == nil {
		t.Fatalf("no credentials issued: %+v", a.Response.Error)
	}
	got, ok := s.IssuedKey(c.TmpSecretId)
	if !ok {
		t.Fatalf("IssuedKey(%s) not found", c.TmpSecretId)
	}
	wantPolicy, _ := url.QueryUnescape(goodPolicy())
	if got.SecretKey != c.TmpSecretKey || got.Token != c.Token || got.Policy != wantPolicy {
		t.Errorf("IssuedKey = key %t, token %t, policy %q; want the issued key, token and the decoded policy %q",
			got.SecretKey == c.TmpSecretKey, got.Token == c.Token, got.Policy, wantPolicy)
	}
	if want := time.Unix(a.Response.ExpiredTime, 0); !got.Expires.Equal(want) {
		t.Errorf("Expires = %v; want %v", got.Expires, want)
	}

	s.Reset()
	if _, ok := s.IssuedKey(c.TmpSecretId); !ok {
		t.Errorf("IssuedKey after Reset: not found; issued keys outlive Reset")
	}
	if _, ok := s.IssuedKey(testID); ok {
		t.Errorf("IssuedKey(permanent id) found; only temporary keys are issued")
	}
	id, _, _ := s.NewRoleKeys(time.Hour)
	if k, ok := s.IssuedKey(id); !ok || k.Policy != "" {
		t.Errorf("IssuedKey(role key) = %+v, %t; want found with no policy", k, ok)
	}
}
