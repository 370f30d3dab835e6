#!/usr/bin/env bash
# Reproducible load-generator figures: one `rse load` command, three runs, each against an engine
# of its own (the embedded default, built in Release, started and stopped by `rse load --engine`),
# then a summary.
#
#   benchmarks/load.sh NAME [rse load arguments…]
#   benchmarks/load.sh mix-closed --users 1000 --groups 20 --seconds 30 --concurrency 32 --watchers 20
#   benchmarks/load.sh mix-at-3000 --users 1000 --groups 20 --seconds 30 --rate 3000 --watchers 20
#
# Writes docs/benchmarks/<UTC date>-NAME/: run1…run3 (the load report as JSON and Markdown, the
# engine's log, the load average before and after), commit, command, machine, and summary.md (per
# operation: calls per second and p99 of each run, their medians, spreads, and whether the runs
# agree within 20 %). The load generator shares the machine with the engine, as documented in
# docs/performance.md. Run it with nothing else running. RSE_BENCH_RUNS changes the number of
# runs, RSE_BENCH_OUT the folder (refused if it holds files), RSE_LOAD_PORT the engine's port,
# RSE_LOAD_ENGINE_ARGS settings given to the engine (e.g. --Search:Indexing=false).
# RSE_LOAD_TOKENS=1 runs the engine in token mode (Auth:Mode=Jwt, a development signing key) and
# has each load user call with a bearer token of their own, which the engine verifies on every call,
# as in a deployment; by default the users are named by the development header.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,19p' "$0"; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
name=$1; shift
out=${RSE_BENCH_OUT:-$root/docs/benchmarks/$(date -u +%F)-$name}
runs=${RSE_BENCH_RUNS:-3}
port=${RSE_LOAD_PORT:-5981}
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "load.sh: $out already holds files; choose another NAME (or RSE_BENCH_OUT)" >&2
  exit 1
fi

build_log=$(mktemp)
for project in silo/RseOrleans.Silo cli/RseOrleans.Cli benchmarks/RseOrleans.Benchmarks; do
  if ! dotnet build -c Release "$root/$project" -v quiet -nologo > "$build_log" 2>&1; then
    echo "load.sh: the Release build of $project failed:" >&2
    grep -E 'error|Error' "$build_log" | sort -u | head -40 >&2
    rm -f "$build_log"; exit 1
  fi
done
rm -f "$build_log"
silo=$(ls "$root"/silo/RseOrleans.Silo/bin/Release/net*/RseOrleans.Silo.dll | head -1)
rse=$(ls "$root"/cli/RseOrleans.Cli/bin/Release/net*/rse.dll | head -1)

mkdir -p "$out"
git -C "$root" rev-parse HEAD > "$out/commit"
echo "$(env | grep '^RSE_' | grep -v '^RSE_BENCH_OUT=' | sort | tr '\n' ' ')./benchmarks/load.sh $name $*" > "$out/command"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /')" > "$out/machine"
address=http://127.0.0.1:$port
engine_args=${RSE_LOAD_ENGINE_ARGS:-}
caller_args=()
if [ "${RSE_LOAD_TOKENS:-0}" = 1 ]; then
  key=rse-load-benchmark-signing-key-of-32-bytes-or-more
  engine_args="--Auth:Mode=Jwt --Auth:Jwt:SigningKey=$key --Auth:Jwt:Issuer=rse-dev --Auth:Jwt:Audience=rse${engine_args:+ $engine_args}"
  caller_args=(--signing-key "$key" --issuer rse-dev --audience rse)
fi
for i in $(seq 1 "$runs"); do
  dir=$out/run$i
  rm -rf "$dir"; mkdir -p "$dir"
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load-before"
  echo "run $i of $runs…" >&2
  dotnet "$rse" load --engine "engine@$address=dotnet $silo --urls $address${engine_args:+ $engine_args}" --out "$dir" "${caller_args[@]}" "$@" > "$dir/stdout.log" 2>&1 \
    || { echo "run $i failed: see $dir/stdout.log" >&2; exit 1; }
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load-after"
done
dotnet run -c Release --no-build --project "$root/benchmarks/RseOrleans.Benchmarks" -- summarize-load "$out" > "$out/summary.md"
cat "$out/summary.md"
