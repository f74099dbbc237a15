package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQuickRun runs the whole driver in quick mode, the real binaries included, and checks that the table is there
// and well formed: every figure for every program, a ratio, a goal and a verdict. Whether the goals pass is the
// machine's business, not this test's.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs four programs: skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, defaultConfig(true), &out, io.Discard); err != nil {
		t.Fatalf("run: %v", err)
	}
	report := out.String()
	t.Log("\n" + report)
	if !regexp.MustCompile(`(?m)^Machine: .+, \d+ cores; load average .+; go1\.\S+ linux/\w+; Linux .+\.$`).MatchString(report) {
		t.Errorf("no Machine line (CPU, cores, load, Go, kernel) in:\n%s", report)
	}
	header, rows := parseTable(t, report)
	wantHeader := []string{"figure", "function", "function, cache hit", "floor", "bare", "function ÷ floor", "goal", "result"}
	if strings.Join(header, "|") != strings.Join(wantHeader, "|") {
		t.Fatalf("header = %q; want %q", header, wantHeader)
	}
	wantRows := []struct {
		figure string
		goal   bool  // a goal and a PASS/FAIL
		ratio  bool  // a ratio to the floor
		filled []int // the program columns that must hold a figure (1 = function … 4 = bare)
	}{
		{"warm invocation p50", true, true, []int{1, 2, 3, 4}},
		{"warm invocation p99", false, true, []int{1, 2, 3, 4}},
		{"CPU per warm invocation", true, true, []int{1, 2, 3, 4}},
		{"cold start, exec to first reply", true, true, []int{1, 3, 4}},
		{"cold start, exec to ready (Ping)", false, true, []int{1, 3, 4}},
		{"peak RSS after 300 warm invocations", true, true, []int{1, 2, 3, 4}},
		{"stripped binary, linux/", true, true, []int{1, 3, 4}},
		{"STS connections over 300 warm invocations", true, false, []int{1, 2, 3}},
		{"handler alone, STS faked: time per request", true, false, []int{1}},
		{"handler alone, STS faked: allocations per request", true, false, []int{1}},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("%d rows; want %d:\n%s", len(rows), len(wantRows), report)
	}
	figure := regexp.MustCompile(`^\d+(\.\d+)? (µs|ms|MB)( \(.+–.+\))?$|^\d+( \(\d+\.\d KB\))?$`)
	for i, want := range wantRows {
		rw := rows[i]
		if len(rw) != len(wantHeader) {
			t.Errorf("row %d has %d cells; want %d: %q", i, len(rw), len(wantHeader), rw)
			continue
		}
		if !strings.HasPrefix(rw[0], want.figure) {
			t.Errorf("row %d is %q; want %q", i, rw[0], want.figure)
		}
		for _, col := range want.filled {
			if !figure.MatchString(rw[col]) {
				t.Errorf("%s, %s = %q; want a figure with its unit", rw[0], header[col], rw[col])
			}
		}
		if want.ratio != regexp.MustCompile(`^\d+\.\d\d×$`).MatchString(rw[5]) {
			t.Errorf("%s: ratio %q; want one: %v", rw[0], rw[5], want.ratio)
		}
		if want.goal {
			if rw[6] == "—" || (rw[7] != "PASS" && rw[7] != "FAIL") {
				t.Errorf("%s: goal %q, result %q; want a goal and PASS or FAIL", rw[0], rw[6], rw[7])
			}
		} else if rw[7] != "—" {
			t.Errorf("%s: result %q for a figure without a goal", rw[0], rw[7])
		}
	}
	if c := rows[7][1]; c == "0" {
		t.Errorf("the function opened no STS connection over its warm run; it minted through none?")
	}
}

// parseTable returns the Markdown table's header and rows, cells trimmed.
func parseTable(t *testing.T, report string) (header []string, rows [][]string) {
	t.Helper()
	for _, line := range strings.Split(report, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
		case strings.HasPrefix(line, "|---"):
		default:
			rows = append(rows, cells)
		}
	}
	if header == nil {
		t.Fatalf("no table in:\n%s", report)
	}
	return header, rows
}
