package e2e_test

import (
	"testing"
	"time"
)

// TestAssumeRoleWithRotatingRoleKeys runs the function as deployed with an
// execution role: no permanent keys, STS_ROLE_ARN set, and the role's
// temporary keys handed over with each invocation. SCF rotates them; a warm
// instance must use the new ones at once.
func TestAssumeRoleWithRotatingRoleKeys(t *testing.T) {
	h := newHarness(t, map[string]string{"STS_SECRET_ID": "", "STS_SECRET_KEY": "", "STS_ROLE_ARN": roleARN})
	event := []byte(`{"prefixes":["uploads/alice/"],"actions":["upload"]}`)

	for i, id := range []string{"e2e-role-1", "e2e-role-2"} {
		roleID, roleKey, roleToken := h.emu.NewRoleKeys(time.Hour)
		h.addSecret(roleKey)
		h.addSecret(roleToken)
		h.emu.Reset()
		reply := h.invoke(event, id, map[string]string{
			"TENCENTCLOUD_SECRETID":     roleID,
			"TENCENTCLOUD_SECRETKEY":    roleKey,
			"TENCENTCLOUD_SESSIONTOKEN": roleToken,
		})

		calls := h.emu.Calls()
		if len(calls) != 1 {
			t.Fatalf("invocation %d: STS got %d calls; want 1", i+1, len(calls))
		}
		p, err := wellFormed(reply.Payload, replyWant{direct: true})
		if err != nil {
			t.Fatalf("invocation %d: reply: %v", i+1, err)
		}
		c, err := matchIssued(p, calls)
		if err != nil {
			t.Errorf("invocation %d: %v", i+1, err)
		}
		if c.Action != "AssumeRole" || c.DurationSeconds != 1800 {
			t.Errorf("invocation %d: STS call = %s for %d s; want AssumeRole for 1800 s", i+1, c.Action, c.DurationSeconds)
		}
		if c.SecretID != roleID || c.Token != roleToken {
			t.Errorf("invocation %d: signed with %s (token matches: %v); want this invocation's role keys %s", i+1, c.SecretID, c.Token == roleToken, roleID)
		}
		if c.RoleArn != roleARN || c.RoleSessionName == "" {
			t.Errorf("invocation %d: RoleArn, RoleSessionName = %q, %q; want %q and a session name", i+1, c.RoleArn, c.RoleSessionName, roleARN)
		}
		if err := checkGrant(p.grant, c.Policy, grant{prefixes: []string{"uploads/alice/"}, actions: uploadActions}); err != nil {
			t.Errorf("invocation %d: %v", i+1, err)
		}
	}
}
