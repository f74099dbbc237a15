package issuer

import (
	"sync"
	"time"
)

// The retry budget's production values (NewRetryBudget): an instance may save up retryBudgetCap retries, one whole
// failed call's worth (maxAttempts-1), earns back retryPerSuccess of a retry with each call that succeeds, and
// retryPerSecond with time (one a minute), so that a quiet instance recovers too.
const (
	retryBudgetCap  = maxAttempts - 1
	retryPerSuccess = 0.2
	retryPerSecond  = 1.0 / 60
)

// epsilon absorbs the rounding of adding fifths: five successes earn a whole retry.
const epsilon = 1e-9

// RetryBudget bounds the retries one instance makes, as the AWS SDKs' retry quota does: every retry spends a token,
// and tokens are earned back by calls that succeed (and slowly with time). A brief failure (another service of the
// account spiking STS's limit for a moment, a connection reset) is retried as before: the budget holds a whole
// call's retries. A sustained one (STS throttling a login storm) drains it, and from then on an instance retries
// about one call in five of those that succeed: retries stop multiplying the load on a saturated STS
// (docs/capacity.md: 1,000 per-user requests a second made 4,240 STS calls a second and kept 1,200 instances
// busy). It is safe for concurrent use; a nil *RetryBudget allows every retry.
type RetryBudget struct {
	capacity, perSuccess, perSecond float64
	now                             func() time.Time

	mu     sync.Mutex
	tokens float64
	last   time.Time // when tokens were last brought up to date with the clock
}

// NewRetryBudget returns a full budget with the production values, on the clock now (time.Now in production).
func NewRetryBudget(now func() time.Time) *RetryBudget {
	return newRetryBudget(retryBudgetCap, retryPerSuccess, retryPerSecond, now)
}

func newRetryBudget(capacity, perSuccess, perSecond float64, now func() time.Time) *RetryBudget {
	return &RetryBudget{capacity: capacity, perSuccess: perSuccess, perSecond: perSecond, now: now, tokens: capacity, last: now()}
}

// Spend takes one retry's token when there is one and reports whether it did: false means do not retry.
func (b *RetryBudget) Spend() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.tokens < 1-epsilon {
		return false
	}
	b.tokens = max(0, b.tokens-1)
	return true
}

// Succeeded earns back a share of a retry for a call that succeeded.
func (b *RetryBudget) Succeeded() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	b.tokens = min(b.capacity, b.tokens+b.perSuccess)
}

// Available is how many retries the budget holds now.
func (b *RetryBudget) Available() float64 {
	if b == nil {
		return retryBudgetCap
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	return b.tokens
}

// refill adds what the time since the last look earned. A clock that steps back earns nothing, and the time it
// lost is not counted twice.
func (b *RetryBudget) refill() {
	now := b.now()
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.capacity, b.tokens+elapsed.Seconds()*b.perSecond)
		b.last = now
	}
}
