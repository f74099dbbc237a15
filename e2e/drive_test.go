package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// defaultDeadline is SCF's default function timeout. The fault and soak tests
// use it rather than serverless.yml's 10 s: the tighter the deadline, the more
// a retry loop that overruns it shows.
const defaultDeadline = 3 * time.Second

// send invokes the function with an SCF deadline that far from now and
// returns the reply and how long it took. Unlike invoke it reports failure
// instead of stopping the test, so goroutines may call it, and it does not
// keep the reply for the audit: callers that want that call keep.
func (h *harness) send(payload []byte, requestID string, deadline time.Duration, env map[string]string) (scfrpc.Reply, time.Duration, error) {
	all := h.env
	if len(env) > 0 {
		all = maps.Clone(h.env)
		maps.Copy(all, env)
	}
	// The protocol gets a little longer than the function: a reply that
	// comes after the deadline must be seen and reported, not cut off.
	ctx, cancel := context.WithTimeout(context.Background(), deadline+5*time.Second)
	defer cancel()
	start := time.Now()
	reply, err := h.fn.Invoke(ctx, scfrpc.Invocation{
		Payload:      payload,
		RequestID:    requestID,
		Deadline:     start.Add(deadline),
		Environment:  all,
		FunctionName: "cos-sts-scf",
		Region:       region,
	})
	took := time.Since(start)
	if err != nil {
		return reply, took, fmt.Errorf("invoke %s: %w", requestID, err)
	}
	if reply.Error != nil {
		return reply, took, fmt.Errorf("invoke %s: function error %s: %s", requestID, reply.Error.Type, reply.Error.Message)
	}
	return reply, took, nil
}

// keep hands a reply to the harness's audit.
func (h *harness) keep(payload []byte) {
	h.mu.Lock()
	h.replies = append(h.replies, payload)
	h.mu.Unlock()
}

// percentile is the p-th percentile (0-100) of ds by the nearest-rank method.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

// answeredBefore checks docs/contract.md §1's deadline on the function's side:
// its log line for requestID, written just before the reply goes out, must
// bear a time before deadline. The test's own clock would also count the time
// this process, slowed by -race and hosting the emulator, took to get round
// to reading the reply, which on a busy machine says nothing about the
// function. The log's times are cut to the millisecond, so a millisecond is
// added before comparing.
func answeredBefore(h *harness, requestID string, deadline time.Time) error {
	line, ok := waitLogLine(h, requestID)
	if !ok {
		return fmt.Errorf("no log line for %s in the function's output", requestID)
	}
	return loggedBefore(line, deadline)
}

// loggedBefore checks that a log line's time is before deadline.
func loggedBefore(line map[string]any, deadline time.Time) error {
	text, _ := line["time"].(string)
	at, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return fmt.Errorf("log line %v has no time: %v", line, err)
	}
	if end := at.Add(time.Millisecond); end.After(deadline) {
		return fmt.Errorf("the function answered %v after the deadline (logged at %s)", end.Sub(deadline), text)
	}
	return nil
}
