package policy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// pairwiseUncovered is the definition uncovered implements in one pass: a path is kept unless another folder
// prefix among the paths covers it. It is quadratic, and kept here only as the oracle.
func pairwiseUncovered(sorted []string) []string {
	var kept []string
	for _, v := range sorted {
		covered := false
		for _, o := range sorted {
			covered = covered || o != v && o[len(o)-1] == '/' && strings.HasPrefix(v, o)
		}
		if !covered {
			kept = append(kept, v)
		}
	}
	return kept
}

// randomPaths draws keys and prefixes from a small alphabet, so that nesting, shared stems ("a/b" beside
// "a/bc/") and repeats are common.
func randomPaths(r *rand.Rand, n int) []string {
	segs := []string{"a", "b", "ab", "a b", "a-", "a.b", "!", "照", "0"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for d := r.IntN(3); d >= 0; d-- {
			b.WriteString(segs[r.IntN(len(segs))])
			b.WriteByte('/')
		}
		s := b.String()
		if r.IntN(2) == 0 {
			s += segs[r.IntN(len(segs))] // a key
		}
		out[i] = s
	}
	return out
}

func TestUncoveredMatchesThePairwiseDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		paths := randomPaths(r, 1+r.IntN(12))
		slices.Sort(paths)
		paths = slices.Compact(paths)
		if got, want := uncovered(paths), pairwiseUncovered(paths); !slices.Equal(got, want) {
			t.Fatalf("case %d: uncovered(%q) = %q; want %q", i, paths, got, want)
		}
	}
}

func TestCoveredTypesDroppedMatchesThePairwiseDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	names := []string{"image", "imagex", "image.x", "text", "a", "a+b"}
	subs := []string{"*", "png", "png+x", "0", "a.b", "jpeg"}
	for i := range 2000 {
		var types []string
		for range 1 + r.IntN(8) {
			types = append(types, names[r.IntN(len(names))]+"/"+subs[r.IntN(len(subs))])
		}
		var want []string
		sorted := slices.Compact(slices.Sorted(slices.Values(types)))
		for _, tt := range sorted {
			covered := false
			for _, o := range sorted {
				covered = covered || o != tt && contentTypeCovers(o, tt)
			}
			if !covered {
				want = append(want, tt)
			}
		}
		if got := coveredTypesDropped(slices.Clone(types)); !slices.Equal(got, want) {
			t.Fatalf("case %d: coveredTypesDropped(%q) = %q; want %q", i, types, got, want)
		}
	}
}

// TestErrorsAreCapped: a request naming 400,000 bad actions once drew a 13 MB error. Errors list MaxReported
// problems and count the rest, while errors.Is still sees every one.
func TestErrorsAreCapped(t *testing.T) {
	bad := make([]string, 1000)
	for i := range bad {
		bad[i] = fmt.Sprintf("Bogus%d", i)
	}
	_, err := ExpandActions(bad)
	if !errors.Is(err, ErrInvalidAction) {
		t.Fatalf("ExpandActions = %v; want ErrInvalidAction", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxReported+1 || lines[MaxReported] != "and 995 more problems" {
		t.Errorf("error lines = %q; want %d problems and \"and 995 more problems\"", lines, MaxReported)
	}
	if !strings.Contains(lines[0], `"Bogus0"`) {
		t.Errorf("first line %q; want the first problem", lines[0])
	}

	// Build joins its own problems with those of the paths: one flat count, not lists within lists.
	keys := []string{"a//1", "a//2", "a//3", "a//4", "a//5", "a//6"}
	_, err = Build(Grant{Bucket: "x", Region: "ap-guangzhou", Keys: keys, Actions: []string{"GetObject"},
		Conditions: Conditions{SourceIP: "nowhere"}})
	for _, sentinel := range []error{ErrInvalidBucket, ErrInvalidKey, ErrInvalidCondition} {
		if !errors.Is(err, sentinel) {
			t.Errorf("errors.Is(%v, %v) = false; want true", err, sentinel)
		}
	}
	if got := err.Error(); strings.Count(got, "\n") != MaxReported || !strings.HasSuffix(got, "and 3 more problems") {
		t.Errorf("Build error = %q; want %d problems then \"and 3 more problems\"", got, MaxReported)
	}

	// One problem more than the cap is counted in the singular.
	_, err = ExpandActions(bad[:MaxReported+1])
	if !strings.HasSuffix(err.Error(), "\nand 1 more problem") {
		t.Errorf("error = %q; want it to end with \"and 1 more problem\"", err)
	}
}

// BenchmarkBuildManyPaths shows Build's cost growing as n·log n in the number of paths (before, the cover test
// compared every pair: 30,000 prefixes took 37 s). Build refuses such a grant as too large, after the work.
func BenchmarkBuildManyPaths(b *testing.B) {
	for _, n := range []int{100, 1000, 10000, 30000} {
		g := Grant{Bucket: "examplebucket-1250000000", Region: "ap-guangzhou", Actions: []string{"GetObject"}}
		for i := range n {
			g.Prefixes = append(g.Prefixes, fmt.Sprintf("uploads/u%d/", i))
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(g); !errors.Is(err, ErrPolicyTooLarge) && n > 100 {
					b.Fatalf("Build = %v; want ErrPolicyTooLarge", err)
				}
			}
		})
	}
}
