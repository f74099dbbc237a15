package issuer

import (
	"context"
	"testing"
)

// BenchmarkIssue measures one GetFederationToken against the emulator over a
// kept-alive connection: the issuer's own cost (client, signing, parsing)
// plus the emulator's.
func BenchmarkIssue(b *testing.B) {
	emu := startEmu(b)
	ep, err := ParseEndpoint(emu.URL())
	if err != nil {
		b.Fatalf("ParseEndpoint: %v", err)
	}
	iss := New(Options{})
	r := federation(ep)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Issue(context.Background(), r); err != nil {
			b.Fatalf("Issue: %v", err)
		}
	}
	// Reported, not asserted: on a loaded machine an attempt can time out and reconnect. Reuse itself is
	// asserted by TestIssueReusesConnection.
	b.ReportMetric(float64(emu.Connections()), "conns")
}
