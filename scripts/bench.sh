#!/usr/bin/env bash
# Two measurements:
#
#   scripts/bench.sh                  every Go benchmark in the module, through benchstat (below)
#   scripts/bench.sh compare [flags]  the function against the floor and the bare function, interleaved in one run
#                                     on the STS emulator: one Markdown table of figures, ratios to the floor and
#                                     the project's goals (go run ./bench/measure; flags: -quick, -cold N, -warm N,
#                                     -block N). About a minute and a half on a 2-core machine; -quick, seconds.
#
# The benchstat part runs every benchmark in the module and prints benchstat's summary: per benchmark, the median
# sec/op, B/op and allocs/op with a 95% confidence interval.
#
# Each benchmark runs COUNT times (default 6, the fewest benchstat gives an interval for); the median keeps one run
# disturbed by another process from moving the figure. benchstat comes through the Go module proxy, pinned as
# .ci/run pins staticcheck. The raw output is kept, so two runs can be compared:
#   OUT=before.txt scripts/bench.sh; (change something); BASE=before.txt scripts/bench.sh
#
#   COUNT=n      runs per benchmark (default 6)
#   BENCH=regex  which benchmarks (default: all)
#   OUT=file     where to keep the raw output (default: a temporary file, named at the end)
#   BASE=file    an earlier run's raw output: benchstat then prints both and the change, with its p-value
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "${1:-}" = compare ]; then
  shift
  exec go run ./bench/measure "$@"
fi
if [ $# -gt 0 ]; then
  echo "bench.sh: unknown argument $1 (no argument: the Go benchmarks through benchstat; compare: the interleaved table)" >&2
  exit 2
fi
count="${COUNT:-6}"
benchstat=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out="${OUT:-$(mktemp "${TMPDIR:-/tmp}/cos-sts-scf-bench.XXXXXX")}"

# The packages that have benchmarks, found rather than listed, so a new one is never left out.
pkgs=()
while IFS= read -r dir; do
  pkgs+=("./$dir")
done < <(grep -rl --include='*_test.go' '^func Benchmark' . | sed 's|^\./||; s|/[^/]*$||' | sort -u)
if [ "${#pkgs[@]}" -eq 0 ]; then
  echo "bench.sh: no benchmarks found" >&2
  exit 1
fi

# -p 1: packages one at a time, so that one package's benchmarks do not share the CPUs with another's.
echo "== go test -p 1 -run '^\$' -bench '${BENCH:-.}' -benchmem -count $count ${pkgs[*]}" >&2
go test -p 1 -run '^$' -bench "${BENCH:-.}" -benchmem -count "$count" "${pkgs[@]}" | tee "$out" >&2
echo >&2
go run "$benchstat" ${BASE:+"$BASE"} "$out"
echo >&2
echo "raw output: $out" >&2
# A benchmark that fails in one run leaves that run out of the medians; go test does not always exit non-zero then.
if grep -q -- '--- FAIL' "$out"; then
  echo "bench.sh: some benchmark runs failed (see the raw output); their figures cover fewer runs" >&2
  exit 1
fi
