// Command measure is the project's performance benchmark driver. It builds the function, the floor (bench/floor) and the bare
// function (bench/bare) with the function's own flags, and measures them interleaved in one run on the project's
// STS emulator, as SCF runs them (internal/scfrpc): cold starts (exec to the first minted reply) alternating
// between the programs, warm latency and CPU time per invocation in blocks that take turns, peak RSS, binary
// sizes and STS connections; then the handler alone in this process (bench/workload's BenchmarkHandler). It
// prints one Markdown table of the figures, their ratios to the floor and the project's goals with PASS or FAIL,
// and the machine it ran on. Progress goes to stderr.
//
//	go run ./bench/measure            # the full run: 21 cold starts, 5,000 warm invocations each (about a minute)
//	go run ./bench/measure -quick     # a few seconds: proves the driver works, compares nothing
//	go run ./bench/measure -profile /tmp/fn.perf   # where the function's CPU goes (Linux perf, 10,000 invocations)
//
// scripts/bench.sh compare runs it. It needs Linux (/proc) and works from any directory inside the module.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// config is one run's sample counts.
type config struct {
	quick        bool
	coldRuns     int
	warm         warmPlan
	rssAt        int
	handlerRuns  int
	handlerTime  time.Duration
	root         string
	buildTimeout time.Duration
}

func defaultConfig(quick bool) config {
	if quick {
		return config{quick: true, coldRuns: 3, warm: warmPlan{warmup: 20, n: 300, block: 50}, rssAt: 300,
			handlerRuns: 1, handlerTime: 100 * time.Millisecond, buildTimeout: 10 * time.Minute}
	}
	return config{coldRuns: 21, warm: warmPlan{warmup: 200, n: 5000, block: 100}, rssAt: 2000,
		handlerRuns: 5, handlerTime: time.Second, buildTimeout: 10 * time.Minute}
}

func main() {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	quick := fs.Bool("quick", false, "a few samples of everything: proves the driver works in seconds, compares nothing")
	cold := fs.Int("cold", 0, "cold starts of each program (default 21; quick 3)")
	warm := fs.Int("warm", 0, "measured warm invocations of each program (default 5,000; quick 300)")
	block := fs.Int("block", 0, "warm invocations of one program before the next takes its turn (default 100)")
	root := fs.String("root", "", "the module's root (default: found from the working directory)")
	profile := fs.String("profile", "", "instead of the table: perf-record the function over -warm invocations (default 10,000) into this file and summarise where its CPU goes")
	fs.Parse(os.Args[1:]) //nolint:errcheck // ExitOnError.
	cfg := defaultConfig(*quick)
	if *cold > 0 {
		cfg.coldRuns = *cold
	}
	if *warm > 0 {
		cfg.warm.n = *warm
		cfg.rssAt = min(cfg.rssAt, *warm)
	}
	if *block > 0 {
		cfg.warm.block = *block
	}
	cfg.root = *root
	if *profile != "" {
		n := 10000
		if *warm > 0 {
			n = *warm
		}
		err := func() error {
			if cfg.root == "" {
				var err error
				if cfg.root, err = moduleRoot(); err != nil {
					return err
				}
			}
			return profileWarm(context.Background(), cfg, *profile, n, os.Stdout, os.Stderr)
		}()
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
}

// run measures and writes the report to out, progress to progress.
func run(ctx context.Context, cfg config, out, progress io.Writer) error {
	if runtime.GOOS != "linux" {
		return errors.New("needs Linux: CPU time and memory are read from /proc")
	}
	if cfg.warm.n < cfg.rssAt || cfg.coldRuns < 1 || cfg.warm.block < 1 {
		return fmt.Errorf("want at least one cold start, a block of one, and %d warm invocations (the RSS point)", cfg.rssAt)
	}
	cfg.warm.rssAt = cfg.rssAt
	if cfg.root == "" {
		var err error
		if cfg.root, err = moduleRoot(); err != nil {
			return err
		}
	}
	r := &report{started: time.Now(), commit: commit(cfg.root), cfg: cfg, progs: programs()}

	fmt.Fprintln(progress, "building the function, the floor and the bare function (cached per state of the sources)")
	bctx, cancel := context.WithTimeout(ctx, cfg.buildTimeout)
	err := build(bctx, cfg.root, r.progs)
	cancel()
	if err != nil {
		return err
	}
	r.machine = readMachine()

	// The handler first, while nothing else of this run is alive.
	if r.handler, err = measureHandler(cfg.handlerRuns, cfg.handlerTime, progress); err != nil {
		return err
	}
	rg := newRig()
	if err := rg.probe(ctx, r.progs[progFunction]); err != nil {
		return err
	}
	coldProgs := []*program{r.progs[progFunction], r.progs[progFloor], r.progs[progBare]}
	if r.cold, err = measureCold(ctx, rg, coldProgs, cfg.coldRuns, progress); err != nil {
		return err
	}
	if r.warm, err = measureWarm(ctx, rg, r.progs, cfg.warm, progress); err != nil {
		return err
	}
	r.machine.loadEnd = loadAverage()
	r.write(out)
	return nil
}

// moduleRoot is the nearest directory upwards from the working directory with a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside a Go module: run it from the repository, or pass -root")
		}
		dir = parent
	}
}
