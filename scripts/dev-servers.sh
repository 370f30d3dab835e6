#!/usr/bin/env bash
# A local PostgreSQL (127.0.0.1:55432) and Redis (127.0.0.1:56379) for running the engine in
# durable mode, kept in .dev/ at the repository root (rm -rf .dev starts over).
#
#   scripts/dev-servers.sh start     # creates them the first time, starts them, prints the settings
#   scripts/dev-servers.sh stop
#   scripts/dev-servers.sh status
#
# and, as a fault rehearsal does (scripts/rehearse-faults.sh):
#   scripts/dev-servers.sh stop postgres    # one of them only (postgres or redis); start too
#   scripts/dev-servers.sh freeze postgres  # every PostgreSQL process stopped (SIGSTOP), as a hung host
#   scripts/dev-servers.sh thaw postgres
#   scripts/dev-servers.sh flush redis      # FLUSHALL: Redis loses everything
#
# start prints the settings as export lines on stdout, everything else on stderr, so that
#   eval "$(scripts/dev-servers.sh start)"
# starts the servers and selects durable mode in the current shell.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# RSE_DEV_DIR, RSE_DEV_PG_PORT and RSE_DEV_REDIS_PORT move them (the README's test uses its own).
pg_port=${RSE_DEV_PG_PORT:-55432}
redis_port=${RSE_DEV_REDIS_PORT:-56379}
dev_dir=${RSE_DEV_DIR:-$root/.dev}
# PostgreSQL's cluster in data/, its socket and log beside it; Redis keeps nothing but its log.
pg_dir=$dev_dir/postgres
redis_dir=$dev_dir/redis

say() { echo "$*" >&2; }
die() { say "dev-servers: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# PostgreSQL refuses to run as root: under root its programs run as the postgres user, from a
# folder that user may enter.
as_postgres() {
  if is_root; then
    (cd "$pg_dir" && runuser -u postgres -- "$@")
  else
    (cd "$pg_dir" && "$@")
  fi
}

pg_bin() {
  if [ -n "${RSE_PG_BIN:-}" ]; then
    [ -x "$RSE_PG_BIN/initdb" ] || die "RSE_PG_BIN is $RSE_PG_BIN, which holds no initdb"
    echo "$RSE_PG_BIN"
    return
  fi
  local bin
  bin=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || die "PostgreSQL's server programs were not found in /usr/lib/postgresql/*/bin: install postgresql: apt-get install postgresql"
  dirname "$bin"
}

redis_bin() {
  command -v redis-server 2>/dev/null && return
  [ -x /usr/bin/redis-server ] && { echo /usr/bin/redis-server; return; }
  die "redis-server was not found: install redis: apt-get install redis-server"
}

pg_running() { [ -f "$pg_dir/data/PG_VERSION" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$pg_dir/data" status > /dev/null 2>&1; }

# One inline command over bash's /dev/tcp, so that redis-cli is not needed; prints the reply.
redis_send() {
  local reply
  exec 3<> "/dev/tcp/127.0.0.1/$redis_port" || return 1
  printf '%s\r\n' "$1" >&3
  read -r -t 2 reply <&3 || reply=
  exec 3<&- 3>&-
  echo "$reply"
}

redis_running() { [[ "$(redis_send PING 2> /dev/null)" == +PONG* ]]; }

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$pg_dir"
  if is_root; then
    id postgres > /dev/null 2>&1 || die "as root, PostgreSQL runs as the postgres user, which does not exist (apt-get install postgresql creates it)"
    chown postgres: "$pg_dir"
    runuser -u postgres -- test -w "$pg_dir" ||
      die "the postgres user cannot reach $pg_dir (PostgreSQL will not run as root): let others enter the folders above it, or run this as an ordinary user"
  fi

  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    say "postgres: creating a cluster in $pg_dir/data"
    as_postgres "$bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale > /dev/null
    # Trust is safe only because nothing outside this machine can connect.
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$pg_dir/data/pg_hba.conf"
    cat >> "$pg_dir/data/postgresql.conf" <<CONF

# Development server of scripts/dev-servers.sh: loopback only, socket beside the cluster.
port = $pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_dir'
CONF
  fi

  if pg_running; then
    say "postgres: already running on 127.0.0.1:$pg_port"
  else
    as_postgres "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 start > /dev/null ||
      { tail -n 20 "$pg_dir/postgres.log" >&2; die "PostgreSQL did not start (log: $pg_dir/postgres.log)"; }
    say "postgres: running on 127.0.0.1:$pg_port"
  fi

  local psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1)
  if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'rse'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE rse"
    say "postgres: created database rse"
  fi
}

start_redis() {
  local bin i
  bin=$(redis_bin)
  mkdir -p "$redis_dir"
  if redis_running; then
    say "redis: already running on 127.0.0.1:$redis_port"
    return
  fi
  "$bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
    --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
  for i in $(seq 1 100); do
    redis_running && { say "redis: running on 127.0.0.1:$redis_port"; return; }
    sleep 0.1
  done
  tail -n 20 "$redis_dir/redis.log" >&2
  die "Redis did not start (log: $redis_dir/redis.log)"
}

stop_postgres() {
  if pg_running; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m fast -w stop > /dev/null
    say "postgres: stopped"
  else
    say "postgres: not running"
  fi
}

stop_redis() {
  local i
  if redis_running; then
    redis_send "SHUTDOWN NOSAVE" > /dev/null 2>&1 || true
    for i in $(seq 1 100); do
      redis_running || { say "redis: stopped"; return; }
      sleep 0.1
    done
    die "Redis did not stop (pid file: $redis_dir/redis.pid)"
  else
    say "redis: not running"
  fi
}

# The postmaster first, so that it forks no new backend, then every process it started; a thaw
# in the opposite order.
signal_postgres() {
  local postmaster
  pg_running || die "PostgreSQL is not running"
  postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
  if [ "$1" = STOP ]; then kill -STOP "$postmaster"; fi
  pkill "-$1" -P "$postmaster" || true
  if [ "$1" = CONT ]; then kill -CONT "$postmaster"; fi
}

# "start postgres" or "stop redis" acts on that server alone.
only=${2:-}
case "$only" in
  ""|postgres|redis) ;;
  *) say "usage: $0 start|stop [postgres|redis]"; exit 2 ;;
esac

case "${1:-}" in
  start)
    if [ "$only" != redis ]; then start_postgres; fi
    if [ "$only" != postgres ]; then start_redis; fi
    if [ -n "$only" ]; then exit 0; fi
    say "durable mode settings (eval \"\$(scripts/dev-servers.sh start)\" sets them here):"
    echo "export Engine__Mode=Durable"
    echo "export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=rse'"
    echo "export ConnectionStrings__Redis='127.0.0.1:$redis_port'"
    ;;
  stop)
    if [ "$only" != redis ]; then stop_postgres; fi
    if [ "$only" != postgres ]; then stop_redis; fi
    ;;
  freeze|thaw)
    [ "$only" = postgres ] || die "usage: $0 $1 postgres"
    if [ "$1" = freeze ]; then signal_postgres STOP; say "postgres: frozen"; else signal_postgres CONT; say "postgres: thawed"; fi
    ;;
  flush)
    [ "$only" = redis ] || die "usage: $0 flush redis"
    [[ "$(redis_send FLUSHALL)" == +OK* ]] || die "Redis did not flush"
    say "redis: flushed"
    ;;
  status)
    running=0
    if pg_running; then echo "postgres: running on 127.0.0.1:$pg_port ($pg_dir)"; running=$((running + 1)); else echo "postgres: stopped"; fi
    if redis_running; then echo "redis: running on 127.0.0.1:$redis_port ($redis_dir)"; running=$((running + 1)); else echo "redis: stopped"; fi
    # As init scripts do: 0 when everything runs, 3 otherwise.
    [ "$running" -eq 2 ] || exit 3
    ;;
  *)
    say "usage: $0 start|stop [postgres|redis] | status | freeze|thaw postgres | flush redis"
    exit 2
    ;;
esac
