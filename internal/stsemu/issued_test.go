package stsemu

import (
	"net/url"
	"testing"
	"time"
)

// TestIssuedSurvivesReset checks the issued-credentials record: every success
// is in it with its policy, Reset clears Calls but not it, failures and role
// keys are never in it, and LookupIssued finds each by its tmpSecretId.
func TestIssuedSurvivesReset(t *testing.T) {
	s := newTestServer(t)
	if got := s.Issued(); len(got) != 0 {
		t.Fatalf("a new emulator has issued %d credentials; want none", len(got))
	}
	roleID, _, _ := s.NewRoleKeys(time.Hour)

	fed, _ := serve(t, s, newReq("GetFederationToken", federationBody(t)))
	s.Reset()
	role, _ := serve(t, s, newReq("AssumeRole", assumeBody(t)))
	refused, _ := serve(t, s, newReq("GetFederationToken", jsonBody(t, map[string]any{"Name": "cossts"}))) // no Policy
	s.Inject(Fault{EmptyCredentials: true, Times: 1})
	empty, _ := serve(t, s, newReq("GetFederationToken", federationBody(t)))
	s.Reset()
	for name, a := range map[string]answer{"GetFederationToken": fed, "AssumeRole": role} {
		if a.errorCode() != "" || a.Response.Credentials == nil {
			t.Fatalf("%s answered %s; want credentials", name, a.errorCode())
		}
	}
	if refused.errorCode() == "" || empty.errorCode() != "" {
		t.Fatalf("the refused and empty calls answered %q, %q; want an error and an empty success", refused.errorCode(), empty.errorCode())
	}
	if n := len(s.Calls()); n != 0 {
		t.Fatalf("Calls after Reset = %d; want 0", n)
	}

	got := s.Issued()
	if len(got) != 2 {
		t.Fatalf("Issued() = %d credentials; want 2 (the two successes, in order), whatever Reset did", len(got))
	}
	policy, _ := url.QueryUnescape(goodPolicy())
	want := []IssuedCredential{
		{Credentials: *fed.Response.Credentials, Action: "GetFederationToken", RequestID: fed.Response.RequestId,
			SecretID: testID, Policy: policy, ExpiredTime: fed.Response.ExpiredTime},
		{Credentials: *role.Response.Credentials, Action: "AssumeRole", RequestID: role.Response.RequestId,
			SecretID: testID, Policy: policy, ExpiredTime: role.Response.ExpiredTime},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Issued()[%d] = %+v; want %+v", i, got[i], want[i])
		}
		found, ok := s.LookupIssued(want[i].TmpSecretId)
		if !ok || found != want[i] {
			t.Errorf("LookupIssued(%s) = %+v, %v; want %+v", want[i].TmpSecretId, found, ok, want[i])
		}
	}
	if _, ok := s.LookupIssued(roleID); ok {
		t.Errorf("LookupIssued finds the role key %s; want only what STS answered with", roleID)
	}
	if _, ok := s.LookupIssued(""); ok {
		t.Errorf("LookupIssued finds the empty id")
	}

	// The record is a copy: changing it changes nothing inside.
	got[0].TmpSecretKey = "changed"
	if s.Issued()[0].TmpSecretKey == "changed" {
		t.Errorf("Issued() returned the emulator's own slice")
	}
}
