#!/usr/bin/env bash
# compare.sh OUT ROUNDS : the 64-reader gRPC read, medium job, interleaved across three builds
set -u
out=$1; rounds=${2:-3}; first=${3:-1}
declare -A trees=([before]=/work/before [redesign]=/work/redesign [now]=/work/wt-edge)
for r in $(seq "$first" "$rounds"); do
  for name in before redesign now; do
    tree=${trees[$name]}; dir=$out/$name/run$r; mkdir -p "$dir"
    git -C "$tree" rev-parse HEAD > "$out/$name/commit"
    echo "./benchmarks/run.sh-equivalent: --filter '*FeedReadBenchmarks.GrpcPagesConcurrently*' --job medium (interleaved before/redesign/now)" > "$out/$name/command"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/load-before"
    (cd "$tree/benchmarks/RseOrleans.Benchmarks" && dotnet run -c Release --no-build -- --filter '*FeedReadBenchmarks.GrpcPagesConcurrently*' --job medium --exporters briefjson --artifacts "$dir" > "$dir/stdout.log" 2>&1)
    echo "exit $?" >> "$dir/stdout.log"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/load-after"
    echo "$(date +%T) $name round $r done" >&2
  done
done
for name in before redesign now; do
  dotnet /work/wt-edge/benchmarks/RseOrleans.Benchmarks/bin/Release/net10.0/RseOrleans.Benchmarks.dll summarize "$out/$name" > "$out/$name/summary.md"
done
touch "$out/DONE"
