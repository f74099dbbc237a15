package e2e_test

import (
	"testing"
)

// BenchmarkInvoke measures one minting invocation end to end, as SCF makes
// it to a warm instance: net/rpc to the real binary, the handler, a signed
// GetFederationToken to the emulator over a kept-alive connection, and the
// reply. Allocations are counted in the benchmark process only, which plays
// SCF and hosts the emulator; the function's own are not in them.
func BenchmarkInvoke(b *testing.B) {
	benchInvoke(b, urlEvent("POST", `{"prefixes":["uploads/alice/"],"actions":["upload"]}`, nil), 200, true)
}

// BenchmarkInvokeBadRequest measures an invocation refused before STS (400):
// the floor under every reply, and what a flood of bad requests costs.
func BenchmarkInvokeBadRequest(b *testing.B) {
	benchInvoke(b, urlEvent("POST", `{"prefixes":["../etc/"]}`, nil), 400, false)
}

func benchInvoke(b *testing.B, event []byte, status int, mints bool) {
	h := newHarness(b, nil)
	want := replyWant{status: status, format: "cam", requestID: "bench"}
	if status != 200 {
		want.code = "InvalidParameter"
	}
	// One checked invocation first: a benchmark of a broken path measures nothing.
	reply, _, err := h.send(event, "bench", defaultDeadline, nil)
	if err != nil {
		b.Fatalf("%v", err)
	}
	if _, err := wellFormed(reply.Payload, want); err != nil {
		b.Fatalf("reply: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := h.send(event, "bench", defaultDeadline, nil); err != nil {
			b.Fatalf("%v", err)
		}
	}
	b.StopTimer()
	if n := len(h.emu.Calls()); mints && n < b.N || !mints && n != 0 {
		b.Errorf("STS got %d calls in %d invocations; want one each when minting, else none", n, b.N)
	}
}
