#!/usr/bin/env bash
# read.sh TREE OUTDIR : FeedRead class only, short job.
set -u
tree=$1; out=$2
mkdir -p "$out"; uptime > "$out/load-before"; git -C "$tree" rev-parse HEAD > "$out/commit"
cd "$tree/benchmarks/RseOrleans.Benchmarks"
dotnet run -c Release --no-build -- --filter '*FeedRead*' --job short --artifacts "$out/artifacts" > "$out/stdout.log" 2>&1
echo "exit $?" >> "$out/stdout.log"; uptime > "$out/load-after"
