package stsemu

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestTC3WorkedExample checks the signing against the worked example of
// Tencent Cloud's "签名方法 v3" document (CVM DescribeInstances, 2019-02-25).
// The document masks its SecretKey as 32 asterisks, and the published
// signature is computed with exactly that string.
func TestTC3WorkedExample(t *testing.T) {
	in := tc3Input{
		SecretKey: "********************************",
		Service:   "cvm",
		Timestamp: 1551113065,
		Method:    "POST",
		Headers: map[string]string{
			"content-type": "application/json; charset=utf-8",
			"host":         "cvm.tencentcloudapi.com",
			"x-tc-action":  "DescribeInstances",
		},
		Signed:  []string{"content-type", "host", "x-tc-action"},
		Payload: []byte(`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`),
	}
	wantCanonical := "POST\n/\n\n" +
		"content-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\n" +
		"content-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
	if got := canonicalRequest(in); got != wantCanonical {
		t.Errorf("canonicalRequest = %q; want %q", got, wantCanonical)
	}
	sum := sha256.Sum256([]byte(canonicalRequest(in)))
	if got, want := hex.EncodeToString(sum[:]), "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"; got != want {
		t.Errorf("hashed canonical request = %s; want %s", got, want)
	}
	wantSTS := "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
	if got := stringToSign(in); got != wantSTS {
		t.Errorf("stringToSign = %q; want %q", got, wantSTS)
	}
	if got, want := tc3Signature(in), "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"; got != want {
		t.Errorf("tc3Signature = %s; want %s", got, want)
	}
}

func TestTC3SignatureChangesWithEveryInput(t *testing.T) {
	base := tc3Input{
		SecretKey: "k", Service: "sts", Timestamp: 1700000000, Method: "POST",
		Headers: map[string]string{"content-type": "application/json", "host": "127.0.0.1:1"},
		Signed:  []string{"content-type", "host"}, Payload: []byte(`{}`),
	}
	ref := tc3Signature(base)
	tests := []struct {
		name   string
		mutate func(*tc3Input)
	}{
		{"secret key", func(in *tc3Input) { in.SecretKey = "K" }},
		{"service", func(in *tc3Input) { in.Service = "cvm" }},
		{"timestamp", func(in *tc3Input) { in.Timestamp++ }},
		{"method", func(in *tc3Input) { in.Method = "GET" }},
		{"host", func(in *tc3Input) {
			in.Headers = map[string]string{"content-type": "application/json", "host": "127.0.0.1:2"}
		}},
		{"payload", func(in *tc3Input) { in.Payload = []byte(`{ }`) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.mutate(&in)
			if got := tc3Signature(in); got == ref {
				t.Errorf("signature unchanged after changing %s: got %s; want a different one", tc.name, got)
			}
		})
	}
}

func TestTC3DateIsUTC(t *testing.T) {
	// The scope date is the UTC day of the timestamp, whatever the zone of
	// the client: the day boundary is 1551139200 (2019-02-26T00:00:00Z).
	tests := []struct {
		ts   int64
		want string
	}{
		{1551113065, "2019-02-25"},
		{1551112200 + 9*3600, "2019-02-26"},
		{1551139199, "2019-02-25"},
		{1551139200, "2019-02-26"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc3Date(tc.ts); got != tc.want {
				t.Errorf("tc3Date(%d) = %s; want %s", tc.ts, got, tc.want)
			}
		})
	}
}
