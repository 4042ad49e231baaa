#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests and the replica drill.
#
#   scripts/pg-cluster.sh start DIR   initdb in DIR (new), start on a free port, print the URL
#   scripts/pg-cluster.sh stop DIR    stop it and delete DIR
#
# Uses Debian's postgresql packages (installed by .ci/run when missing). Authentication is
# `trust` on 127.0.0.1 only: the cluster lives for one CI run and holds test data. When run
# as root, the cluster runs as the `postgres` user (initdb refuses root).
set -euo pipefail

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  echo "error: no PostgreSQL server found under /usr/lib/postgresql; apt-get install postgresql" >&2
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin="$(pg_bin)"

case "$cmd" in
  start)
    [ -e "$dir" ] && { echo "error: $dir exists; give a new folder" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port="$(free_port)"
    # Sockets in the cluster's own folder; connections by TCP on loopback.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
