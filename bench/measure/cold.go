package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
	"github.com/cos-sts-scf/cos-sts-scf/internal/stsemu"
)

// coldPoll is how often a starting program is tried: the wait adds at most this to a cold start, and the dialling
// costs little of a 2-core machine's time (a refused loopback connection is microseconds).
const coldPoll = 200 * time.Microsecond

// coldResult is one program's cold starts: exec to the Ping answer (the runtime and the program's init, for the
// function its configuration too), and exec to the first minted reply.
type coldResult struct {
	ready, reply []time.Duration
}

// measureCold starts each program runs times, alternating which goes first in each round so that a drift in
// load reaches all alike. Each start is a fresh process against a warm emulator; the reply is checked.
func measureCold(ctx context.Context, r *rig, progs []*program, runs int, progress io.Writer) (map[*program]*coldResult, error) {
	emus := map[*program]*stsemu.Server{}
	defer func() {
		for _, emu := range emus {
			emu.Close()
		}
	}()
	out := map[*program]*coldResult{}
	for _, p := range progs {
		out[p] = &coldResult{}
		if p.mints {
			emu, err := r.emulator()
			if err != nil {
				return nil, err
			}
			emus[p] = emu
		}
	}
	for round := range runs {
		for i := range progs {
			p := progs[(round+i)%len(progs)]
			env := r.envFor(p, emus[p])
			ready, reply, err := coldStart(ctx, p, env)
			if err != nil {
				return nil, fmt.Errorf("cold start %d of %s: %w", round+1, p.name, err)
			}
			out[p].ready = append(out[p].ready, ready)
			out[p].reply = append(out[p].reply, reply)
		}
		for _, emu := range emus {
			emu.Reset() // the record of calls would only grow
		}
		fmt.Fprintf(progress, "\rcold starts: %d/%d rounds", round+1, runs)
	}
	fmt.Fprintln(progress)
	return out, nil
}

func coldStart(ctx context.Context, p *program, env map[string]string) (ready, reply time.Duration, err error) {
	list := envList(env)
	start := time.Now()
	f, err := scfrpc.StartWith(ctx, p.bin, list, scfrpc.StartOptions{Poll: coldPoll})
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	ready = time.Since(start)
	payload, err := invoke(ctx, f, env, 0)
	reply = time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if !p.minted(payload) {
		return 0, 0, fmt.Errorf("reply %.300q is not what it should answer; its log:\n%s", payload, f.Output())
	}
	return ready, reply, nil
}
