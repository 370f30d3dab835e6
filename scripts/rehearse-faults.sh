#!/usr/bin/env bash
# A fault rehearsal anyone can rerun: three durable silos on one machine under closed-loop load,
# through each fault of the failure table in turn, with time to recover between them:
#
#   kill -9 of a silo, then started again      SIGTERM of a silo, then started again
#   PostgreSQL stopped, then started           PostgreSQL frozen (SIGSTOP), then thawed
#   Redis FLUSHALL                             Redis stopped, then started
#
#   scripts/rehearse-faults.sh OUT_DIR
#
# It starts its own PostgreSQL and Redis with scripts/dev-servers.sh (in RSE_DEV_DIR, default
# .dev/rehearsal, on RSE_DEV_PG_PORT 55442 and RSE_DEV_REDIS_PORT 56389, apart from the development
# servers), builds the engine and rse in Release, and runs `rse load`, which starts the silos
# (--engine), acts the schedule (--fault) and stops them. OUT_DIR receives the report (load-*.md
# and .json), each silo's log, rse's progress (rse-load.log) and rehearsal.txt (command, commit,
# machine).
#
# Exit code 0 when every error seen was UNAVAILABLE or DEADLINE_EXCEEDED (or CANCELLED), 1 when
# another status was seen (the statuses are printed), 2 when the rehearsal could not run.
# RSE_REHEARSAL_WORKERS (16) sets the closed loop's workers.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "rehearse-faults: $*" >&2; }
die() { say "$*"; exit 2; }

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
command -v jq > /dev/null || die "jq is needed to read the report: apt-get install jq"

export RSE_DEV_DIR=${RSE_DEV_DIR:-$root/.dev/rehearsal}
export RSE_DEV_PG_PORT=${RSE_DEV_PG_PORT:-55442}
export RSE_DEV_REDIS_PORT=${RSE_DEV_REDIS_PORT:-56389}
workers=${RSE_REHEARSAL_WORKERS:-16}
# Fault steps name the script from the repository root, so that the report reads them.
cd "$root"
servers=scripts/dev-servers.sh

cleanup() {
  # Never leave a frozen PostgreSQL behind, whatever ended the rehearsal.
  "$servers" thaw postgres > /dev/null 2>&1 || true
  "$servers" stop > /dev/null 2>&1 || true
}
trap cleanup EXIT

say "building the engine and rse (Release)…"
dotnet build silo/RseOrleans.Silo -c Release -v q -nologo > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; die "the engine did not build"; }
dotnet build cli/RseOrleans.Cli -c Release -v q -nologo >> "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; die "rse did not build"; }
silo=silo/RseOrleans.Silo/bin/Release/net10.0/RseOrleans.Silo
rse=(dotnet cli/RseOrleans.Cli/bin/Release/net10.0/rse.dll)

eval "$("$servers" start)"
# A cluster of its own per rehearsal: no member of an earlier one in Redis's membership table.
cluster="rehearsal-$(date -u +%Y%m%d%H%M%S)"
engines=()
for i in 1 2 3; do
  engines+=(--engine "silo-$i@http://127.0.0.1:518$i=exec '$silo' --urls http://127.0.0.1:518$i \
--Orleans:SiloPort=1118$i --Orleans:GatewayPort=3018$i --Orleans:ClusterId=$cluster --Limits:WritesPerMinute=0")
done

# Each fault at its time into the run, then about 20 s to recover before the next.
faults=(
  --fault "20s=kill:silo-2"
  --fault "30s=start:silo-2"
  --fault "55s=term:silo-3"
  --fault "65s=start:silo-3"
  --fault "90s=exec:$servers stop postgres"
  --fault "100s=exec:$servers start postgres"
  --fault "120s=exec:$servers freeze postgres"
  --fault "130s=exec:$servers thaw postgres"
  --fault "150s=exec:$servers flush redis"
  --fault "170s=exec:$servers stop redis"
  --fault "180s=exec:$servers start redis"
)
load=("${rse[@]}" load --users 300 --groups 10 --prefix rehearsal- --seconds 205 --concurrency "$workers" --watchers 0
  "${engines[@]}" "${faults[@]}" --out "$out")

{
  echo "command: scripts/rehearse-faults.sh $1"
  echo "commit: $(git -C "$root" rev-parse HEAD)$(git -C "$root" diff --quiet HEAD -- . ':!docs' || echo ' (with uncommitted changes)')"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(uname -sr), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "dotnet: $(dotnet --version), PostgreSQL: $(psql --version | awk '{print $3}'), Redis: $(redis-server --version | awk '{print $3}' | cut -d= -f2)"
  echo "workers: $workers"
  printf 'rse load:'
  printf ' %q' "${load[@]:2}"
  echo
} > "$out/rehearsal.txt"

say "running the load through the faults (about 4 minutes; progress in $out/rse-load.log)…"
status=0
"${load[@]}" > /dev/null 2> "$out/rse-load.log" || status=$?
[ "$status" -eq 0 ] || { tail -n 20 "$out/rse-load.log" >&2; die "rse load exited with $status"; }

report=$(ls -t "$out"/load-*.json | head -n 1)
cat "${report%.json}.md"
# Every status an error was answered with, in any phase or operation.
unexpected=$(jq -r '[(.faults[].errors | keys[]), (.operations[].errors | keys[]), (.otherErrors | keys[] | split(":")[1])]
  | unique[] | select(. != "Unavailable" and . != "DeadlineExceeded" and . != "Cancelled")' "$report")
if [ -n "$unexpected" ]; then
  say "errors other than UNAVAILABLE or DEADLINE_EXCEEDED were seen: $(echo "$unexpected" | paste -sd ' ') (report: $report)"
  exit 1
fi
say "only UNAVAILABLE or DEADLINE_EXCEEDED while the faults lasted (report: $report)"
