package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// countingMinter answers every call at once and counts them.
type countingMinter struct{ calls atomic.Int64 }

func (m *countingMinter) Issue(_ context.Context, r issuer.Request) (issuer.Result, error) {
	m.calls.Add(1)
	return issuer.Result{TmpSecretID: "AKIDlimit", TmpSecretKey: "limit-secret-key-0123456789", SessionToken: "limit-session-token-0123456789",
		ExpiredTime: time.Now().Add(time.Hour).Unix(), Expiration: "2026-11-29T11:55:36Z", RequestID: "r-1", Attempts: 1}, nil
}

// limitRig is a handler on a clock that only the test moves, with a counting minter.
type limitRig struct {
	t      *testing.T
	h      *handler.Handler
	minter *countingMinter
	log    *syncBuffer

	mu  sync.Mutex
	now time.Time
	env map[string]string
}

func newLimitRig(t *testing.T, kv ...string) *limitRig {
	r := &limitRig{t: t, minter: &countingMinter{}, log: &syncBuffer{}, now: time.Now(), env: map[string]string{
		"STS_SECRET_ID": testSecretID, "STS_SECRET_KEY": testSecretKey, "STS_BUCKET": testBucket, "STS_ALLOW_PREFIXES": "uploads/",
	}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.env[kv[i]] = kv[i+1]
	}
	r.h = handler.New(handler.Options{Getenv: r.getenv, Minter: r.minter, Log: r.log, Now: r.clock})
	return r
}

func (r *limitRig) getenv(k string) string { r.mu.Lock(); defer r.mu.Unlock(); return r.env[k] }
func (r *limitRig) clock() time.Time       { r.mu.Lock(); defer r.mu.Unlock(); return r.now }
func (r *limitRig) step(d time.Duration)   { r.mu.Lock(); defer r.mu.Unlock(); r.now = r.now.Add(d) }

// post sends a Function URL POST and returns its status, Retry-After, body and the invocation's log line.
func (r *limitRig) post(body string) (status int, retryAfter string, reply map[string]any, logLine map[string]any) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = functioncontext.NewContext(ctx, &functioncontext.FunctionContext{RequestID: "limit-req"})
	before := len(r.log.String())
	out, err := r.h.Invoke(ctx, json.RawMessage(funcURL("POST", "", body)))
	if err != nil {
		r.t.Fatalf("Invoke: %v", err)
	}
	var hr httpReply
	if err := json.Unmarshal(out, &hr); err != nil {
		r.t.Fatalf("reply %s: %v", out, err)
	}
	lines := strings.Split(strings.TrimSpace(r.log.String()[before:]), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &logLine); err != nil {
		r.t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
	}
	return hr.StatusCode, hr.Headers["Retry-After"], hr.json(r.t), logLine
}

// TestMaxCallsPerSecond: with STS_MAX_CALLS_PER_SECOND an instance calls STS at most that often; beyond it a
// request is answered 429 RequestLimitExceeded with Retry-After, STS is not called, and the log line says
// stsAttempts 0. The bucket refills with the clock.
func TestMaxCallsPerSecond(t *testing.T) {
	r := newLimitRig(t, "STS_MAX_CALLS_PER_SECOND", "0.5") // one call per 2 s
	if status, _, _, _ := r.post(`{}`); status != 200 {
		t.Fatalf("first request = %d; want 200", status)
	}
	status, retry, body, line := r.post(`{}`)
	if status != 429 || retry != "2" || body["codeDesc"] != "RequestLimitExceeded" {
		t.Errorf("second request at once = %d, Retry-After %q, %v; want 429 RequestLimitExceeded after 2 s", status, retry, body)
	}
	if line["stsAttempts"] != float64(0) || line["msg"] != "RequestLimitExceeded" || !strings.Contains(line["detail"].(string), "STS_MAX_CALLS_PER_SECOND") {
		t.Errorf("log line %v; want stsAttempts 0 and a detail naming STS_MAX_CALLS_PER_SECOND", line)
	}
	r.step(1500 * time.Millisecond)
	if status, retry, _, _ := r.post(`{}`); status != 429 || retry != "1" {
		t.Errorf("1.5 s later = %d, Retry-After %q; want 429 after 1 s (0.5 s, rounded up)", status, retry)
	}
	if n := r.minter.calls.Load(); n != 1 {
		t.Errorf("STS calls = %d; want 1: a refused request never calls", n)
	}
	r.step(500 * time.Millisecond)
	if status, _, _, _ := r.post(`{}`); status != 200 {
		t.Errorf("2 s after the first call = %d; want 200", status)
	}
	if n := r.minter.calls.Load(); n != 2 {
		t.Errorf("STS calls = %d; want 2", n)
	}
}

// TestMaxCallsPerSecondSparesHitsAndDryRuns: a cache hit and a dry run call no STS, so an empty bucket never
// refuses them; a cache miss is a call, and is.
func TestMaxCallsPerSecondSparesHitsAndDryRuns(t *testing.T) {
	r := newLimitRig(t, "STS_MAX_CALLS_PER_SECOND", "1", "STS_CACHE", "on")
	if status, _, _, _ := r.post(`{"prefixes":["uploads/a/"]}`); status != 200 {
		t.Fatalf("first request = %d", status)
	}
	status, _, _, line := r.post(`{"prefixes":["uploads/a/"]}`)
	if status != 200 || line["cache"] != "hit" {
		t.Errorf("the identical request with the bucket empty = %d, log %v; want 200 from the cache", status, line)
	}
	if status, _, body, _ := r.post(`{"prefixes":["uploads/a/"],"dryRun":true}`); status != 200 || body["data"].(map[string]any)["dryRun"] != true {
		t.Errorf("a dry run with the bucket empty = %d %v; want 200", status, body)
	}
	if status, retry, _, line := r.post(`{"prefixes":["uploads/b/"]}`); status != 429 || retry != "1" || line["cache"] != "miss" {
		t.Errorf("a cache miss with the bucket empty = %d, Retry-After %q, log %v; want 429", status, retry, line)
	}
	if n := r.minter.calls.Load(); n != 1 {
		t.Errorf("STS calls = %d; want 1", n)
	}
}

// TestNoLimitByDefault: without STS_MAX_CALLS_PER_SECOND every request calls STS, however close together; setting
// it takes effect on the next invocation, with a bucket of its own.
func TestNoLimitByDefault(t *testing.T) {
	r := newLimitRig(t)
	for i := range 20 {
		if status, _, _, _ := r.post(`{}`); status != 200 {
			t.Fatalf("request %d = %d; want 200", i, status)
		}
	}
	r.mu.Lock()
	r.env["STS_MAX_CALLS_PER_SECOND"] = "1"
	r.mu.Unlock()
	first, _, _, _ := r.post(`{}`)
	second, _, _, _ := r.post(`{}`)
	if first != 200 || second != 429 {
		t.Errorf("after setting the limit: %d then %d; want 200 then 429", first, second)
	}
	if !bytes.Contains([]byte(r.log.String()), []byte(`"stsAttempts":0`)) {
		t.Errorf("no log line with stsAttempts 0:\n%s", r.log.String())
	}
}
