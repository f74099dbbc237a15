package workload

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// BenchmarkHandler is the last goal row of bench/measure's table: the handler alone on the default request, STS faked in process
// (≤ 40 µs and ≤ 120 allocations). scripts/bench.sh runs it with the others through benchstat;
// `go test -run '^$' -bench Handler -cpuprofile cpu.out ./bench/workload` profiles it.
func BenchmarkHandler(b *testing.B) { Handler(b) }

// TestEventMintsThroughTheEmulator sends Event to the handler with the real issuer and the STS emulator: the
// request bench/measure times is a minting one, and CheckMinted and LooksMinted accept its reply.
func TestEventMintsThroughTheEmulator(t *testing.T) {
	emu := stsemu.New(stsemu.Options{Keys: map[string]string{SecretID: "workload-secret"}})
	if err := emu.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	defer emu.Close()
	env := Env(emu.URL(), "workload-secret")
	h := handler.New(handler.Options{Getenv: func(k string) string { return env[k] }, Minter: issuer.New(issuer.Options{})})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, Event())
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if err := CheckMinted(out); err != nil {
		t.Fatal(err)
	}
	if !LooksMinted(out) {
		t.Errorf("LooksMinted(%s) = false; want true", out)
	}
	calls := emu.Calls()
	if len(calls) != 1 || calls[0].Action != "GetFederationToken" || !strings.Contains(calls[0].Policy, "examplebucket-1250000000/uploads/*") {
		t.Errorf("emulator calls = %+v; want one GetFederationToken for uploads/", calls)
	}
}

// TestChecksRefuse: a refusal, a dry run and an integration response without keys are not minted replies.
func TestChecksRefuse(t *testing.T) {
	for _, payload := range []string{
		`{"statusCode":403,"body":"{\"code\":403,\"message\":\"no\"}"}`,
		`{"statusCode":200,"body":"{\"code\":0,\"data\":{\"dryRun\":true}}"}`,
		`{"statusCode":200,"body":"not json"}`,
		`[]`,
	} {
		if err := CheckMinted([]byte(payload)); err == nil {
			t.Errorf("CheckMinted(%s) = nil; want an error", payload)
		}
		if LooksMinted([]byte(payload)) {
			t.Errorf("LooksMinted(%s) = true; want false", payload)
		}
	}
}

// TestRigMintsAndLogs: the benchmark's warm handler mints once and logs one line per invocation, so its figures
// are those of the minting path, the log's redaction included.
func TestRigMintsAndLogs(t *testing.T) {
	r, cancel := newRig()
	defer cancel()
	if err := r.invoke(20); err != nil {
		t.Fatal(err)
	}
	if got := r.sts.calls.Load(); got != 20 {
		t.Errorf("STS calls = %d; want 20", got)
	}
}
