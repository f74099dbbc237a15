package main

import (
	"slices"
	"time"
)

// quantile is the q-quantile (0 ≤ q ≤ 1) of xs by linear interpolation between the closest ranks; 0 for none.
// xs is not changed.
func quantile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := pos - float64(i)
	return s[i] + time.Duration(frac*float64(s[i+1]-s[i]))
}

func median(xs []time.Duration) time.Duration { return quantile(xs, 0.5) }

// spread is a figure's range over the parts of a run (or its interquartile range, for cold starts).
type spread struct{ lo, hi time.Duration }

// chunks cuts xs into n consecutive parts of nearly equal length (fewer when xs is shorter) and returns f of each:
// a figure per stretch of the run, whose range shows how much load drifts moved it.
func chunks(xs []time.Duration, n int, f func([]time.Duration) time.Duration) []time.Duration {
	n = min(n, len(xs))
	out := make([]time.Duration, 0, n)
	for i := range n {
		out = append(out, f(xs[i*len(xs)/n:(i+1)*len(xs)/n]))
	}
	return out
}

// rangeOf is the smallest and largest of xs.
func rangeOf(xs []time.Duration) spread {
	if len(xs) == 0 {
		return spread{}
	}
	return spread{slices.Min(xs), slices.Max(xs)}
}

func mean(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	var sum time.Duration
	for _, x := range xs {
		sum += x
	}
	return sum / time.Duration(len(xs))
}
