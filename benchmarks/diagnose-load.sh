#!/usr/bin/env bash
# Where the load mix's work goes, per API call (a diagnosis, not a figure): runs an engine (the
# embedded default, built in Release from TREE, default this repository) under the load mix of
# benchmarks/load.sh for 40 s, reads the runtime's and Orleans' counters over 20 s of it with
# dotnet-counters, and prints, per API call: Orleans messages, thread-pool work items, bytes
# allocated, and the share of time in GC pauses, with activations per second by grain type.
#
#   benchmarks/diagnose-load.sh OUT [TREE]
#
# Needs dotnet-counters (`dotnet tool install -g dotnet-counters`) and python3. OUT receives the
# counters (counters.csv), the load report and the engine's log. TREE may be a worktree of an older
# commit whose `rse load` knows --seed-only and --skip-seed. Run it with nothing else running.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
out=$1
tree=${2:-$(cd "$(dirname "$0")/.." && pwd)}
port=${RSE_LOAD_PORT:-5985}
counters=${DOTNET_COUNTERS:-$HOME/.dotnet/tools/dotnet-counters}
mkdir -p "$out"
for project in silo/RseOrleans.Silo cli/RseOrleans.Cli; do
  dotnet build -c Release "$tree/$project" -v quiet -nologo > "$out/build.log" 2>&1
done
silo=$(ls "$tree"/silo/RseOrleans.Silo/bin/Release/net*/RseOrleans.Silo.dll | head -1)
rse=$(ls "$tree"/cli/RseOrleans.Cli/bin/Release/net*/rse.dll | head -1)
network=(--address "http://127.0.0.1:$port" --users 1000 --groups 20)

dotnet "$silo" --urls "http://127.0.0.1:$port" > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 1; done
dotnet "$rse" load "${network[@]}" --seed-only > "$out/seed.log" 2>&1
dotnet "$rse" load "${network[@]}" --skip-seed --seconds 40 --concurrency 32 --watchers 20 --out "$out" > "$out/load.log" 2>&1 &
load=$!
sleep 12
"$counters" collect -p $engine --counters System.Runtime,Microsoft.Orleans --refresh-interval 5 \
  --duration 00:00:00:20 --format csv -o "$out/counters.csv" > "$out/counters.log" 2>&1
wait $load

python3 - "$out" <<'PY'
import csv, collections, glob, re, sys
out = sys.argv[1]
report = open(glob.glob(f"{out}/load-*.md")[0]).read()
calls = sum(int(m) for m in re.findall(r"^\| (?:read|post|comment|react) \| \d+ \| (\d+) ", report, re.M))
series = collections.defaultdict(list)
for row in list(csv.reader(open(f"{out}/counters.csv")))[1:]:
    series[row[2]].append(float(row[4]))
def per_second(prefix):  # the counters are totals per 5-second interval
    return sum(sum(v) / len(v) for k, v in series.items() if k.startswith(prefix)) / 5
print(f"API calls per second (load report): {calls}")
print(f"Orleans messages per call:          {per_second('orleans-messaging-sent-local') / calls:.1f}")
print(f"thread-pool work items per call:    {per_second('dotnet.thread_pool.work_item.count') / calls:.1f}")
print(f"KB allocated per call:              {per_second('dotnet.gc.heap.total_allocated') / calls / 1000:.1f}")
print(f"time in GC pauses:                  {100 * per_second('dotnet.gc.pause.time'):.1f} %")
print(f"gen2 collections per second:        {per_second('dotnet.gc.collections ({collection} / 5 sec)[gc.heap.generation=gen2]'):.2f}")
for key in sorted(k for k in series if k.startswith("orleans-catalog-activation-created")):
    print(f"activations per second, {key.split('grain_type=')[-1].rstrip(']')}: {sum(series[key]) / len(series[key]) / 5:.0f}")
PY
