package issuer

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time for the limiter's tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time       { return c.t }
func (c *clock) step(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func TestLimiter(t *testing.T) {
	type step struct {
		advance time.Duration // before the Take
		ok      bool
		wait    time.Duration // when refused
	}
	ms := time.Millisecond
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		steps     []step
	}{
		{"the burst, then one per 1/rate", 5, 2, []step{
			{0, true, 0}, {0, true, 0}, {0, false, 200 * ms},
			{100 * ms, false, 100 * ms}, // half a token back: half the wait left
			{100 * ms, true, 0}, {0, false, 200 * ms},
		}},
		{"a long idle fills the bucket to its burst, no further", 10, 3, []step{
			{0, true, 0}, {0, true, 0}, {0, true, 0}, {0, false, 100 * ms},
			{time.Hour, true, 0}, {0, true, 0}, {0, true, 0}, {0, false, 100 * ms},
		}},
		{"a slow rate waits seconds", 0.5, 1, []step{
			{0, true, 0}, {0, false, 2 * time.Second}, {1500 * ms, false, 500 * ms}, {500 * ms, true, 0},
		}},
		{"a burst below one is one", 100, 0, []step{
			{0, true, 0}, {0, false, 10 * ms}, {10 * ms, true, 0},
		}},
		{"a clock stepping back lends no token and stretches no wait", 1, 1, []step{
			{0, true, 0}, {-time.Hour, false, time.Second}, {500 * ms, false, time.Second},
			{time.Hour, false, 500 * ms}, // half a second past the latest time shown
			{500 * ms, true, 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := NewLimiter(tc.perSecond, tc.burst, c.now)
			for i, s := range tc.steps {
				c.step(s.advance)
				ok, wait := l.Take()
				if ok != s.ok || (!ok && wait != s.wait) || (ok && wait != 0) {
					t.Fatalf("step %d (after %v): Take = %v, %v; want %v, %v", i, s.advance, ok, wait, s.ok, s.wait)
				}
			}
		})
	}
}

// TestLimiterRateOverTime: over a long run at a steady clock, what passes is the burst plus rate × time, whatever
// the callers' pace.
func TestLimiterRateOverTime(t *testing.T) {
	c := newClock()
	l := NewLimiter(7, 4, c.now)
	passed := 0
	for range 100_001 { // from 0 to 10 s, every 100 µs
		if ok, _ := l.Take(); ok {
			passed++
		}
		c.step(100 * time.Microsecond)
	}
	if want := 4 + 7*10; passed != want {
		t.Errorf("passed %d in 10 s at 7/s with a burst of 4; want %d", passed, want)
	}
}

func TestLimiterOff(t *testing.T) {
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		l := NewLimiter(rate, 10, time.Now)
		if l != nil {
			t.Errorf("NewLimiter(%v) = %+v; want nil (no limit)", rate, l)
		}
		for range 1000 {
			if ok, wait := l.Take(); !ok || wait != 0 {
				t.Fatalf("nil Limiter: Take = %v, %v; want true, 0", ok, wait)
			}
		}
	}
}

// TestLimiterConcurrent: callers racing for a bucket at a frozen clock get exactly its tokens between them.
func TestLimiterConcurrent(t *testing.T) {
	c := newClock()
	var mu sync.Mutex
	l := NewLimiter(1, 50, func() time.Time { mu.Lock(); defer mu.Unlock(); return c.now() })
	var passed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if ok, _ := l.Take(); ok {
					passed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := passed.Load(); got != 50 {
		t.Errorf("%d calls passed a bucket of 50 at a frozen clock; want 50", got)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want int
	}{{0, 1}, {time.Nanosecond, 1}, {time.Second, 1}, {1200 * time.Millisecond, 2}, {3 * time.Second, 3}}
	for _, tc := range tests {
		if got := RetryAfterSeconds(tc.wait); got != tc.want {
			t.Errorf("RetryAfterSeconds(%v) = %d; want %d", tc.wait, got, tc.want)
		}
	}
}

// TestLimiterTooSlowToCount: a rate whose interval does not fit a Duration still limits (one call, then a wait of
// decades), never wraps around into no limit at all.
func TestLimiterTooSlowToCount(t *testing.T) {
	for _, rate := range []float64{1e-10, 1e-300, math.SmallestNonzeroFloat64} {
		c := newClock()
		l := NewLimiter(rate, 1, c.now)
		if ok, _ := l.Take(); !ok {
			t.Fatalf("rate %g: the first call is refused", rate)
		}
		c.step(24 * time.Hour)
		if ok, wait := l.Take(); ok || wait < 50*365*24*time.Hour {
			t.Errorf("rate %g: a day later Take = %v, wait %v; want a refusal of decades", rate, ok, wait)
		}
	}
}
