package issuer

import (
	"math"
	"sync"
	"time"
)

// Limiter is a token bucket in front of STS, one per instance. STS allows an account about 600 calls per second
// per API (GetFederationToken and AssumeRole each); past that it answers RequestLimitExceeded, and Issue retries
// with backoff for up to its deadline, holding the instance (and billing it) while the retries add to the very
// load that is being throttled. With a bucket, an instance that has spent its share answers 429 with Retry-After at
// once, without calling STS. Set each instance's rate to the account's allowance divided by the instances that may
// run (docs/capacity.md): the sum then stays under STS's limit however many users arrive at once.
//
// It is kept as the time the bucket would next be full of debt (the generic cell rate algorithm), in whole
// nanoseconds, so that no rounding drifts over a long run. It is safe for concurrent use. A nil *Limiter lets
// every call through.
type Limiter struct {
	interval  time.Duration // between tokens: 1/rate
	tolerance time.Duration // how far ahead of now the debt may run: (burst-1) intervals
	now       func() time.Time

	mu     sync.Mutex
	due    time.Time // when the calls let through so far will have been paid for
	latest time.Time // the latest time the clock has shown
}

// NewLimiter returns a bucket that lets through perSecond calls a second on average and burst at once (at least
// one), full at the start. now is its clock (time.Now in production). A perSecond that is not a finite positive
// number means no limit: NewLimiter returns nil.
func NewLimiter(perSecond float64, burst int, now func() time.Time) *Limiter {
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		return nil
	}
	// A rate so slow that its interval would not fit a Duration is one call per maxInterval (73 years): a float
	// beyond int64's range would convert to anything, a negative interval included (no limit at all).
	interval := maxInterval
	if iv := float64(time.Second) / perSecond; iv < float64(maxInterval) {
		interval = max(time.Duration(iv), 1)
	}
	t := now()
	return &Limiter{interval: interval, tolerance: time.Duration(max(burst, 1)-1) * interval, now: now, due: t, latest: t}
}

// Take spends a token when there is one. Otherwise ok is false, nothing is spent, and wait is how long until a
// token will be there: what the reply's Retry-After says (RetryAfterSeconds).
func (l *Limiter) Take() (ok bool, wait time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// A clock that steps back must not lend tokens or stretch the wait: time counts from the latest it showed.
	now := l.now()
	if now.Before(l.latest) {
		now = l.latest
	}
	l.latest = now
	due := l.due
	if due.Before(now) {
		due = now
	}
	if ahead := due.Sub(now); ahead > l.tolerance {
		return false, ahead - l.tolerance
	}
	l.due = due.Add(l.interval)
	return true, 0
}

// maxInterval is the longest interval between tokens: a quarter of a Duration's range, so that sums of a few stay
// in range.
const maxInterval = time.Duration(math.MaxInt64 / 4)

// RetryAfterSeconds is wait in the whole seconds of a Retry-After header, rounded up and at least 1: a client
// that comes back when told finds a token.
func RetryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}
