package e2e_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// Concurrency: SCF's multi-concurrency runs several invocations at once in one
// instance, and here every caller asks for a prefix of its own.
const (
	concInvocations = 1000
	concWorkers     = 16
)

// concDeadline is serverless.yml's timeout: this test is about whose
// credentials each caller gets, and nothing here needs a retry, so a busy
// machine must not turn a slow invocation into a 504.
const concDeadline = 10 * time.Second

// concResult is one caller's view of its invocation.
type concResult struct {
	payload []byte
	took    time.Duration
	err     error
}

func concPrefix(i int) string { return "uploads/c" + strconv.Itoa(i) + "/" }

// TestConcurrentCallersGetTheirOwnCredentials runs 1,000 invocations, 16 at a
// time, on one function process, each for a different prefix, and matches
// every reply to STS's record: the tmpSecretId it carries must have been
// issued, with that key and token, for a policy whose one resource is the
// caller's own prefix; every credential STS issued reaches exactly one
// caller, and none reaches another caller or the log.
func TestConcurrentCallersGetTheirOwnCredentials(t *testing.T) {
	h := newHarness(t, nil)
	results := make([]concResult, concInvocations)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range concWorkers {
		wg.Go(func() {
			for i := range next {
				event := urlEvent("POST", `{"prefixes":["`+concPrefix(i)+`"],"actions":["upload"]}`, nil)
				reply, took, err := h.send(event, "conc-"+strconv.Itoa(i), concDeadline, nil)
				results[i] = concResult{payload: reply.Payload, took: took, err: err}
			}
		})
	}
	for i := range concInvocations {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)

	calls := h.emu.Calls()
	if len(calls) != concInvocations {
		t.Errorf("STS got %d calls; want %d, one per invocation", len(calls), concInvocations)
	}
	issued := map[string]stsemu.Call{}
	secrets := newCanaries()
	for _, c := range calls {
		if c.ErrorCode != "" || c.Issued.TmpSecretId == "" {
			t.Errorf("STS call %s ended %q; want a success", c.RequestID, c.ErrorCode)
			continue
		}
		issued[c.Issued.TmpSecretId] = c
		secrets.add("credentials of STS request "+c.RequestID, c.Issued.TmpSecretKey, c.Issued.Token)
	}

	var took []time.Duration
	handedOut := map[string]int{} // tmpSecretId → the caller that got it
	for i, r := range results {
		if r.err != nil {
			t.Errorf("caller %d: %v", i, r.err)
			continue
		}
		took = append(took, r.took)
		id, err := checkOwnCredentials(r.payload, concPrefix(i), calls)
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
			continue
		}
		if other, dup := handedOut[id]; dup {
			t.Errorf("callers %d and %d got the same credentials", other, i)
		}
		handedOut[id] = i
		if found := secrets.find(r.payload, ownSecrets(r.payload)...); len(found) > 0 {
			t.Errorf("caller %d's reply carries credentials not its own: %v", i, found)
		}
	}
	for id, c := range issued {
		if _, ok := handedOut[id]; !ok {
			t.Errorf("STS issued %s (request %s) and no caller got it", id, c.RequestID)
		}
	}
	if found := secrets.find(h.fn.Output()); len(found) > 0 {
		t.Errorf("the function's log carries issued credentials: %v", found)
	}
	t.Logf("%d invocations, %d at a time: wall %v (%.0f/s); per invocation median %v, p99 %v, max %v",
		concInvocations, concWorkers, wall.Round(time.Millisecond), float64(concInvocations)/wall.Seconds(),
		percentile(took, 50).Round(time.Microsecond), percentile(took, 99).Round(time.Microsecond), percentile(took, 100).Round(time.Microsecond))
}

// checkOwnCredentials checks that a reply is a well-formed success whose
// credentials are exactly those STS issued, for a policy of upload actions on
// prefix alone, and returns their tmpSecretId.
func checkOwnCredentials(payload []byte, prefix string, calls []stsemu.Call) (string, error) {
	p, err := wellFormed(payload, replyWant{status: 200, format: "cam"})
	if err != nil {
		return "", err
	}
	c, err := matchIssued(p, calls)
	if err != nil {
		return "", err
	}
	if err := checkGrant(p.grant, c.Policy, grant{prefixes: []string{prefix}, actions: uploadActions}); err != nil {
		return "", fmt.Errorf("its credentials were issued by STS request %s: %w", c.RequestID, err)
	}
	return p.grant.Credentials.TmpSecretID, nil
}
