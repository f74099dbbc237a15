// Package workload is the request the bench measures the function with: the default request (a Function URL POST
// whose body is an empty JSON object, so the whole default scope) to the demo configuration (one bucket, the
// uploads/ folder, upload and download), minted with GetFederationToken. bench/measure sends it to the real
// binaries over net/rpc; Handler benchmarks the handler alone on it, with STS faked in the process.
package workload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/handler"
	"github.com/cos-sts-scf/cos-sts-scf/issuer"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// SecretID is the permanent SecretId the function and the floor sign with; the STS emulator is given it with a
// secret key of the caller's choosing.
const SecretID = "AKIDBENCH0000000000000000000000000000"

// Env is the function's configuration: the demo scope, keys for GetFederationToken, STS at endpoint (a URL or
// host:port). The floor reads the same STS_ variables.
func Env(endpoint, secretKey string) map[string]string {
	return map[string]string{
		"STS_ENDPOINT":       endpoint,
		"STS_SECRET_ID":      SecretID,
		"STS_SECRET_KEY":     secretKey,
		"STS_BUCKET":         "examplebucket-1250000000",
		"STS_ALLOW_PREFIXES": "uploads/",
	}
}

// Event is the default request as a Function URL delivers it, with the headers a browser's POST carries.
func Event() []byte {
	b, _ := json.Marshal(map[string]any{
		"httpMethod":  "POST",
		"path":        "/",
		"queryString": map[string]string{},
		"headers": map[string]string{
			"content-type":      "application/json",
			"host":              "1250000000-abcdefgh.ap-guangzhou.tencentscf.com",
			"user-agent":        "Mozilla/5.0",
			"x-scf-remote-addr": "203.0.113.7",
		},
		"body": "{}",
	})
	return b
}

// LooksMinted is a cheap check of every reply of a measured loop: the function's integration response with status
// 200 and keys in its body. CheckMinted is the thorough one.
func LooksMinted(payload []byte) bool {
	return bytes.Contains(payload, []byte(`"statusCode":200`)) && bytes.Contains(payload, []byte(`\"tmpSecretId\":\"AKID`))
}

// CheckMinted reads the function's reply to Event: status 200 and a cam body with temporary keys.
func CheckMinted(payload []byte) error {
	var resp struct {
		StatusCode int
		Body       string
	}
	if err := json.Unmarshal(payload, &resp); err != nil {
		return fmt.Errorf("workload: reply %.200q is not an integration response: %w", payload, err)
	}
	var body struct {
		Code int
		Data struct {
			Credentials struct{ TmpSecretID, TmpSecretKey, SessionToken string }
		}
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		return fmt.Errorf("workload: reply body %.200q is not JSON: %w", resp.Body, err)
	}
	c := body.Data.Credentials
	if resp.StatusCode != 200 || body.Code != 0 || !strings.HasPrefix(c.TmpSecretID, "AKID") || c.TmpSecretKey == "" || c.SessionToken == "" {
		return fmt.Errorf("workload: reply %.300q; want status 200 with temporary keys", payload)
	}
	return nil
}

// fakeSTS answers every call at once with fixed keys shaped like the emulator's, and counts the calls.
type fakeSTS struct{ calls atomic.Int64 }

func (f *fakeSTS) Issue(_ context.Context, r issuer.Request) (issuer.Result, error) {
	if r.Policy == "" || r.Mode != issuer.ModeGetFederationToken {
		return issuer.Result{}, errors.New("workload: fake STS: want GetFederationToken with a policy")
	}
	f.calls.Add(1)
	exp := time.Now().Add(time.Duration(r.DurationSeconds) * time.Second).Truncate(time.Second)
	return issuer.Result{
		TmpSecretID:  "AKIDfakeSTS0123456789abcdefghijklmnopq",
		TmpSecretKey: "fakeSTSsecret0123456789abcdefghij",
		SessionToken: strings.Repeat("fakeSTStoken0123", 6),
		ExpiredTime:  exp.Unix(),
		Expiration:   exp.UTC().Format(time.RFC3339),
		RequestID:    "6a2d1c3e-0f4b-4c5d-8e9f-0a1b2c3d4e5f",
		Attempts:     1,
	}, nil
}

// lineCounter stands for the function's stderr: it takes the log and counts its lines. It is not io.Discard, so
// nothing on the way can tell that the log goes nowhere and skip work it does in production.
type lineCounter struct{ lines atomic.Int64 }

func (w *lineCounter) Write(p []byte) (int, error) {
	w.lines.Add(int64(bytes.Count(p, []byte("\n"))))
	return len(p), nil
}

// rig is a warm handler on Event: the configuration loaded (Warm), the log written through the redaction filter to
// a line counter, STS answered in process at no cost.
type rig struct {
	h     *handler.Handler
	sts   *fakeSTS
	log   *lineCounter
	ctx   context.Context
	event []byte
}

func newRig() (*rig, context.CancelFunc) {
	env := Env("http://127.0.0.1:1", "benchsecretkey0123456789abcdefgh")
	r := &rig{sts: &fakeSTS{}, log: &lineCounter{}, event: Event()}
	r.h = handler.New(handler.Options{
		Getenv:  func(k string) string { return env[k] },
		Minter:  r.sts,
		Log:     r.log,
		Version: "bench",
	})
	r.h.Warm()
	// scf-go-lib hands the handler a context with the invocation's deadline and id; one for the whole loop keeps
	// its making out of the figures.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	r.ctx = functioncontext.NewContext(ctx, &functioncontext.FunctionContext{RequestID: "bench"})
	return r, cancel
}

// invoke runs n invocations and checks that each minted once and wrote its log line; it checks the first reply
// in full.
func (r *rig) invoke(n int) error {
	calls, lines := r.sts.calls.Load(), r.log.lines.Load()
	for i := range n {
		out, err := r.h.Invoke(r.ctx, r.event)
		if err != nil {
			return fmt.Errorf("workload: Invoke: %w", err)
		}
		if i == 0 {
			if err := CheckMinted(out); err != nil {
				return err
			}
		}
	}
	if got := r.sts.calls.Load() - calls; got != int64(n) {
		return fmt.Errorf("workload: STS got %d calls in %d invocations; want one each", got, n)
	}
	if got := r.log.lines.Load() - lines; got != int64(n) {
		return fmt.Errorf("workload: the log got %d lines in %d invocations; want one each", got, n)
	}
	return nil
}

// Handler benchmarks handler.Invoke on Event as a warm instance runs it (see rig). It fails unless every
// invocation mints once and writes its log line.
func Handler(b *testing.B) {
	r, cancel := newRig()
	defer cancel()
	// One checked invocation first: a benchmark of a broken path measures nothing.
	if err := r.invoke(1); err != nil {
		b.Fatal(err)
	}
	calls, lines := r.sts.calls.Load(), r.log.lines.Load()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := r.h.Invoke(r.ctx, r.event); err != nil {
			b.Fatalf("Invoke: %v", err)
		}
		n++
	}
	b.StopTimer()
	if got := r.sts.calls.Load() - calls; got != int64(n) {
		b.Errorf("STS got %d calls in %d invocations; want one each", got, n)
	}
	if got := r.log.lines.Load() - lines; got != int64(n) {
		b.Errorf("the log got %d lines in %d invocations; want one each", got, n)
	}
}
