package main

import (
	"container/heap"
	"math/rand/v2"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// Params is one scenario: who calls, how SCF runs the function, what STS allows, and the function's settings.
// Times are simulated, from 0.
type Params struct {
	Rate    float64 // requests per second, Poisson
	Users   int     // distinct callers; each request comes from one drawn uniformly
	PerUser bool    // each user has grants of their own (STS_AUTH=jwt): the cache key holds the sub
	Storm   *Storm  // a login storm on top, or nil

	Simulate    time.Duration // how long to run
	MeasureFrom time.Duration // figures count requests arriving from then on (caches warm up before)
	Seed        uint64

	// The function, as measured by bench/measure on a full core, and the instance's share of a core.
	CPUMint, CPUHit time.Duration
	CPUShare        float64
	STSRoundTrip    time.Duration // one call to STS from an instance, on a kept-alive connection
	ColdStart       time.Duration // from SCF's decision to start an instance to its first invocation

	// SCF.
	MaxInstances   int     // the function's concurrency: the account's quota ÷ memory, or its reserved quota
	Provisioned    int     // instances started in advance (provisioned concurrency)
	ScalePerMinute float64 // elastic instances SCF starts per minute (500 per region, per its documentation)
	PerInstance    int     // invocations one instance runs at once: 1 for an event function
	// RandomRouting sends a request to any idle instance, uniformly; otherwise to the one freed last (warm
	// reuse). SCF does not document which; a per-instance bucket admits more under random routing, where the
	// load spreads over every instance and so over every instance's tokens.
	RandomRouting bool

	// STS.
	STSPerSecond float64 // the account's calls per second for the API (600 for GetFederationToken and AssumeRole)

	// The function's settings.
	Cache          bool          // STS_CACHE=on
	Duration       time.Duration // STS_DURATION_SECONDS
	MinRemaining   time.Duration // STS_CACHE_MIN_REMAINING_SECONDS
	CacheEntries   int           // the cache's bound per instance (1,024); full, it is cleared
	LimitPerSecond float64       // a per-instance token bucket in front of STS (issuer.Limiter), burst 1; 0: none
	// NoThrottleRetry answers 429 as soon as STS throttles a call, instead of Issue's retries (not what the
	// function does: a what-if for docs/capacity.md).
	NoThrottleRetry bool
	// NoRetryBudget retries every throttled call as far as the deadline and 6 attempts allow, without the
	// instance's retry budget (issuer.RetryBudget): the function before the budget, for docs/capacity.md.
	NoRetryBudget bool
}

// Storm is extra traffic for a while, every request from a user never seen before: all cache misses.
type Storm struct {
	From, To time.Duration
	Rate     float64
}

// Result counts what happened to the requests that arrived from MeasureFrom on, and the STS calls made from then
// until Simulate (retries of the last requests run past it).
type Result struct {
	Measured time.Duration

	Requests     int
	Hits, Minted int // answered 200, from the cache or from STS
	Limited      int // 429 from the per-instance bucket, STS never called
	Throttled    int // 429 after STS throttled every attempt that fit
	NoInstance   int // 432 ResourceLimitReached: no instance free and none could be started

	STSCalls, STSThrottledCalls int
	PeakSTSPerSecond            int // the most STS calls in one second of the measured window

	PeakInstances, ColdStarts int
	InstanceSeconds           float64 // busy time of all instances: what is billed
	CPUSeconds                float64 // at a full core
}

// PerSecond is n per second of the measured window.
func (r Result) PerSecond(n int) float64 { return float64(n) / r.Measured.Seconds() }

// HitRate is the share of answered requests served from the cache.
func (r Result) HitRate() float64 {
	if r.Hits+r.Minted == 0 {
		return 0
	}
	return float64(r.Hits) / float64(r.Hits+r.Minted)
}

// Issue's retry policy (issuer/issuer.go): at most 6 attempts, backoff 100 ms doubling to 1 s with equal jitter,
// another attempt only while the deadline (10 s in serverless.yml, less a 500 ms reply margin) leaves room and the
// instance's retry budget (issuer.RetryBudget, the very type) holds one.
const (
	maxAttempts = 6
	budget      = 10*time.Second - 500*time.Millisecond
	minAttempt  = 100 * time.Millisecond
)

func backoff(n int, rng *rand.Rand) time.Duration {
	d := time.Second
	if n <= 4 {
		d = min(100*time.Millisecond<<(n-1), time.Second)
	}
	return d/2 + time.Duration(rng.Float64()*float64(d/2))
}

type instance struct {
	cache   map[int]time.Duration // grant → when its credentials expire
	limiter *issuer.Limiter
	budget  *issuer.RetryBudget // nil: every retry allowed (NoRetryBudget)
}

type request struct {
	arrived, start time.Duration
	grant          int
	inst           int
	attempts       int
	measured       bool
}

type eventKind uint8

const (
	evArrival eventKind = iota
	evAttempt
	evDone
)

type event struct {
	at   time.Duration
	kind eventKind
	req  int // index into sim.reqs, for attempts and completions
}

type events []event

func (e events) Len() int           { return len(e) }
func (e events) Less(i, j int) bool { return e[i].at < e[j].at }
func (e events) Swap(i, j int)      { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)        { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

type sim struct {
	p    Params
	rng  *rand.Rand
	now  time.Duration
	base time.Time // the limiters' clock reads base+now

	q         events
	insts     []*instance
	free      []int // instances with a free slot, most recently freed last (SCF reuses warm instances)
	reqs      []request
	spare     []int // indices of finished requests, for reuse
	sts       *issuer.Limiter
	scale     *issuer.Limiter
	nextStorm int
	perSecond map[int]int
	res       Result
}

// Run simulates p.
func Run(p Params) Result {
	s := &sim{p: p, rng: rand.New(rand.NewPCG(p.Seed, 0x5eed)), base: time.Unix(0, 0), perSecond: map[int]int{}}
	clock := func() time.Time { return s.base.Add(s.now) }
	// STS's limit and SCF's scale-up are buckets too: a second's worth (a minute's) may come at once.
	s.sts = issuer.NewLimiter(p.STSPerSecond, int(p.STSPerSecond), clock)
	s.scale = issuer.NewLimiter(p.ScalePerMinute/60, int(p.ScalePerMinute), clock)
	s.nextStorm = p.Users
	for range p.Provisioned {
		s.startInstance()
	}
	heap.Push(&s.q, event{at: s.gap(0), kind: evArrival})
	for s.q.Len() > 0 {
		ev := heap.Pop(&s.q).(event)
		s.now = ev.at
		switch ev.kind {
		case evArrival:
			if next := s.now + s.gap(s.now); next < p.Simulate {
				heap.Push(&s.q, event{at: next, kind: evArrival})
			}
			s.arrive()
		case evAttempt:
			s.attempt(ev.req)
		case evDone:
			s.done(ev.req)
		}
	}
	s.res.Measured = p.Simulate - p.MeasureFrom
	for _, n := range s.perSecond {
		s.res.PeakSTSPerSecond = max(s.res.PeakSTSPerSecond, n)
	}
	return s.res
}

func (s *sim) rate(t time.Duration) float64 {
	r := s.p.Rate
	if st := s.p.Storm; st != nil && t >= st.From && t < st.To {
		r += st.Rate
	}
	return r
}

// gap is the time to the next arrival: exponential at the rate in force now (the storm's edges are approximate
// by one gap, a fraction of a millisecond at the rates simulated).
func (s *sim) gap(t time.Duration) time.Duration {
	return time.Duration(s.rng.ExpFloat64() / s.rate(t) * float64(time.Second))
}

func (s *sim) startInstance() int {
	in := &instance{cache: map[int]time.Duration{}}
	if !s.p.NoRetryBudget {
		in.budget = issuer.NewRetryBudget(func() time.Time { return s.base.Add(s.now) })
	}
	if s.p.LimitPerSecond > 0 {
		// A burst of one: an instance runs one invocation at a time, and a fleet of full buckets must not add up
		// to more than STS takes in the second a storm begins.
		in.limiter = issuer.NewLimiter(s.p.LimitPerSecond, 1, func() time.Time { return s.base.Add(s.now) })
	}
	s.insts = append(s.insts, in)
	s.res.PeakInstances = len(s.insts) // instances are never reclaimed within a run
	for range max(s.p.PerInstance, 1) {
		s.free = append(s.free, len(s.insts)-1)
	}
	return len(s.insts) - 1
}

func (s *sim) arrive() {
	measured := s.now >= s.p.MeasureFrom
	if measured {
		s.res.Requests++
	}
	grant := 0
	if st := s.p.Storm; st != nil && s.now >= st.From && s.now < st.To && s.rng.Float64() < st.Rate/s.rate(s.now) {
		grant = s.nextStorm // a user never seen before
		s.nextStorm++
	} else if s.p.PerUser {
		grant = s.rng.IntN(s.p.Users)
	}
	start := s.now
	var idx int
	switch {
	case len(s.free) > 0:
		if s.p.RandomRouting {
			i := s.rng.IntN(len(s.free))
			s.free[i], s.free[len(s.free)-1] = s.free[len(s.free)-1], s.free[i]
		}
		idx = s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
	case len(s.insts) < s.p.MaxInstances:
		if ok, _ := s.scale.Take(); !ok {
			if measured {
				s.res.NoInstance++
			}
			return
		}
		s.startInstance()
		idx = s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
		start += s.p.ColdStart
		if measured {
			s.res.ColdStarts++
		}
	default:
		if measured {
			s.res.NoInstance++
		}
		return
	}
	id := s.newRequest(request{arrived: s.now, start: start, grant: grant, inst: idx, measured: measured})
	in := s.insts[idx]
	hitCPU := s.wall(s.p.CPUHit)
	if s.p.Cache {
		if exp, ok := in.cache[grant]; ok && exp-start >= max(s.p.MinRemaining, s.p.Duration/3) {
			s.finish(id, start+hitCPU, &s.res.Hits, s.p.CPUHit)
			return
		}
	}
	if ok, _ := in.limiter.Take(); !ok {
		s.finish(id, start+hitCPU, &s.res.Limited, s.p.CPUHit)
		return
	}
	heap.Push(&s.q, event{at: start + s.wall(s.p.CPUMint), kind: evAttempt, req: id})
}

// wall is how long cpu (measured on a full core) takes on an instance's share of one.
func (s *sim) wall(cpu time.Duration) time.Duration {
	return time.Duration(float64(cpu) / s.p.CPUShare)
}

func (s *sim) attempt(id int) {
	r := &s.reqs[id]
	r.attempts++
	inWindow := s.now >= s.p.MeasureFrom && s.now < s.p.Simulate
	if inWindow {
		s.res.STSCalls++
		s.perSecond[int(s.now/time.Second)]++
	}
	cpu := s.p.CPUHit + time.Duration(r.attempts)*(s.p.CPUMint-s.p.CPUHit)
	answered := s.now + s.p.STSRoundTrip
	in := s.insts[r.inst]
	if ok, _ := s.sts.Take(); ok {
		in.budget.Succeeded()
		if s.p.Cache {
			in.put(r.grant, answered+s.p.Duration, answered, s.p.CacheEntries)
		}
		s.finish(id, answered, &s.res.Minted, cpu)
		return
	}
	if inWindow {
		s.res.STSThrottledCalls++
	}
	wait := backoff(r.attempts, s.rng)
	next := answered + wait + s.wall(s.p.CPUMint-s.p.CPUHit) // each retry signs and parses again
	// The budget is asked last, as Issue asks it: only a retry that would otherwise be made spends from it.
	if s.p.NoThrottleRetry || r.attempts >= maxAttempts || r.start+budget-next < minAttempt || !in.budget.Spend() {
		s.finish(id, answered, &s.res.Throttled, cpu)
		return
	}
	heap.Push(&s.q, event{at: next, kind: evAttempt, req: id})
}

// put keeps credentials for grant as the function's cache does: expired entries go when it is full, and if it
// is still full it is cleared.
func (in *instance) put(grant int, expires, now time.Duration, bound int) {
	if len(in.cache) >= bound {
		for g, exp := range in.cache {
			if exp < now {
				delete(in.cache, g)
			}
		}
		if len(in.cache) >= bound {
			clear(in.cache)
		}
	}
	in.cache[grant] = expires
}

func (s *sim) finish(id int, at time.Duration, outcome *int, cpu time.Duration) {
	r := &s.reqs[id]
	if r.measured {
		*outcome++
		s.res.InstanceSeconds += (at - r.start).Seconds()
		s.res.CPUSeconds += cpu.Seconds()
	}
	heap.Push(&s.q, event{at: at, kind: evDone, req: id})
}

func (s *sim) done(id int) {
	r := &s.reqs[id]
	s.free = append(s.free, r.inst)
	s.spare = append(s.spare, id)
}

func (s *sim) newRequest(r request) int {
	if n := len(s.spare); n > 0 {
		id := s.spare[n-1]
		s.spare = s.spare[:n-1]
		s.reqs[id] = r
		return id
	}
	s.reqs = append(s.reqs, r)
	return len(s.reqs) - 1
}
