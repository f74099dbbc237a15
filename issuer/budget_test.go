package issuer

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// TestRetryBudget: a full budget holds one whole call's retries; every retry spends one; five successes earn one
// back, and so does a minute of time; it never holds more than it started with; a clock stepping back earns nothing.
func TestRetryBudget(t *testing.T) {
	c := newClock()
	b := NewRetryBudget(c.now)
	spend := func(n int) (spent int) {
		for range n {
			if b.Spend() {
				spent++
			}
		}
		return spent
	}
	if got := spend(10); got != maxAttempts-1 {
		t.Fatalf("a full budget allowed %d retries; want %d, one call's", got, maxAttempts-1)
	}
	for range 4 {
		b.Succeeded()
	}
	if b.Spend() {
		t.Error("four successes earned a whole retry; want five")
	}
	b.Succeeded()
	if got := spend(3); got != 1 {
		t.Errorf("after five successes: %d retries; want 1", got)
	}
	c.step(59 * time.Second)
	if b.Spend() {
		t.Error("59 s earned a whole retry; want a minute")
	}
	c.step(time.Second)
	if got := spend(3); got != 1 {
		t.Errorf("after a minute: %d retries; want 1", got)
	}
	c.step(time.Hour)
	for range 100 {
		b.Succeeded()
	}
	if got := spend(100); got != maxAttempts-1 {
		t.Errorf("after an hour and 100 successes: %d retries; want the cap, %d", got, maxAttempts-1)
	}
	c.step(-time.Hour)
	if b.Spend() {
		t.Error("a clock stepping back earned a retry")
	}
	c.step(time.Hour + 59*time.Second)
	if b.Spend() {
		t.Error("time the clock lost by stepping back was counted again")
	}
	c.step(time.Second)
	if !b.Spend() {
		t.Error("a minute past the latest time shown earned nothing")
	}
	var none *RetryBudget
	if !none.Spend() || none.Available() != retryBudgetCap {
		t.Error("a nil budget refuses a retry")
	}
	none.Succeeded()
}

// TestRetryBudgetConcurrent: concurrent retries never spend more than the budget holds.
func TestRetryBudgetConcurrent(t *testing.T) {
	b := NewRetryBudget(newClock().now)
	var spent atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b.Spend() {
				spent.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := spent.Load(); n != maxAttempts-1 {
		t.Errorf("%d concurrent retries spent; want %d", n, maxAttempts-1)
	}
}

// TestIssueStopsRetryingWhenTheBudgetIsSpent: under sustained throttling the first call retries as far as its
// deadline allows and drains the instance's budget; later calls are tried once and answered throttled (still
// KindThrottled, a 429), saying the budget is spent. Successes earn retries back: after five, a throttled call is
// retried once again. InvalidParameter.OverLimit is throttling here too.
func TestIssueStopsRetryingWhenTheBudgetIsSpent(t *testing.T) {
	for _, code := range []string{"RequestLimitExceeded", "InvalidParameter.OverLimit"} {
		t.Run(code, func(t *testing.T) {
			emu := startEmu(t)
			ft, ctx := newFakeTime(t, time.Hour)
			iss := New(ft.options())
			r := federation(endpoint(t, emu))

			emu.Inject(stsemu.Fault{Code: code})
			_, err := iss.Issue(ctx, r)
			if ie, ok := err.(*Error); !ok || ie.Kind != KindThrottled || ie.Attempts != maxAttempts || ie.RetryBudgetSpent {
				t.Fatalf("first throttled call = %v; want %d attempts, throttled", err, maxAttempts)
			}
			for i := range 3 {
				emu.Reset()
				emu.Inject(stsemu.Fault{Code: code})
				_, err := iss.Issue(ctx, r)
				ie, ok := err.(*Error)
				if !ok || ie.Kind != KindThrottled || ie.Attempts != 1 || !ie.RetryBudgetSpent ||
					!strings.Contains(ie.Error(), "1 attempt, no more: the instance's retry budget is spent") {
					t.Fatalf("throttled call %d with the budget spent = %v; want one attempt, throttled, saying why", i, err)
				}
				if n := len(emu.Calls()); n != 1 {
					t.Errorf("throttled call %d made %d STS calls; want 1", i, n)
				}
			}

			emu.Reset()
			for range 5 {
				if _, err := iss.Issue(ctx, r); err != nil {
					t.Fatalf("Issue with STS healthy: %v", err)
				}
			}
			emu.Reset()
			emu.Inject(stsemu.Fault{Code: code})
			_, err = iss.Issue(ctx, r)
			if ie, ok := err.(*Error); !ok || ie.Attempts != 2 || !ie.RetryBudgetSpent {
				t.Errorf("after five successes, a throttled call = %v; want one retry, then the budget spent", err)
			}
		})
	}
}

// TestBriefThrottlingIsStillRetried: a throttle that passes is retried as before, with the budget full.
func TestBriefThrottlingIsStillRetried(t *testing.T) {
	emu := startEmu(t)
	emu.Inject(stsemu.Fault{Times: maxAttempts - 1, Code: "RequestLimitExceeded"})
	ft, ctx := newFakeTime(t, time.Hour)
	res, err := New(ft.options()).Issue(context.WithoutCancel(ctx), federation(endpoint(t, emu)))
	if err != nil || res.Attempts != maxAttempts {
		t.Errorf("Issue = %+v, %v; want a success on the last of %d attempts", res, err, maxAttempts)
	}
}
