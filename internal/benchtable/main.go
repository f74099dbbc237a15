// Command benchtable reads `go test -bench -benchmem -count N` output and
// prints, per benchmark, the median ns/op, B/op and allocs/op over the runs.
// The median, not the mean, because one run disturbed by another process on a
// small machine should not move the figure. scripts/bench.sh pipes into it, so
// a table needs nothing but Go:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./... | go run ./internal/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	rows, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results in the input")
		os.Exit(1)
	}
	if err := write(os.Stdout, rows); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// units are the columns of the table, in order.
var units = []string{"ns/op", "B/op", "allocs/op"}

// row is one benchmark of one package, with every run's value per unit.
type row struct {
	pkg, name string
	runs      map[string][]float64 // unit → one value per run
}

// parse collects results by package and benchmark, in the order first seen.
// A "pkg:" line names the package of the results after it, as go test prints.
func parse(r io.Reader) ([]*row, error) {
	var (
		rows []*row
		byID = map[string]*row{}
		pkg  string
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "pkg:" {
			pkg = f[1]
			continue
		}
		// "BenchmarkX-2  2058  577348 ns/op  27944 B/op  268 allocs/op"
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a benchmark's own log line, not a result
		}
		id := pkg + " " + f[0]
		rw := byID[id]
		if rw == nil {
			rw = &row{pkg: pkg, name: f[0], runs: map[string][]float64{}}
			byID[id] = rw
			rows = append(rows, rw)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q of %s is not a number", f[0], f[i], f[i+1])
			}
			rw.runs[f[i+1]] = append(rw.runs[f[i+1]], v)
		}
	}
	return rows, sc.Err()
}

// median of the values; the mean of the middle two for an even count.
func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// write prints the table: names left, figures right; a unit a benchmark did
// not report shows as "-".
func write(w io.Writer, rows []*row) error {
	table := [][]string{{"benchmark", "runs"}}
	for _, u := range units {
		table[0] = append(table[0], "median "+u)
	}
	for _, r := range rows {
		name := r.name
		if r.pkg != "" {
			name = r.pkg[strings.LastIndex(r.pkg, "/")+1:] + "." + strings.TrimPrefix(r.name, "Benchmark")
		}
		line := []string{name, strconv.Itoa(len(r.runs["ns/op"]))}
		for _, u := range units {
			cell := "-"
			if vs := r.runs[u]; len(vs) > 0 {
				cell = strconv.FormatFloat(median(vs), 'f', -1, 64)
			}
			line = append(line, cell)
		}
		table = append(table, line)
	}
	width := make([]int, len(table[0]))
	for _, line := range table {
		for i, cell := range line {
			width[i] = max(width[i], len(cell))
		}
	}
	var b strings.Builder
	for _, line := range table {
		fmt.Fprintf(&b, "%-*s", width[0], line[0])
		for i, cell := range line[1:] {
			fmt.Fprintf(&b, "  %*s", width[i+1], cell)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
