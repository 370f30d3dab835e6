#!/usr/bin/env bash
# run.sh TREE OUTDIR (how the raw runs here were made; summary.py reads them)
# run.sh TREE OUTDIR : the five benchmark classes of issue 11, short job, prebuilt Release.
set -u
tree=$1; out=$2
mkdir -p "$out"
uptime > "$out/load-before"
git -C "$tree" rev-parse HEAD > "$out/commit"
cd "$tree/benchmarks/RseOrleans.Benchmarks"
dotnet run -c Release --no-build -- --filter '*FeedDelivery*' '*FeedRead*' '*HotPost*' '*MemoryPerUser*' '*FeedReactivation*' --job short --artifacts "$out/artifacts" > "$out/stdout.log" 2>&1
echo "exit $?" >> "$out/stdout.log"
uptime > "$out/load-after"
