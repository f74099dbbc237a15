package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// warmResult is one warm instance's run.
type warmResult struct {
	latency  []time.Duration // every measured invocation, in order
	blockCPU []time.Duration // the process's CPU time over each block, in order
	block    int             // invocations per block

	cpuThreads time.Duration // ThreadCPUTime over the whole measured run, background work included
	cpuTicks   time.Duration // /proc/<pid>/stat's utime+stime over the same run, in 10 ms ticks

	peakRSS int64 // VmHWM once rssAt invocations were measured
	conns   int   // connections STS accepted from the instance's start until then (-1: mints nothing)
}

// warmPlan is how the warm run is cut.
type warmPlan struct {
	warmup int // unmeasured invocations first: one-time costs (the SDK's caches, the first connection) go there
	n      int // measured invocations per program
	block  int // consecutive invocations of one program; programs take turns, block by block
	rssAt  int // measured invocations after which peak RSS and connections are read
}

type instance struct {
	p   *program
	f   *scfrpc.Function
	emu *stsemu.Server
	env map[string]string
	res *warmResult
	n   int // invocations so far, warm-up included
}

// measureWarm starts one warm instance of each program and invokes them in turns of plan.block invocations,
// rotating which goes first each round, so that whatever else the machine does lands on all of them alike.
func measureWarm(ctx context.Context, r *rig, progs []*program, plan warmPlan, progress io.Writer) (map[*program]*warmResult, error) {
	var insts []*instance
	defer func() {
		for _, in := range insts {
			in.f.Close()
			if in.emu != nil {
				in.emu.Close()
			}
		}
	}()
	for _, p := range progs {
		in := &instance{p: p, res: &warmResult{block: plan.block, conns: -1}}
		if p.mints {
			emu, err := r.emulator()
			if err != nil {
				return nil, err
			}
			in.emu = emu
		}
		in.env = r.envFor(p, in.emu)
		f, err := scfrpc.Start(ctx, p.bin, envList(in.env))
		if err != nil {
			if in.emu != nil {
				in.emu.Close()
			}
			return nil, fmt.Errorf("start %s: %w", p.name, err)
		}
		in.f = f
		insts = append(insts, in)
	}
	for _, in := range insts {
		if _, err := in.run(ctx, plan.warmup, false); err != nil {
			return nil, err
		}
	}
	type mark struct{ threads, ticks time.Duration }
	start := map[*instance]mark{}
	for _, in := range insts {
		threads, ticks, err := cpu(in.f)
		if err != nil {
			return nil, err
		}
		start[in] = mark{threads, ticks}
	}
	rounds := (plan.n + plan.block - 1) / plan.block
	for round := range rounds {
		for i := range insts {
			in := insts[(round+i)%len(insts)]
			before, err := in.f.ThreadCPUTime()
			if err != nil {
				return nil, err
			}
			n := min(plan.block, plan.n-len(in.res.latency))
			lat, err := in.run(ctx, n, true)
			if err != nil {
				return nil, err
			}
			after, err := in.f.ThreadCPUTime()
			if err != nil {
				return nil, err
			}
			in.res.latency = append(in.res.latency, lat...)
			in.res.blockCPU = append(in.res.blockCPU, after-before)
			if len(in.res.latency) >= plan.rssAt && in.res.peakRSS == 0 {
				st, err := in.f.Stats()
				if err != nil {
					return nil, err
				}
				in.res.peakRSS = st.PeakRSSBytes
				if in.emu != nil {
					in.res.conns = in.emu.Connections()
				}
			}
			if in.emu != nil {
				in.emu.Reset() // the record of calls would only grow
			}
		}
		fmt.Fprintf(progress, "\rwarm invocations: %d/%d per program", min((round+1)*plan.block, plan.n), plan.n)
	}
	fmt.Fprintln(progress)
	out := map[*program]*warmResult{}
	for _, in := range insts {
		threads, ticks, err := cpu(in.f)
		if err != nil {
			return nil, err
		}
		in.res.cpuThreads = threads - start[in].threads
		in.res.cpuTicks = ticks - start[in].ticks
		out[in.p] = in.res
	}
	return out, nil
}

func cpu(f *scfrpc.Function) (threads, ticks time.Duration, err error) {
	if threads, err = f.ThreadCPUTime(); err != nil {
		return 0, 0, err
	}
	st, err := f.Stats()
	return threads, st.CPUTime, err
}

// run makes n invocations one after another, checking each reply, and returns their latencies when timed.
func (in *instance) run(ctx context.Context, n int, timed bool) ([]time.Duration, error) {
	var lat []time.Duration
	if timed {
		lat = make([]time.Duration, 0, n)
	}
	for range n {
		t := time.Now()
		payload, err := invoke(ctx, in.f, in.env, in.n)
		d := time.Since(t)
		in.n++
		if err != nil {
			return nil, fmt.Errorf("%s, invocation %d: %w", in.p.name, in.n, err)
		}
		if !in.p.minted(payload) {
			return nil, fmt.Errorf("%s, invocation %d: reply %.300q is not what it should answer; its log ends:\n%s",
				in.p.name, in.n, payload, tail(in.f.Output(), 2000))
		}
		if timed {
			lat = append(lat, d)
		}
	}
	return lat, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
