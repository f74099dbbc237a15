package issuer

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Retry tuning. Backoff doubles from 100ms up to 1s, jittered so that many
// instances throttled together do not retry together. A retry is made only
// when, after the backoff, at least minAttempt remains before the deadline:
// a shorter attempt could not get an answer from STS anyway.
const (
	backoffBase = 100 * time.Millisecond
	backoffCap  = time.Second
	minAttempt  = 100 * time.Millisecond
	// maxAttempts bounds every call, deadline or not: past six tries, a throttled or failing STS is better
	// reported to the caller (429/502) than hammered.
	maxAttempts    = 6
	defaultTimeout = 3 * time.Second
	// hedgeFloor is the shortest attempt timeout the budget split below produces: a healthy STS answers well
	// inside it.
	hedgeFloor = time.Second
)

// Options configures an Issuer. Every field has a production default; the
// function fields are seams for tests.
type Options struct {
	// Transport carries every call; nil means a clone of
	// http.DefaultTransport with idle settings suited to one warm SCF
	// instance. Sharing it is what lets calls reuse a TLS connection.
	Transport http.RoundTripper
	// Now is the clock used to measure the time left (default time.Now).
	Now func() time.Time
	// Sleep waits between attempts; it must return ctx's error if ctx ends
	// first (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the backoff's jitter (default
	// math/rand/v2).
	Rand func() float64
	// AttemptTimeout caps one attempt; the time left in ctx caps it too
	// (default 3s).
	AttemptTimeout time.Duration
	// RetryBudget bounds the instance's retries (default NewRetryBudget on
	// Now): one per Issuer, shared by every call it makes.
	RetryBudget *RetryBudget
}

// Issuer calls STS. Make one per process and share it: it holds the
// connection pool, while credentials come with each Request.
type Issuer struct {
	transport      http.RoundTripper
	now            func() time.Time
	sleep          func(ctx context.Context, d time.Duration) error
	rand           func() float64
	attemptTimeout time.Duration
	budget         *RetryBudget

	mu         sync.Mutex
	clients    map[clientKey]*client // one SDK client per endpoint, region and credentials (Issuer.client)
	lastPolicy atomic.Pointer[escapedPolicy]
}

// New returns an Issuer with opts' defaults filled in.
func New(opts Options) *Issuer {
	i := &Issuer{
		transport:      opts.Transport,
		now:            opts.Now,
		sleep:          opts.Sleep,
		rand:           opts.Rand,
		attemptTimeout: opts.AttemptTimeout,
		clients:        map[clientKey]*client{},
	}
	if i.transport == nil {
		i.transport = defaultTransport()
	}
	if i.now == nil {
		i.now = time.Now
	}
	if i.sleep == nil {
		i.sleep = sleep
	}
	if i.rand == nil {
		i.rand = rand.Float64
	}
	if i.attemptTimeout <= 0 {
		i.attemptTimeout = defaultTimeout
	}
	if i.budget = opts.RetryBudget; i.budget == nil {
		i.budget = NewRetryBudget(i.now)
	}
	return i
}

// defaultTransport keeps a few idle connections to STS for 50s: long enough
// to span back-to-back invocations of a warm instance, short enough to drop
// a connection before a frozen instance finds it dead.
func defaultTransport() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := base.Clone()
	t.MaxIdleConns = 16
	t.MaxIdleConnsPerHost = 8
	t.IdleConnTimeout = 50 * time.Second
	t.TLSHandshakeTimeout = 5 * time.Second
	return t
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Issue asks STS for credentials, retrying throttling, STS internal errors,
// 5xx, unparsable answers and broken connections while ctx's deadline leaves
// room for another attempt and the instance's retry budget holds one (a
// retry spends from it, a success earns back; see RetryBudget). Each attempt
// is signed afresh (a signature is bound to its timestamp). A failure is an
// *Error, or ErrInvalidRequest for a request that could not be sent at all.
func (i *Issuer) Issue(ctx context.Context, r Request) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, err
	}
	if r.Endpoint.Host == "" {
		r.Endpoint.Host = DefaultHost
	}
	if r.Endpoint.Scheme == "" {
		r.Endpoint.Scheme = SchemeHTTPS
	}
	var last *Error
	for n := 1; ; n++ {
		timeout := i.attemptTimeout
		if left, ok := i.timeLeft(ctx); ok {
			// With a short budget (SCF's default 3 s timeout), one stuck connection must not eat all of it:
			// an attempt gets half of what is left, but never less than hedgeFloor, so a second one fits.
			timeout = min(timeout, max(left/2, hedgeFloor), left)
		}
		if timeout <= 0 || ctx.Err() != nil {
			if last == nil {
				last = &Error{Kind: KindTimeout, Code: CodeTimeout, Message: "no time was left to call STS"}
			}
			last.Attempts = n - 1
			return Result{}, last
		}
		res, fail, retry := i.attempt(ctx, r, timeout)
		if fail == nil {
			i.budget.Succeeded()
			res.Attempts = n
			return res, nil
		}
		fail.Attempts = n
		last = fail
		if !retry || n >= maxAttempts {
			return Result{}, last
		}
		wait := i.backoff(n)
		if left, ok := i.timeLeft(ctx); ok && left < wait+minAttempt {
			return Result{}, last
		}
		if !i.budget.Spend() {
			// The failure outlasts what this instance may retry: another call would only add to STS's load.
			last.RetryBudgetSpent = true
			return Result{}, last
		}
		if i.sleep(ctx, wait) != nil {
			return Result{}, last
		}
	}
}

// timeLeft is the time until ctx's deadline, if it has one.
func (i *Issuer) timeLeft(ctx context.Context) (time.Duration, bool) {
	dl, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return dl.Sub(i.now()), true
}

// backoff is the wait after the n-th failed attempt: 100ms·2^(n-1), capped at
// 1s, of which a random half is dropped ("equal jitter"), so waits are spread
// yet never collapse to zero.
func (i *Issuer) backoff(n int) time.Duration {
	d := backoffCap
	if n <= 4 {
		d = min(backoffBase<<(n-1), backoffCap)
	}
	return d/2 + time.Duration(i.rand()*float64(d/2))
}
