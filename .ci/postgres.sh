#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the store tests marked `postgres`.
#
#   source .ci/postgres.sh start    # installs Debian postgresql if missing, starts a cluster in a
#                                   # temp dir on a free port, creates a database and exports
#                                   # PROPLENS_TEST_POSTGRES_URL (and PROPLENS_CI_PGDIR)
#   bash .ci/postgres.sh stop       # stops that cluster and deletes its folder
#   bash .ci/postgres.sh run CMD…   # start, run CMD with the URL exported, stop; exits with CMD's code
#
# As root the server runs as the `postgres` user (initdb refuses root); otherwise as yourself.

_pg_state_file="${TMPDIR:-/tmp}/proplens-ci-postgres.dir"

_pg_as() {  # run a command as the server's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "postgres.sh: installing Debian postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null || return 1
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$bin"
}

_pg_free_port() {
  local py
  py=$(command -v python3 || echo .venv/bin/python)
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
  local bin dir port
  bin=$(_pg_bin) || { echo "postgres.sh: could not install postgresql" >&2; return 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/proplens-pg.XXXXXX")
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(_pg_free_port)
  _pg_as "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  _pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  _pg_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres proplens_test || return 1
  echo "$dir" >"$_pg_state_file"
  export PROPLENS_CI_PGDIR="$dir"
  export PROPLENS_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/proplens_test"
  echo "postgres.sh: PostgreSQL $("$bin/pg_ctl" --version | sed "s/^pg_ctl //") on 127.0.0.1:$port" >&2
}

pg_stop() {
  local bin dir
  dir="${PROPLENS_CI_PGDIR:-$(cat "$_pg_state_file" 2>/dev/null)}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  _pg_as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$dir" "$_pg_state_file"
  echo "postgres.sh: stopped and removed $dir" >&2
}

case "${1:-}" in
  start) pg_start ;;
  stop) pg_stop ;;
  run)
    shift
    pg_start || exit 1
    "$@"; _pg_rc=$?
    pg_stop
    exit $_pg_rc
    ;;
  *) echo "usage: source .ci/postgres.sh start | bash .ci/postgres.sh stop | bash .ci/postgres.sh run CMD…" >&2 ;;
esac
