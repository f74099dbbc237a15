package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report is everything one run measured.
type report struct {
	started time.Time
	commit  string
	machine machine
	cfg     config
	progs   []*program
	cold    map[*program]*coldResult
	warm    map[*program]*warmResult
	handler handlerResult
}

// row is one line of the table: a figure for each program, its ratio to the floor, and the project's goal for it.
type row struct {
	figure string
	cells  []string // in the order of programs()
	ratio  string
	goal   string
	result string // PASS, FAIL, or "—" for a figure without a goal
}

// The project's performance goals (README, "Latest bench table").
const (
	goalWarmRatio    = 1.3
	goalCPURatio     = 1.4
	goalColdRatio    = 1.2
	goalRSSRatio     = 1.5
	goalBinaryBytes  = 9_000_000 // 9.0 MB in decimal megabytes, as the table prints sizes
	goalConnections  = 1
	goalHandlerTime  = 40 * time.Microsecond
	goalHandlerAlloc = 120
)

const none = "—"

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// rows builds the table.
func (r *report) rows() []row {
	fn, floor := r.progs[progFunction], r.progs[progFloor]
	var rows []row

	// Warm latency and CPU: every program.
	warmRow := func(figure string, f func(*warmResult) (time.Duration, spread), goal float64) {
		rw := row{figure: figure, goal: none, result: none}
		for _, p := range r.progs {
			v, s := f(r.warm[p])
			rw.cells = append(rw.cells, durWithSpread(v, s))
		}
		fv, _ := f(r.warm[fn])
		lv, _ := f(r.warm[floor])
		ratio := float64(fv) / float64(lv)
		rw.ratio = fmt.Sprintf("%.2f×", ratio)
		if goal > 0 {
			rw.goal = fmt.Sprintf("≤ %.1f× floor", goal)
			rw.result = verdict(ratio <= goal)
		}
		rows = append(rows, rw)
	}
	warmRow("warm invocation p50", func(w *warmResult) (time.Duration, spread) {
		return median(w.latency), rangeOf(chunks(w.latency, parts, median))
	}, goalWarmRatio)
	warmRow("warm invocation p99", func(w *warmResult) (time.Duration, spread) {
		p99 := func(xs []time.Duration) time.Duration { return quantile(xs, 0.99) }
		return p99(w.latency), rangeOf(chunks(w.latency, parts, p99))
	}, 0)
	warmRow("CPU per warm invocation", func(w *warmResult) (time.Duration, spread) {
		return w.cpuPerInvocation(), rangeOf(w.chunkCPU())
	}, goalCPURatio)

	// Cold starts: the cached function is the same binary, started the same way.
	coldRow := func(figure string, f func(*coldResult) []time.Duration, goal float64) {
		rw := row{figure: figure, goal: none, result: none}
		for i, p := range r.progs {
			if i == progCached {
				rw.cells = append(rw.cells, none)
				continue
			}
			xs := f(r.cold[p])
			rw.cells = append(rw.cells, durWithSpread(median(xs), spread{quantile(xs, 0.25), quantile(xs, 0.75)}))
		}
		ratio := float64(median(f(r.cold[fn]))) / float64(median(f(r.cold[floor])))
		rw.ratio = fmt.Sprintf("%.2f×", ratio)
		if goal > 0 {
			rw.goal = fmt.Sprintf("≤ %.1f× floor", goal)
			rw.result = verdict(ratio <= goal)
		}
		rows = append(rows, rw)
	}
	coldRow("cold start, exec to first reply", func(c *coldResult) []time.Duration { return c.reply }, goalColdRatio)
	coldRow("cold start, exec to ready (Ping)", func(c *coldResult) []time.Duration { return c.ready }, 0)

	rss := row{figure: fmt.Sprintf("peak RSS after %s warm invocations", count(r.cfg.rssAt)), goal: fmt.Sprintf("≤ %.1f× floor", goalRSSRatio)}
	for _, p := range r.progs {
		rss.cells = append(rss.cells, mb(r.warm[p].peakRSS))
	}
	rssRatio := float64(r.warm[fn].peakRSS) / float64(r.warm[floor].peakRSS)
	rss.ratio, rss.result = fmt.Sprintf("%.2f×", rssRatio), verdict(rssRatio <= goalRSSRatio)
	rows = append(rows, rss)

	bin := row{figure: "stripped binary, " + r.machine.goos + "/" + r.machine.goarch, goal: "≤ 9.0 MB"}
	for i, p := range r.progs {
		if i == progCached {
			bin.cells = append(bin.cells, none)
			continue
		}
		bin.cells = append(bin.cells, mb(p.size))
	}
	bin.ratio = fmt.Sprintf("%.2f×", float64(fn.size)/float64(floor.size))
	bin.result = verdict(fn.size <= goalBinaryBytes)
	rows = append(rows, bin)

	conns := row{figure: fmt.Sprintf("STS connections over %s warm invocations", count(r.cfg.rssAt)), ratio: none, goal: "= 1"}
	for _, p := range r.progs {
		if c := r.warm[p].conns; c >= 0 {
			conns.cells = append(conns.cells, fmt.Sprint(c))
		} else {
			conns.cells = append(conns.cells, none)
		}
	}
	conns.result = verdict(r.warm[fn].conns == goalConnections)
	rows = append(rows, conns)

	h := r.handler
	onlyFunction := func(cell string) []string {
		cells := []string{cell}
		for range len(r.progs) - 1 {
			cells = append(cells, none)
		}
		return cells
	}
	rows = append(rows,
		row{figure: "handler alone, STS faked: time per request", cells: onlyFunction(durWithSpread(h.perOp, h.spread)),
			ratio: none, goal: "≤ 40 µs", result: verdict(h.perOp <= goalHandlerTime)},
		row{figure: "handler alone, STS faked: allocations per request", cells: onlyFunction(fmt.Sprintf("%d (%.1f KB)", h.allocsPerOp, float64(h.bytesPerOp)/1000)),
			ratio: none, goal: "≤ 120", result: verdict(h.allocsPerOp <= goalHandlerAlloc)},
	)
	return rows
}

// parts is how many consecutive stretches of a warm run the spread is taken over.
const parts = 5

func (w *warmResult) cpuPerInvocation() time.Duration {
	if len(w.latency) == 0 {
		return 0
	}
	return w.cpuThreads / time.Duration(len(w.latency))
}

// chunkCPU is the CPU per invocation in each fifth of the run, from the blocks' own CPU time.
func (w *warmResult) chunkCPU() []time.Duration {
	perBlock := make([]time.Duration, len(w.blockCPU))
	for i, c := range w.blockCPU {
		perBlock[i] = c / time.Duration(w.block)
	}
	return chunks(perBlock, parts, mean)
}

// write prints the report as Markdown: a heading, the machine, the table and what its spreads mean.
func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "## cos-sts-scf bench, %s (%s)\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.commit)
	if r.cfg.quick {
		fmt.Fprintf(w, "**Quick mode**: too few samples to compare anything; it shows the driver works.\n\n")
	}
	m := r.machine
	fmt.Fprintf(w, "Machine: %s, %d cores; load average %s at the start, %s at the end; %s %s/%s; Linux %s.\n\n",
		m.cpu, m.cores, m.loadStart, m.loadEnd, m.goVersion, m.goos, m.goarch, m.kernel)
	header := []string{"figure"}
	for _, p := range r.progs {
		header = append(header, p.name)
	}
	header = append(header, "function ÷ floor", "goal", "result")
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(header)))
	for _, rw := range r.rows() {
		cells := append(append([]string{rw.figure}, rw.cells...), rw.ratio, rw.goal, rw.result)
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fn := r.warm[r.progs[progFunction]]
	fmt.Fprintf(w, "\nInterleaved in one run on the STS emulator, one emulator per minting program: %d cold starts of each, "+
		"taking turns; %s warm invocations of each after %s unmeasured, in blocks of %d taking turns. "+
		"Spreads: warm figures, the range over the run's five consecutive fifths; cold starts, p25–p75; the handler, "+
		"the range over its runs (%d, of %d invocations each). CPU is the function process's live threads (schedstat) over the "+
		"warm run divided by its invocations; /proc/<pid>/stat's 10 ms ticks give %s for the function. The cache-hit "+
		"column is the function with STS_CACHE=on, every request after the first answered from its cache.\n",
		r.cfg.coldRuns, count(r.cfg.warm.n), count(r.cfg.warm.warmup), r.cfg.warm.block,
		r.handler.runs, r.handler.opsEach, dur(fn.cpuTicks/time.Duration(max(len(fn.latency), 1))))
}

func dur(d time.Duration) string {
	switch {
	case d < 10*time.Microsecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// durWithSpread is "0.62 ms (0.60–0.66)", the spread in the figure's unit.
func durWithSpread(d time.Duration, s spread) string {
	v := dur(d)
	unit := v[strings.LastIndexByte(v, ' ')+1:]
	num := func(x time.Duration) string {
		y := dur(x)
		if u := y[strings.LastIndexByte(y, ' ')+1:]; u != unit { // a spread crossing a unit boundary
			return y
		}
		return y[:strings.LastIndexByte(y, ' ')]
	}
	return fmt.Sprintf("%s (%s–%s)", v, num(s.lo), num(s.hi))
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// count writes 2000 as "2,000".
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
