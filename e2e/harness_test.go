package e2e_test

import (
	"context"
	"crypto/rand"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// functionBinary returns the function under test, built once per go test run
// for every package that needs it (scfrpc.SharedBinary). Reading the sources
// to find it also tells go test's cache to drop a pass when they change.
func functionBinary(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := scfrpc.SharedBinary(ctx, "..")
	if err != nil {
		t.Fatalf("build the function: %v", err)
	}
	return bin
}

// Demo configuration, as cmd/local fills it in.
const (
	secretID = "AKIDE2ETESTKEY000000000000000000000"
	bucket   = "examplebucket-1250000000"
	region   = "ap-guangzhou"
	appID    = "1250000000"
	origin   = "https://app.example.com"
	roleARN  = "qcs::cam::uin/100000000001:roleName/cos-sts"
)

// harness is one warm function instance and the emulator it mints from. It
// remembers every secret it handed out and every reply it kept, and at
// cleanup audits them with everything the emulator issued (audit_test.go):
// no secret in the function's log, and no secret in a reply that was not the
// one issuing it.
type harness struct {
	t   testing.TB
	fn  *scfrpc.Function
	emu *stsemu.Server
	env map[string]string // the function's configuration

	mu      sync.Mutex
	secrets []string // long-lived: never in a reply or the log
	replies [][]byte

	auditOnce sync.Once
}

// newHarness starts the emulator and the function. env is added to the demo
// configuration (an empty value removes a variable); the result goes to the
// process, and again with every invocation, as SCF does.
func newHarness(t testing.TB, env map[string]string) *harness {
	t.Helper()
	return newHarnessWith(t, harnessOptions{env: env})
}

// harnessOptions are what a few tests change beyond the environment.
type harnessOptions struct {
	env       map[string]string
	secretKey string           // the permanent key; default a fresh random one
	emuNow    func() time.Time // the emulator's clock; default time.Now
}

// newHarnessWith is newHarness with a chosen secret key or emulator clock.
func newHarnessWith(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	bin := functionBinary(t)
	env, secretKey := o.env, o.secretKey
	if secretKey == "" {
		secretKey = rand.Text() // a fresh one per harness: a leak cannot hide behind a match elsewhere
	}
	h := &harness{t: t, secrets: []string{secretKey}}
	h.emu = stsemu.New(stsemu.Options{Keys: map[string]string{secretID: secretKey}, AppID: appID, Now: o.emuNow})
	if err := h.emu.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	h.env = map[string]string{
		"STS_ENDPOINT":       h.emu.URL(),
		"STS_SECRET_ID":      secretID,
		"STS_SECRET_KEY":     secretKey,
		"STS_BUCKET":         bucket,
		"STS_BUCKET_REGION":  region,
		"STS_ALLOW_PREFIXES": "uploads/",
		"STS_ALLOW_ORIGINS":  origin,
	}
	for k, v := range env {
		if v == "" {
			delete(h.env, k)
		} else {
			h.env[k] = v
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var list []string
	for k, v := range h.env {
		list = append(list, k+"="+v)
	}
	fn, err := scfrpc.Start(ctx, bin, list)
	if err != nil {
		h.emu.Close()
		t.Fatalf("start function: %v", err)
	}
	h.fn = fn
	t.Cleanup(h.audit)
	return h
}

// addSecret marks a value that must never appear in a reply or the log.
func (h *harness) addSecret(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secrets = append(h.secrets, s)
}

// invoke sends one event with the harness's configuration plus env (which
// replaces values for this invocation only, as SCF does when keys rotate).
func (h *harness) invoke(payload []byte, requestID string, env map[string]string) scfrpc.Reply {
	h.t.Helper()
	all := maps.Clone(h.env)
	maps.Copy(all, env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reply, err := h.fn.Invoke(ctx, scfrpc.Invocation{
		Payload:      payload,
		RequestID:    requestID,
		Deadline:     time.Now().Add(10 * time.Second), // serverless.yml's timeout
		Environment:  all,
		FunctionName: "cos-sts-scf",
		Region:       region,
	})
	if err != nil {
		h.t.Fatalf("invoke %s: %v", requestID, err)
	}
	if reply.Error != nil {
		h.t.Fatalf("invoke %s: function error %s: %s", requestID, reply.Error.Type, reply.Error.Message)
	}
	h.mu.Lock()
	h.replies = append(h.replies, reply.Payload)
	h.mu.Unlock()
	return reply
}
