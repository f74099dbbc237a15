// Command capacity is the model behind docs/capacity.md: a discrete-event simulation of users asking the function
// for keys on SCF, with STS's per-account limit in front of it. For each scenario (10, 1,000 and 100,000 requests
// per second, shared or per-user grants, STS_CACHE, a per-instance token bucket, the retry budget, a login storm) it
// prints the STS
// calls per second, what STS throttles, the 429s and 432s callers get, the instances SCF needs and the CPU spent.
//
//	go run ./bench/capacity               # every scenario (about a minute)
//	go run ./bench/capacity -quick        # short runs: proves the model works, figures rough
//	go run ./bench/capacity -cpu-mint 400us -cpu-hit 150us   # after an optimisation, with bench/measure's figures
//
// What it assumes, and where each number comes from, is in docs/capacity.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// defaults are the measured and documented figures (docs/capacity.md says where each comes from).
func defaults() Params {
	return Params{
		CPUMint:        888 * time.Microsecond, // bench/measure: CPU per warm minting invocation
		CPUHit:         470 * time.Microsecond, // bench/measure: the same with STS_CACHE=on, a cache hit
		CPUShare:       1.0 / 16,               // assumed: SCF does not document a 64 MB instance's CPU
		STSRoundTrip:   30 * time.Millisecond,  // assumed: an in-region call on a kept-alive HTTPS connection
		ColdStart:      200 * time.Millisecond, // assumed: sandbox and code start, beyond the binary's own 14 ms
		MaxInstances:   128000 / 64,            // the default regional quota (128,000 MB) ÷ 64 MB
		ScalePerMinute: 500,                    // SCF: elastic instances per minute per region
		PerInstance:    1,                      // an event function runs one invocation at a time
		STSPerSecond:   600,                    // STS: GetFederationToken and AssumeRole, per account
		Duration:       1800 * time.Second,     // STS_DURATION_SECONDS
		MinRemaining:   300 * time.Second,      // STS_CACHE_MIN_REMAINING_SECONDS
		CacheEntries:   1024,
		Seed:           1,
	}
}

// scenario is one row: a name, what the operator set, and the parameters.
type scenario struct {
	name, settings string
	p              Params
}

// limitFor is the per-instance rate that keeps the sum under 80 % of STS's limit when at most maxInstances run.
func limitFor(maxInstances int) float64 { return 0.8 * 600 / float64(maxInstances) }

func scenarios(base Params, quick bool) []scenario {
	// Simulated time: long enough at low rates for caches to matter, short at 100,000/s.
	long, mid, short := 3600*time.Second, 900*time.Second, 40*time.Second
	if quick {
		long, mid, short = 120*time.Second, 20*time.Second, 500*time.Millisecond
	}
	at := func(rate float64, users int, perUser bool, sim time.Duration, f func(*Params)) Params {
		p := base
		p.Rate, p.Users, p.PerUser, p.Simulate, p.MeasureFrom = rate, users, perUser, sim, sim/2
		if f != nil {
			f(&p)
		}
		return p
	}
	cache := func(p *Params) { p.Cache = true }
	storm := func(limit int) func(*Params) {
		return func(p *Params) {
			p.Storm = &Storm{From: p.Simulate / 2, To: p.Simulate/2 + p.Simulate/4, Rate: 9000}
			p.MeasureFrom = p.Simulate / 2
			p.Simulate = p.Simulate/2 + p.Simulate/4 // measure the storm itself
			if limit > 0 {
				p.MaxInstances = limit
				p.LimitPerSecond = limitFor(limit)
			}
		}
	}
	return []scenario{
		{"10/s, one shared grant", "defaults", at(10, 600, false, long, nil)},
		{"10/s, per-user grants", "STS_CACHE=on", at(10, 600, true, long, cache)},
		{"1,000/s, per-user grants", "defaults", at(1000, 60000, true, mid, nil)},
		{"1,000/s, per-user grants", "before the retry budget", at(1000, 60000, true, mid, func(p *Params) { p.NoRetryBudget = true })},
		{"1,000/s, per-user grants", "STS_CACHE=on", at(1000, 60000, true, mid, cache)},
		{"1,000/s, per-user grants", fmt.Sprintf("reserved 100, STS_MAX_CALLS_PER_SECOND=%.1f", limitFor(100)),
			at(1000, 60000, true, mid, func(p *Params) { p.MaxInstances, p.LimitPerSecond = 100, limitFor(100) })},
		{"1,000/s, per-user grants", "the same, random routing",
			at(1000, 60000, true, mid, func(p *Params) { p.MaxInstances, p.LimitPerSecond, p.RandomRouting = 100, limitFor(100), true })},
		{"1,000/s, per-user grants", "what-if: no retry when STS throttles",
			at(1000, 60000, true, mid, func(p *Params) { p.NoThrottleRetry = true })},
		{"1,000/s, one shared grant", "STS_CACHE=on", at(1000, 60000, false, mid, cache)},
		{"100,000/s, one shared grant", "STS_CACHE=on, no provisioned concurrency", at(100000, 6_000_000, false, short, func(p *Params) {
			p.Cache, p.MeasureFrom = true, 0
		})},
		{"100,000/s, one shared grant", "STS_CACHE=on, provisioned 1,000", at(100000, 6_000_000, false, short, func(p *Params) {
			p.Cache, p.Provisioned = true, 1000
		})},
		{"100,000/s, per-user grants", "STS_CACHE=on, provisioned 1,000", at(100000, 6_000_000, true, short, func(p *Params) {
			p.Cache, p.Provisioned = true, 1000
		})},
		{"1,000/s + a storm of 9,000/s new users", "STS_CACHE=on", at(1000, 60000, true, mid, func(p *Params) { cache(p); storm(0)(p) })},
		{"1,000/s + a storm of 9,000/s new users", "STS_CACHE=on, before the retry budget",
			at(1000, 60000, true, mid, func(p *Params) { cache(p); storm(0)(p); p.NoRetryBudget = true })},
		{"1,000/s + a storm of 9,000/s new users", fmt.Sprintf("STS_CACHE=on, reserved 300, STS_MAX_CALLS_PER_SECOND=%.1f", limitFor(300)),
			at(1000, 60000, true, mid, func(p *Params) { cache(p); storm(300)(p) })},
		{"1,000/s + a storm of 9,000/s new users", "the same, random routing",
			at(1000, 60000, true, mid, func(p *Params) { cache(p); storm(300)(p); p.RandomRouting = true })},
	}
}

func main() {
	fs := flag.NewFlagSet("capacity", flag.ExitOnError)
	p := defaults()
	quick := fs.Bool("quick", false, "short simulated runs: proves the model works, figures rough")
	fs.DurationVar(&p.CPUMint, "cpu-mint", p.CPUMint, "CPU per minting invocation on a full core (bench/measure)")
	fs.DurationVar(&p.CPUHit, "cpu-hit", p.CPUHit, "CPU per cache hit on a full core (bench/measure, STS_CACHE=on)")
	fs.Float64Var(&p.CPUShare, "cpu-share", p.CPUShare, "the share of a core a 64 MB instance gets")
	fs.DurationVar(&p.STSRoundTrip, "sts-rtt", p.STSRoundTrip, "one STS call's round trip from an instance")
	fs.DurationVar(&p.ColdStart, "cold-start", p.ColdStart, "an instance's start, from SCF's decision to its first invocation")
	fs.Parse(os.Args[1:]) //nolint:errcheck // ExitOnError.
	write(os.Stdout, p, scenarios(p, *quick))
}

// write runs the scenarios and prints the table.
func write(w io.Writer, base Params, scs []scenario) {
	fmt.Fprintf(w, "Assumed: %s CPU per minting invocation and %s per cache hit on a full core, %.3g of a core per "+
		"instance, STS round trip %s, cold start %s, at most %d instances, %.0f started per minute, STS %.0f calls/s, "+
		"credentials of %s reused while %s remain (and a third of their life).\n\n",
		base.CPUMint, base.CPUHit, base.CPUShare, base.STSRoundTrip, base.ColdStart, base.MaxInstances,
		base.ScalePerMinute, base.STSPerSecond, base.Duration, base.MinRemaining)
	fmt.Fprintln(w, "| scenario | settings | 200 /s | cache hits | STS calls/s (peak second) | throttled by STS /s | 429 /s (bucket, STS) | 432 /s | instances (peak) | busy instances | CPU, cores |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, sc := range scs {
		r := Run(sc.p)
		fmt.Fprintf(w, "| %s | %s | %s | %.0f %% | %s (%d) | %s | %s, %s | %s | %d | %s | %s |\n",
			sc.name, sc.settings, rate(r.PerSecond(r.Hits+r.Minted)), 100*r.HitRate(),
			rate(r.PerSecond(r.STSCalls)), r.PeakSTSPerSecond, rate(r.PerSecond(r.STSThrottledCalls)),
			rate(r.PerSecond(r.Limited)), rate(r.PerSecond(r.Throttled)), rate(r.PerSecond(r.NoInstance)),
			r.PeakInstances, rate(r.InstanceSeconds/r.Measured.Seconds()), rate(r.CPUSeconds/r.Measured.Seconds()))
	}
}

// rate writes a per-second figure with the precision it deserves.
func rate(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x < 10:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
	}
	return fmt.Sprintf("%.0f", x)
}
