package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/bench/workload"
)

// handlerResult is the handler-alone benchmark's medians over its repetitions, and the range of its times.
type handlerResult struct {
	perOp         time.Duration
	spread        spread
	allocsPerOp   int64
	bytesPerOp    int64
	runs, opsEach int
}

// measureHandler runs bench/workload's BenchmarkHandler runs times in this process, each for benchtime, as
// `go test -bench` would (scripts/bench.sh runs the same benchmark through benchstat).
func measureHandler(runs int, benchtime time.Duration, progress io.Writer) (handlerResult, error) {
	testing.Init() // registers -test.benchtime, which testing.Benchmark reads; a no-op under go test
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		return handlerResult{}, err
	}
	var times []time.Duration
	var allocs, bytes []int64
	res := handlerResult{runs: runs}
	for i := range runs {
		r := testing.Benchmark(workload.Handler)
		if r.N == 0 {
			return handlerResult{}, errors.New("the handler benchmark failed (see bench/workload: go test -bench Handler)")
		}
		times = append(times, time.Duration(r.NsPerOp()))
		allocs = append(allocs, r.AllocsPerOp())
		bytes = append(bytes, r.AllocedBytesPerOp())
		res.opsEach = r.N
		fmt.Fprintf(progress, "\rhandler benchmark: %d/%d runs", i+1, runs)
	}
	fmt.Fprintln(progress)
	res.perOp, res.spread = median(times), rangeOf(times)
	res.allocsPerOp, res.bytesPerOp = medianInt(allocs), medianInt(bytes)
	return res, nil
}

func medianInt(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
