#!/usr/bin/env bash
# Runs every benchmark in the module and prints the median ns/op, B/op and allocs/op of each.
#
# Each benchmark runs COUNT times (default 6); the median keeps one run disturbed by another process from moving the
# figure. Needs only Go: the table comes from internal/benchtable, not benchstat. The raw output is kept, so two
# runs can be compared with benchstat when the module proxy is reachable:
#   go run golang.org/x/perf/cmd/benchstat@latest before.txt after.txt
#
#   COUNT=n      runs per benchmark (default 6)
#   BENCH=regex  which benchmarks (default: all)
#   OUT=file     where to keep the raw output (default: a temporary file, named at the end)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
count="${COUNT:-6}"
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
go run ./internal/benchtable <"$out"
echo >&2
echo "raw output: $out" >&2
# A benchmark that fails in one run leaves that run out of the medians; go test does not always exit non-zero then.
if grep -q -- '--- FAIL' "$out"; then
  echo "bench.sh: some benchmark runs failed (see the raw output); their medians cover fewer runs" >&2
  exit 1
fi
