package main

import (
	"slices"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	xs := []time.Duration{50, 10, 40, 20, 30} // unsorted on purpose
	tests := []struct {
		q    float64
		want time.Duration
	}{{0, 10}, {0.25, 20}, {0.5, 30}, {0.9, 46}, {1, 50}}
	for _, tc := range tests {
		if got := quantile(xs, tc.q); got != tc.want {
			t.Errorf("quantile(%v, %v) = %v; want %v", xs, tc.q, got, tc.want)
		}
	}
	if !slices.Equal(xs, []time.Duration{50, 10, 40, 20, 30}) {
		t.Errorf("quantile sorted its input: %v", xs)
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile(nil) = %v; want 0", got)
	}
}

func TestChunks(t *testing.T) {
	xs := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	got := chunks(xs, 5, func(c []time.Duration) time.Duration { return time.Duration(len(c)) })
	if want := []time.Duration{2, 2, 2, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("chunk lengths = %v; want %v (every element once)", got, want)
	}
	if got := chunks(xs[:3], 5, mean); len(got) != 3 {
		t.Errorf("chunks of 3 into 5 = %v; want 3 chunks", got)
	}
	if got := rangeOf(chunks(xs, 5, mean)); got != (spread{1, 10}) {
		t.Errorf("range of chunk means = %v; want {1 10}", got)
	}
}

func TestFormats(t *testing.T) {
	us, ms := time.Microsecond, time.Millisecond
	tests := []struct{ got, want string }{
		{dur(4200 * time.Nanosecond), "4.2 µs"},
		{dur(640 * us), "640 µs"},
		{dur(1370 * us), "1.37 ms"},
		{dur(29200 * us), "29.2 ms"},
		{durWithSpread(620*us, spread{600 * us, 660 * us}), "620 µs (600–660)"},
		{durWithSpread(1990*us, spread{693 * us, 3200 * us}), "1.99 ms (693 µs–3.20)"},
		{durWithSpread(9*ms, spread{8 * ms, 12 * ms}), "9.00 ms (8.00–12.0)"},
		{mb(9_756_834), "9.76 MB"},
		{count(2000), "2,000"},
		{count(100000), "100,000"},
		{count(300), "300"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
}

func TestPackageOf(t *testing.T) {
	tests := []struct{ sym, want string }{
		{"crypto/internal/fips140/sha256.blockAMD64", "crypto/internal/fips140/sha256"},
		{"github.com/cos-sts-scf/cos-sts-scf/handler.(*Handler).invoke", "github.com/cos-sts-scf/cos-sts-scf/handler"},
		{"encoding/json.appendString[go.shape.string]", "encoding/json"},
		{"runtime.mallocgc", "runtime"},
		{kernelPrefix + "finish_task_switch.isra.0", "[kernel]"},
		{"aeshashbody", "[no package: runtime assembly, vDSO]"},
	}
	for _, tc := range tests {
		if got := packageOf(tc.sym); got != tc.want {
			t.Errorf("packageOf(%q) = %q; want %q", tc.sym, got, tc.want)
		}
	}
}
