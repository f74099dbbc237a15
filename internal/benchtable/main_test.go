package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: example.com/m/e2e
BenchmarkInvoke-2   	    2058	    577348 ns/op	   27944 B/op	     268 allocs/op
BenchmarkInvoke-2   	    2070	    570181 ns/op	   27911 B/op	     268 allocs/op
BenchmarkInvoke-2   	    2001	    990000 ns/op	   27990 B/op	     269 allocs/op
BenchmarkSlow-2   	       1	1000 ns/op
BenchmarkSlow-2   	       1	3000 ns/op
PASS
pkg: example.com/m/issuer
BenchmarkInvoke-2   	    8822	    118646 ns/op	   37592 B/op	     464 allocs/op
BenchmarkInvoke-2 logged a line, not a result
ok  	example.com/m/issuer	2.362s
`

func TestTable(t *testing.T) {
	rows, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out bytes.Buffer
	if err := write(&out, rows); err != nil {
		t.Fatalf("write: %v", err)
	}
	want := []string{
		"benchmark        runs  median ns/op  median B/op  median allocs/op",
		"e2e.Invoke-2        3        577348        27944               268",
		"e2e.Slow-2          2          2000            -                 -",
		"issuer.Invoke-2     1        118646        37592               464",
	}
	got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("table =\n%s\nwant %d lines", out.String(), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q; want %q", i, got[i], want[i])
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"one", []float64{7}, 7},
		{"odd, unsorted", []float64{9, 1, 5}, 5},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"an outlier does not move it", []float64{10, 10, 11, 1e9, 10, 11}, 10.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v; want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseRejectsGarbageValues(t *testing.T) {
	if _, err := parse(strings.NewReader("BenchmarkX-2 10 fast ns/op\n")); err == nil {
		t.Errorf("parse of a non-numeric value = nil error; want one")
	}
}
