package scfrpc

import (
	"slices"
	"testing"
	"time"
)

func TestNextPoll(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		poll time.Duration
		want []time.Duration
	}{
		{"backoff by default", 0, []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms}},
		{"fixed when set", 250 * time.Microsecond, slices.Repeat([]time.Duration{250 * time.Microsecond}, 7)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []time.Duration
			var d time.Duration
			for range len(tc.want) {
				d = nextPoll(d, tc.poll)
				got = append(got, d)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("waits = %v; want %v", got, tc.want)
			}
		})
	}
}
