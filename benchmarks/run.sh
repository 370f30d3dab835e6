#!/usr/bin/env bash
# Reproducible benchmark figures: one filter, three runs, each in its own process, then a summary.
#
#   benchmarks/run.sh NAME FILTER [BenchmarkDotNet arguments…]
#   benchmarks/run.sh feed-read '*FeedReadBenchmarks.GrpcPagesConcurrently*' --job medium
#
# Writes docs/benchmarks/<UTC date>-NAME/: run1…run3 (BenchmarkDotNet's reports, its log, the load
# average before and after), commit, and summary.md (each benchmark's median per run, the median of
# the three, their spread, and whether they agree within 20 %). Run it with nothing else running.
# RSE_BENCH_RUNS changes the number of runs, RSE_BENCH_OUT the folder (refused if it holds files).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,10p' "$0"; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
name=$1; filter=$2; shift 2
out=${RSE_BENCH_OUT:-$root/docs/benchmarks/$(date -u +%F)-$name}
runs=${RSE_BENCH_RUNS:-3}
project=$root/benchmarks/RseOrleans.Benchmarks
# Two measurements never share a folder: a second one the same day needs another NAME.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "run.sh: $out already holds files; choose another NAME (or RSE_BENCH_OUT)" >&2
  exit 1
fi

# A failed build stops the chain with its errors, not silently.
build_log=$(mktemp)
if ! dotnet build -c Release "$project" -v quiet -nologo > "$build_log" 2>&1; then
  echo "run.sh: the Release build of $project failed:" >&2
  grep -E 'error|Error' "$build_log" | sort -u | head -40 >&2
  rm -f "$build_log"; exit 1
fi
rm -f "$build_log"
mkdir -p "$out"
git -C "$root" rev-parse HEAD > "$out/commit"
# The RSE_ settings a benchmark reads (sizes, rates, cases) are part of the command.
{ echo "$(env | grep '^RSE_' | grep -v '^RSE_BENCH_OUT=' | sort | tr '\n' ' ')./benchmarks/run.sh $name '$filter' $*"; } > "$out/command"
for i in $(seq 1 "$runs"); do
  dir=$out/run$i
  rm -rf "$dir"; mkdir -p "$dir"
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load-before"
  echo "run $i of $runs…" >&2
  dotnet run -c Release --no-build --project "$project" -- \
    --filter "$filter" --exporters json --artifacts "$dir" "$@" > "$dir/stdout.log" 2>&1 \
    || { echo "run $i failed: see $dir/stdout.log" >&2; exit 1; }
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load-after"
done
dotnet run -c Release --no-build --project "$project" -- summarize "$out" > "$out/summary.md"
cat "$out/summary.md"
