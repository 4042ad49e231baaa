#!/usr/bin/env bash
# Load through nginx in front of 1, then 2 replicas sharing one PostgreSQL (issue 17).
#
#   scripts/replicas-load.sh [--content DIR] [--duration S] [--connections N] [--learners N]
#
# Builds nothing: expects target/release/selfserve (or SELFSERVE_BIN). Starts a throwaway
# PostgreSQL cluster (scripts/pg-cluster.sh), creates --learners accounts with a token each
# (default 16), then for 1 and 2 replicas (each `serve --database … --watch`, its own --data)
# behind nginx (round robin, keep-alive) runs wrk (2 threads, --connections, default 32,
# --duration seconds, default 10) on: a page, search, quiz attempts (each request signed with
# the next learner's token) and qualified?. Prints req/s, p50, p99 per run, the 2-replica /
# 1-replica ratio, and whether every attempt wrk saw answered 2xx is in the database.
# On 2 cores the replicas, nginx, PostgreSQL and wrk share the same two cores: the ratio
# shows what a second replica costs or gains here, not what a second machine would.
source "$(dirname "$0")/lib.sh"

CONTENT="$PROJECT_DIR/content"
DURATION=10
CONNECTIONS=32
LEARNERS=16
QUERY="postgres replication lag"
while [ $# -gt 0 ]; do
  case "$1" in
    --content) CONTENT="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --learners) LEARNERS="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
prepare_load replicas
need_pkg psql postgresql-client
chmod 755 "$WORK"
stop_all() {
  local keep="${KEEP:-}"
  KEEP=1 cleanup
  "$SCRIPTS_DIR/pg-cluster.sh" stop "$WORK/pg" || true
  [ -n "$keep" ] || rm -rf "$WORK"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

DB="$("$SCRIPTS_DIR/pg-cluster.sh" start "$WORK/pg")"
log "PostgreSQL at $DB"

# ── learners and tokens ──
: >"$WORK/tokens"
for i in $(seq 1 "$LEARNERS"); do
  "$BIN" user add "learner$i" --database "$DB" >/dev/null 2>>"$WORK/cli.log"
  "$BIN" token create "learner$i" --database "$DB" 2>>"$WORK/cli.log" | tail -1 >>"$WORK/tokens"
done
TOKEN="$(head -1 "$WORK/tokens")"
[ -n "$TOKEN" ] || die "no token: $(tail -3 "$WORK/cli.log")"

MODULE="$(grep -rlE '^kind: *module' "$CONTENT" --include='*.md' | sort | head -1 || true)"
[ -n "$MODULE" ] || MODULE="$(find "$CONTENT" -path '*/modules/*.md' | sort | head -1)"
MODULE_ID="$(awk 'NR>1 && /^---/ {exit} /^id:/ {print $2; exit}' "$MODULE")"
[ -n "$MODULE_ID" ] || { MODULE_ID="${MODULE#"$CONTENT"/}"; MODULE_ID="${MODULE_ID%.md}"; }
RESOURCE="$(find "$CONTENT" -path '*/resources/*.md' | sort | head -1)"
RESOURCE_ID="$(awk 'NR>1 && /^---/ {exit} /^id:/ {print $2; exit}' "$RESOURCE")"
[ -n "$RESOURCE_ID" ] || { RESOURCE_ID="${RESOURCE#"$CONTENT"/}"; RESOURCE_ID="${RESOURCE_ID%.md}"; }

# start_replicas N: N servers on free ports; sets REPLICA_URLS.
REPLICA_URLS=()
start_replicas() {
  REPLICA_URLS=()
  local i
  for i in $(seq 1 "$1"); do
    start_server "$CONTENT" "$WORK/data$i" "$WORK/replica$i.log" --database "$DB" --watch
    wait_ready "$WORK/replica$i.log" 600 || die "replica $i did not start"
    wait_searchable 600 || die "replica $i: search did not become ready"
    REPLICA_URLS+=("$SERVER_URL")
  done
}

# start_proxy: nginx round robin over REPLICA_URLS; sets PROXY_URL.
start_proxy() {
  local port servers="" u
  port="$(free_port)"
  for u in "${REPLICA_URLS[@]}"; do servers+="    server ${u#http://};"$'\n'; done
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  upstream replicas {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  STARTED_PIDS+=("$!")
  PROXY_PID=$!
  PROXY_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$PROXY_URL/healthz")" = 200 ] && return 0
    sleep 0.05
  done
  die "nginx did not answer (see $WORK/nginx/error.log)"
}

# Ends the replicas and nginx (cleanup's bounded kill), keeping the folder and PostgreSQL.
stop_everything_but_pg() { KEEP=1 cleanup; }

cat >"$WORK/attempt.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens") do tokens[#tokens + 1] = line end
local i = math.random(#tokens)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #tokens + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[i]
  return wrk.format(nil, nil, nil, wrk.body)
end
LUA

ROWS=()
ACKED=0
declare -A RPS
for n in 1 2; do
  start_replicas "$n"
  start_proxy
  page="$(curl -s "$PROXY_URL/" | grep -o 'href="/docs/[^"#]*"' | sed 's/^href="//; s/"$//' | grep -v '/$' | head -1)"
  curl -s -H "Authorization: Bearer $TOKEN" "$PROXY_URL/api/v1/modules/$MODULE_ID" >"$WORK/module.json"
  body="$(right_answers "$MODULE" "$WORK/module.json")"
  sed -i "s|^wrk.method = \"POST\"|wrk.method = \"POST\"\nwrk.body = '$body'|" "$WORK/attempt.lua"
  for what in page search attempt qualified; do
    case "$what" in
      page) run_wrk "page$n" "$PROXY_URL$page" ;;
      search) run_wrk "search$n" "$PROXY_URL/api/v1/search?q=$(urlenc "$QUERY")" ;;
      attempt) run_wrk "attempt$n" "$PROXY_URL/api/v1/modules/$MODULE_ID/attempts" -s "$WORK/attempt.lua" ;;
      qualified) run_wrk "qualified$n" "$PROXY_URL/api/v1/qualified?learner=learner1&resource=$(urlenc "$RESOURCE_ID")" -H "Authorization: Bearer $TOKEN" ;;
    esac
    read -r -a f <<<"$(wrk_fields "$what$n")"
    RPS[$what$n]="${f[0]}"
    [ "$what" = attempt ] && ACKED=$((ACKED + f[4] - f[3]))
    ROWS+=("| $what | $n | ${f[0]} | ${f[1]} | ${f[2]} | ${f[4]} | ${f[3]} |")
  done
  stop_everything_but_pg
  sed -i '/^wrk.body = /d' "$WORK/attempt.lua"
done
rows="$(psql "$DB" -Atc 'SELECT COUNT(*) FROM attempts')"

echo
echo "nginx round robin over 1 and 2 replicas, one PostgreSQL ($(psql "$DB" -Atc 'SHOW server_version')), $LEARNERS learners; wrk 2 threads, $CONNECTIONS connections, ${DURATION}s each; $(nproc) cores shared by all"
echo
echo "| what | replicas | req/s | p50 (ms) | p99 (ms) | requests | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
for what in page search attempt qualified; do
  echo "$what: 2 replicas / 1 replica = $(awk -v a="${RPS[${what}2]:-0}" -v b="${RPS[${what}1]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
done
echo "attempts: wrk saw $ACKED answered 2xx; the database holds $rows: $([ "$rows" -ge "$ACKED" ] && echo "nothing lost" || echo "CHECK: rows missing")"
