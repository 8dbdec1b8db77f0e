#!/usr/bin/env bash
# Real servers for the contract tests: PostgreSQL (Debian's package) and a Chroma server,
# both on loopback, on free ports, in a throwaway folder.
#
#   scripts/ci-services.sh start   # prints the file to source: export HARBOUR_TEST_POSTGRES_URL=…
#   scripts/ci-services.sh stop
#
# The folder is $HARBOUR_SERVICES_DIR (default /tmp/harbour-ci-services). PostgreSQL runs as the
# `postgres` user with trust authentication, listening on 127.0.0.1 only. A server that cannot be
# started is left out (its tests then skip with a reason, or fail under HARBOUR_SERVICES=required).
set -uo pipefail
cd "$(dirname "$0")/.."
DIR="${HARBOUR_SERVICES_DIR:-/tmp/harbour-ci-services}"
ENV_FILE="$DIR/env"
VENV_BIN="${VENV_BIN:-.venv/bin}"

log() { echo "ci-services: $*" >&2; }

free_port() {
  local py="$VENV_BIN/python"; [ -x "$py" ] || py=python3
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"  # not root: run PostgreSQL as ourselves
  fi
}

start_postgres() {
  local bin
  bin="$(pg_bin)"
  if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; }
    bin="$(pg_bin)"
  fi
  if [ -z "$bin" ]; then
    log "PostgreSQL is not installed and cannot be: its tests will skip"
    return 0
  fi
  local port pg data
  port="$(free_port)"
  # its own folder, which the postgres user owns (DIR's parents may be private to us)
  pg="$(mktemp -d /tmp/harbour-pg.XXXXXX)"
  echo "$pg" >"$DIR/pg.path"
  data="$pg/data"
  [ "$(id -u)" = 0 ] && chown postgres "$pg"
  if ! as_postgres "$bin/initdb" -D "$data" -U harbour -A trust -E UTF8 --locale=C.UTF-8 \
      >"$DIR/initdb.log" 2>&1; then
    log "initdb failed (see $DIR/initdb.log)"; return 0
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$data" -l "$pg/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pg -c fsync=off" start >/dev/null; then
    log "PostgreSQL did not start (see $pg/postgres.log)"; return 0
  fi
  as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U harbour harbour_test
  echo "export HARBOUR_TEST_POSTGRES_URL=postgresql+psycopg://harbour@127.0.0.1:$port/harbour_test" \
    >>"$ENV_FILE"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

start_chroma() {
  local port
  port="$(free_port)"
  if [ ! -x "$VENV_BIN/chroma" ]; then
    log "no chroma CLI in $VENV_BIN: Chroma server tests will skip"; return 0
  fi
  ANONYMIZED_TELEMETRY=False nohup "$VENV_BIN/chroma" run --path "$DIR/chroma" \
    --host 127.0.0.1 --port "$port" >"$DIR/chroma.log" 2>&1 &
  echo $! >"$DIR/chroma.pid"
  for _ in $(seq 1 120); do
    if "$VENV_BIN/python" -c "import httpx,sys; httpx.get('http://127.0.0.1:$port/api/v2/heartbeat', timeout=1).raise_for_status()" 2>/dev/null; then
      echo "export HARBOUR_TEST_CHROMA_URL=http://127.0.0.1:$port" >>"$ENV_FILE"
      log "Chroma server on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  log "Chroma server did not answer (see $DIR/chroma.log)"
}

stop() {
  local bin
  bin="$(pg_bin)"
  if [ -f "$DIR/pg.path" ]; then
    local pg
    pg="$(cat "$DIR/pg.path")"
    if [ -n "$bin" ] && [ -f "$pg/data/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$pg" in /tmp/harbour-pg.*) rm -rf "$pg" ;; esac
  fi
  if [ -f "$DIR/chroma.pid" ]; then
    kill "$(cat "$DIR/chroma.pid")" 2>/dev/null || true
    sleep 0.5
    kill -9 "$(cat "$DIR/chroma.pid")" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start)
    stop
    mkdir -p "$DIR"
    : >"$ENV_FILE"
    start_postgres
    start_chroma
    echo "$ENV_FILE"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
