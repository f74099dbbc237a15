package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"
	"strings"
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
// remembers every secret it handed out or saw issued and every reply, and at
// cleanup checks that no secret leaked into the function's log or into a
// reply that was not the one issuing it.
type harness struct {
	t   testing.TB
	fn  *scfrpc.Function
	emu *stsemu.Server
	env map[string]string // the function's configuration

	mu      sync.Mutex
	secrets []string // long-lived: never in a reply or the log
	replies [][]byte
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

// audit stops the function, so its log is complete, and checks that no
// secret reached the log or a reply. Issued credentials belong in exactly
// one reply: the one answering the call that issued them.
func (h *harness) audit() {
	t := h.t
	h.fn.Close()
	h.emu.Close()
	log := string(h.fn.Output())
	if strings.TrimSpace(log) == "" {
		t.Errorf("the function logged nothing; the secret audit would prove nothing")
	}
	issued := map[string]bool{}
	for _, c := range h.emu.Calls() {
		for _, s := range []string{c.Issued.TmpSecretKey, c.Issued.Token} {
			if s != "" {
				issued[s] = true
			}
		}
	}
	for s := range issued {
		if strings.Contains(log, s) {
			t.Errorf("the function's log contains an issued temporary secret key or token")
		}
	}
	for _, s := range h.secrets {
		if strings.Contains(log, s) {
			t.Errorf("the function's log contains a configured secret (%d characters)", len(s))
		}
	}
	for i, r := range h.replies {
		for _, s := range h.secrets {
			if strings.Contains(string(r), s) {
				t.Errorf("reply %d contains a configured secret (%d characters)", i, len(s))
			}
		}
		own := ownCredentials(r)
		for s := range issued {
			if !own[s] && strings.Contains(string(r), s) {
				t.Errorf("reply %d contains credentials issued for another request", i)
			}
		}
	}
}

// ownCredentials finds the temporary key and token a reply hands out, in any
// of its shapes: integration response or direct, cam or sts.
func ownCredentials(payload []byte) map[string]bool {
	body := payload
	var ir struct {
		StatusCode *int   `json:"statusCode"`
		Body       string `json:"body"`
	}
	if json.Unmarshal(payload, &ir) == nil && ir.StatusCode != nil {
		body = []byte(ir.Body)
	}
	type creds struct {
		Credentials struct {
			TmpSecretKey string `json:"tmpSecretKey"`
			SessionToken string `json:"sessionToken"`
		} `json:"credentials"`
	}
	var b struct {
		creds
		Data creds `json:"data"`
	}
	own := map[string]bool{}
	if json.Unmarshal(body, &b) == nil {
		for _, c := range []creds{b.creds, b.Data} {
			own[c.Credentials.TmpSecretKey] = c.Credentials.TmpSecretKey != ""
			own[c.Credentials.SessionToken] = c.Credentials.SessionToken != ""
		}
	}
	return own
}
