#!/usr/bin/env bash
# suspects.sh TREE OUTDIR : the methods more than 10 % worse in the short-job medians, medium job.
set -u
tree=$1; out=$2
mkdir -p "$out"; uptime > "$out/load-before"; git -C "$tree" rev-parse HEAD > "$out/commit"
cd "$tree/benchmarks/RseOrleans.Benchmarks"
timeout 600 dotnet run -c Release --no-build -- --filter '*HotPostReactionBenchmarks.Sharded' '*FeedReadBenchmarks.HydratedPageInProcess' '*FeedReadBenchmarks.GrpcPagesConcurrently' --job medium --artifacts "$out/artifacts" > "$out/stdout.log" 2>&1
echo "exit $?" >> "$out/stdout.log"; uptime > "$out/load-after"
