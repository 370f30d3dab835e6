#!/usr/bin/env bash
# hotpost.sh OUT ROUNDS : FeedDeliveryBenchmarks.HotPostReactionBenchmarks.Sharded (one call per reaction), medium job, interleaved before / now
set -u
out=$1; rounds=${2:-3}
declare -A trees=([before]=/work/before [now]=/work/wt-edge)
for r in $(seq 1 "$rounds"); do
  for name in before now; do
    tree=${trees[$name]}; dir=$out/$name/run$r; mkdir -p "$dir"
    git -C "$tree" rev-parse HEAD > "$out/$name/commit"
    echo "hotpost.sh: --filter '*HotPostReactionBenchmarks.Sharded' --job medium (interleaved before/now)" > "$out/$name/command"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/load-before"
    (cd "$tree/benchmarks/RseOrleans.Benchmarks" && dotnet run -c Release --no-build -- --filter '*HotPostReactionBenchmarks.Sharded' --job medium --exporters briefjson --artifacts "$dir" > "$dir/stdout.log" 2>&1)
    echo "exit $?" >> "$dir/stdout.log"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/load-after"
    echo "$(date +%T) $name round $r done" >&2
  done
done
for name in before now; do
  dotnet /work/wt-edge/benchmarks/RseOrleans.Benchmarks/bin/Release/net10.0/RseOrleans.Benchmarks.dll summarize "$out/$name" > "$out/$name/summary.md"
done
touch "$out/DONE"
