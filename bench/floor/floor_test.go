package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// TestTC3WorkedExample signs the worked example of Tencent Cloud's "签名方法 v3" document (CVM DescribeInstances,
// 2019-02-25), whose SecretKey is printed as 32 asterisks and whose signature is computed with exactly that string.
func TestTC3WorkedExample(t *testing.T) {
	r := tc3{
		SecretID:  "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
		SecretKey: "********************************",
		Service:   "cvm",
		Host:      "cvm.tencentcloudapi.com",
		Action:    "DescribeInstances",
		Timestamp: 1551113065,
		Body:      []byte(`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`),
	}
	checks := []struct{ name, got, want string }{
		{"canonical request", r.canonicalRequest(), "POST\n/\n\n" +
			"content-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\n" +
			"content-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"},
		{"string to sign", r.stringToSign(), "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" +
			"7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"},
		{"signature", r.signature(), "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"},
		{"authorization", r.authorization(), "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, " +
			"SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q; want %q", c.name, c.got, c.want)
		}
	}
}

func startEmu(t *testing.T) *stsemu.Server {
	t.Helper()
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{"AKIDFLOOR": "floor-secret"}})
	if err := emu.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	return emu
}

// TestMintAgainstEmulator mints twice from the STS emulator, which checks the signature, the policy and every
// parameter as STS does: the floor makes a real call, over one connection, and returns what STS issued.
func TestMintAgainstEmulator(t *testing.T) {
	emu := startEmu(t)
	env := map[string]string{"STS_ENDPOINT": emu.URL(), "STS_SECRET_ID": "AKIDFLOOR", "STS_SECRET_KEY": "floor-secret", "FLOOR_DURATION_SECONDS": "900"}
	m, err := newMinter(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("newMinter: %v", err)
	}
	for i := range 2 {
		k, err := m.mint(context.Background())
		if err != nil {
			t.Fatalf("mint %d: %v", i, err)
		}
		issued, ok := emu.LookupIssued(k.TmpSecretID)
		if !ok || issued.TmpSecretKey != k.TmpSecretKey || issued.Token != k.SessionToken || issued.ExpiredTime != k.ExpiredTime {
			t.Errorf("mint %d returned %+v; want the credentials the emulator issued (%+v)", i, k, issued)
		}
	}
	calls := emu.Calls()
	if len(calls) != 2 {
		t.Fatalf("emulator got %d calls; want 2", len(calls))
	}
	if c := calls[0]; c.Action != "GetFederationToken" || c.Name != "cossts" || c.DurationSeconds != 900 || c.Policy != defaultPolicy {
		t.Errorf("call = %s Name %q DurationSeconds %d Policy %s; want GetFederationToken cossts 900 and the default policy",
			c.Action, c.Name, c.DurationSeconds, c.Policy)
	}
	if n := emu.Connections(); n != 1 {
		t.Errorf("connections = %d; want 1 (kept alive)", n)
	}
	// The reply is the JSON the handler returns.
	k, _ := m.mint(context.Background())
	b, _ := json.Marshal(k)
	for _, member := range []string{"tmpSecretId", "tmpSecretKey", "sessionToken", "expiredTime", "requestId"} {
		if !strings.Contains(string(b), `"`+member+`"`) {
			t.Errorf("reply %s has no %s", b, member)
		}
	}
}

func TestMintFailures(t *testing.T) {
	emu := startEmu(t)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"wrong key", map[string]string{"STS_SECRET_KEY": "not-the-key"}, "AuthFailure.SignatureFailure"},
		{"policy outside the account", map[string]string{"FLOOR_POLICY": strings.ReplaceAll(defaultPolicy, "1250000000", "1250000001")}, "InvalidParameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"STS_ENDPOINT": emu.URL(), "STS_SECRET_ID": "AKIDFLOOR", "STS_SECRET_KEY": "floor-secret"}
			for k, v := range tc.env {
				env[k] = v
			}
			m, err := newMinter(func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("newMinter: %v", err)
			}
			if _, err := m.mint(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("mint error = %v; want one naming %s", err, tc.want)
			}
		})
	}
}

func TestNewMinterRefuses(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no keys", map[string]string{}, "STS_SECRET_ID and STS_SECRET_KEY"},
		{"bad duration", map[string]string{"STS_SECRET_ID": "a", "STS_SECRET_KEY": "b", "FLOOR_DURATION_SECONDS": "soon"}, "FLOOR_DURATION_SECONDS"},
		{"bad endpoint", map[string]string{"STS_SECRET_ID": "a", "STS_SECRET_KEY": "b", "STS_ENDPOINT": "http://"}, "STS_ENDPOINT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newMinter(func(k string) string { return tc.env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newMinter error = %v; want one naming %s", err, tc.want)
			}
		})
	}
}
