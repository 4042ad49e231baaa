#!/usr/bin/env bash
# HTTP load on the release server with wrk, and nginx serving the same page from disk.
#
#   scripts/load.sh                                  # over ./content
#   scripts/load.sh --content /tmp/selfserve-bench/corpus-1x --page /docs/copy-000/argocd-docs/docs/faq
#
# Builds nothing: expects target/release/selfserve (or SELFSERVE_BIN). Installs wrk and nginx
# with apt-get when missing. Starts the server on a free loopback port with a fresh data folder,
# creates a learner and an API token with the CLI, then runs wrk (--connections, default 32,
# 2 threads, --duration seconds each, default 10) against:
#   page       GET a rendered document page (--page, default: a typical page linked from home)
#   nginx      the same page's bytes saved to disk, served by nginx on another loopback port
#   search     GET /api/v1/search?q=... (--query)
#   attempt    POST /api/v1/modules/{id}/attempts, signed in with the token (Bearer)
#              (--database postgres://…: the records in that PostgreSQL instead of SQLite;
#              --database pg: a throwaway cluster started by scripts/pg-cluster.sh)
#   qualified  GET /api/v1/qualified?learner=...&resource=... with the token
# and prints req/s, p50 and p99 for each plus the page/nginx ratio measured in this run.
# An endpoint that does not answer 2xx before the run is reported with its status, not loaded.
# Quiz attempts: rows in the database after the run are compared with the 2xx answers wrk saw.
# Bounded (each wrk run stops after --duration); ends everything it started, also on Ctrl-C.
source "$(dirname "$0")/lib.sh"

CONTENT="$PROJECT_DIR/content"
DURATION=10
CONNECTIONS=32
THREADS=2
PAGE=""
QUERY="postgres replication lag"
MODULE=""
RESOURCE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --content) CONTENT="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --page) PAGE="$2"; shift 2 ;;
    --query) QUERY="$2"; shift 2 ;;
    --module) MODULE="$2"; shift 2 ;;
    --resource) RESOURCE="$2"; shift 2 ;;
    --database) DATABASE="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
prepare_load load
trap cleanup EXIT
trap 'exit 130' INT TERM
DATA="$WORK/data"
LEARNER="loadtest"
if [ "${DATABASE:-}" = pg ]; then
  chmod 755 "$WORK"
  DATABASE="$("$SCRIPTS_DIR/pg-cluster.sh" start "$WORK/pg")"
  trap 'KEEP=1 cleanup; "$SCRIPTS_DIR/pg-cluster.sh" stop "$WORK/pg"; rm -rf "$WORK"' EXIT
fi
DB_ARGS=(--data "$DATA")
[ -z "${DATABASE:-}" ] || DB_ARGS+=(--database "$DATABASE")
TOKEN=""

# ── an account and a token (the CLI, before the server holds the database) ──
if printf 'load-test-password-1\n' | "$BIN" user add "$LEARNER" --password-stdin "${DB_ARGS[@]}" >"$WORK/user.log" 2>&1; then
  TOKEN="$("$BIN" token create "$LEARNER" "${DB_ARGS[@]}" 2>"$WORK/token.log" | tail -1 || true)"
fi
if [ -z "$TOKEN" ]; then
  log "note: could not create a learner and token with the CLI ($(head -c 200 "$WORK/user.log" "$WORK/token.log" 2>/dev/null | tr '\n' ' '))"
fi

# ── the server ──
start_server "$CONTENT" "$DATA" "$WORK/server.log" ${DATABASE:+--database "$DATABASE"}
wait_ready "$WORK/server.log" 600 || die "the server did not start"
log "selfserve at $SERVER_URL ($(elapsed "$SERVER_START") s to /healthz) over $CONTENT"
# The search index is built in the background after /healthz: wait for it, or its build
# competes with the first load run for the two cores.
wait_searchable 600 || die "search did not become ready"

# status URL [curl args...]: the HTTP status of one request.
status() { curl -s -o "$WORK/probe.body" -w '%{http_code}' --max-time 30 "$@" || echo 000; }

# ── pick what to load ──
if [ -z "$PAGE" ]; then
  # A typical page: the median size among the first 40 document pages linked from home
  # (folder listing pages, whose URLs end in `/`, left out). Pass --page to compare scales.
  mapfile -t links < <(curl -s --max-time 30 "$SERVER_URL/" | grep -o 'href="/docs/[^"#]*"' | sed 's/^href="//; s/"$//' | grep -v '/$' | awk '!seen[$0]++' | head -40)
  [ "${#links[@]}" -gt 0 ] || die "no /docs/ links on the home page; pass --page"
  PAGE="$(for l in "${links[@]}"; do printf '%s %s\n' "$(curl -s --max-time 30 "$SERVER_URL$l" | wc -c)" "$l"; done |
    sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')"
fi
front_value() { # front_value FILE KEY: a front matter value (first match), unquoted
  awk -v k="$2" 'NR == 1 && $0 != "---" { exit } NR > 1 && $0 == "---" { exit }
    NR > 1 && index($0, k ":") == 1 { v = substr($0, length(k) + 2); gsub(/^[ "\x27]+|[ "\x27]+$/, "", v); print v; exit }' "$1"
}
doc_id() { # doc_id FILE: front matter id, else the path without .md
  local id
  id="$(front_value "$1" id)"
  if [ -z "$id" ]; then id="${1#"$CONTENT"/}"; id="${id%.md}"; fi
  printf '%s\n' "$id"
}
if [ -z "$MODULE" ]; then
  f="$(grep -rlE '^kind: *module' "$CONTENT" --include='*.md' 2>/dev/null | sort | head -1 || true)"
  [ -n "$f" ] || f="$(find "$CONTENT" -path '*/modules/*.md' | sort | head -1)"
  [ -z "$f" ] || MODULE="$(doc_id "$f")"
  MODULE_FILE="$f"
fi
if [ -z "$RESOURCE" ]; then
  f="$(grep -rlE '^kind: *resource' "$CONTENT" --include='*.md' 2>/dev/null | sort | head -1 || true)"
  [ -n "$f" ] || f="$(find "$CONTENT" -path '*/resources/*.md' | sort | head -1)"
  [ -z "$f" ] || RESOURCE="$(doc_id "$f")"
fi

# ── wrk ──
ROWS=()
NOTES=()
add_row() { # add_row NAME WHAT
  local f
  read -r -a f <<<"$(wrk_fields "$1")"
  ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$2" "${f[0]}" "${f[1]}" "${f[2]}" "${f[4]}" "${f[3]}")")
  eval "RPS_$1=${f[0]}; OK_$1=$((f[4] - f[3]))"
}

# 1. the page, from selfserve
code="$(status "$SERVER_URL$PAGE")"
page_bytes="$(wc -c <"$WORK/probe.body")"
if [ "$code" = 200 ]; then
  run_wrk page "$SERVER_URL$PAGE"
  add_row page "page $PAGE (selfserve, $((page_bytes / 1024)) KB)"
else
  NOTES+=("page $PAGE answered $code; not loaded")
fi

# 2. the same bytes from nginx
if [ "$code" = 200 ]; then
  mkdir -p "$WORK/www" "$WORK/nginx"
  cp "$WORK/probe.body" "$WORK/www/page.html"
  # nginx's workers run as an unprivileged user: they must be able to read the page.
  chmod 755 "$WORK" "$WORK/www"
  chmod 644 "$WORK/www/page.html"
  NGINX_PORT="$(free_port)"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  types { text/html html; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
EOF
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  STARTED_PIDS+=("$!")
  for _ in $(seq 1 100); do
    [ "$(status "http://127.0.0.1:$NGINX_PORT/page.html")" = 200 ] && break
    sleep 0.05
  done
  cmp -s "$WORK/probe.body" "$WORK/www/page.html" || log "warning: nginx does not serve the page (see $WORK/nginx/error.log)"
  run_wrk nginx "http://127.0.0.1:$NGINX_PORT/page.html"
  add_row nginx "same page from disk (nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'))"
fi

# 3. search
search_url="$SERVER_URL/api/v1/search?q=$(urlenc "$QUERY")"
code="$(status "$search_url")"
if [ "$code" = 200 ]; then
  run_wrk search "$search_url"
  add_row search "search \"$QUERY\" (JSON API)"
else
  NOTES+=("search: GET /api/v1/search answered $code ($(head -c 120 "$WORK/probe.body")); not loaded (pending the search API)")
fi

# 4. quiz attempts, signed in
if [ -n "$MODULE" ] && [ -n "$TOKEN" ]; then
  code="$(status -H "Authorization: Bearer $TOKEN" "$SERVER_URL/api/v1/modules/$MODULE")"
  if [ "$code" = 200 ]; then
    answers="$(right_answers "${MODULE_FILE:-}" "$WORK/probe.body")"
    cat >"$WORK/attempt.lua" <<EOF
wrk.method = "POST"
wrk.body = '$answers'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
    code="$(status -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data "$answers" "$SERVER_URL/api/v1/modules/$MODULE/attempts")"
    if [ "${code:0:1}" = 2 ]; then
      run_wrk attempt "$SERVER_URL/api/v1/modules/$MODULE/attempts" -s "$WORK/attempt.lua"
      add_row attempt "quiz attempt POST /api/v1/modules/$MODULE/attempts"
    else
      NOTES+=("quiz attempt: POST /api/v1/modules/$MODULE/attempts answered $code ($(head -c 160 "$WORK/probe.body")); not loaded")
    fi
  else
    NOTES+=("quiz attempt: GET /api/v1/modules/$MODULE answered $code ($(head -c 120 "$WORK/probe.body")); not loaded (pending the training API)")
  fi
else
  NOTES+=("quiz attempt: not loaded ($([ -z "$MODULE" ] && echo "no module in the content" || echo "no API token: the account CLI is missing or failed"))")
fi

# 5. qualified?
if [ -n "$RESOURCE" ] && [ -n "$TOKEN" ]; then
  q_url="$SERVER_URL/api/v1/qualified?learner=$LEARNER&resource=$(urlenc "$RESOURCE")"
  code="$(status -H "Authorization: Bearer $TOKEN" "$q_url")"
  if [ "$code" = 200 ]; then
    run_wrk qualified "$q_url" -H "Authorization: Bearer $TOKEN"
    add_row qualified "qualified? learner=$LEARNER resource=$RESOURCE"
  else
    NOTES+=("qualified: GET /api/v1/qualified answered $code ($(head -c 120 "$WORK/probe.body")); not loaded (pending the qualification API)")
  fi
else
  NOTES+=("qualified: not loaded ($([ -z "$RESOURCE" ] && echo "no resource in the content" || echo "no API token"))")
fi

# ── nothing lost? (the server must be stopped so its writes are in the database) ──
stop_server
if [ -n "${OK_attempt:-}" ]; then
  if [ -n "${DATABASE:-}" ]; then
    rows="$(psql "$DATABASE" -Atc 'SELECT COUNT(*) FROM attempts' 2>/dev/null || echo "?")"
  else
    rows="$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from attempts").fetchone()[0])' "$DATA/selfserve.db" 2>/dev/null || echo "?")"
  fi
  # One attempt came from the probe before the run; requests still in flight when wrk stopped
  # may be recorded without wrk counting their answers, so rows >= 2xx answers + 1 is "nothing lost".
  NOTES+=("quiz attempts: wrk saw $OK_attempt answers 2xx; the database holds $rows attempts (incl. 1 probe): $([ "$rows" != "?" ] && [ "$rows" -ge $((OK_attempt + 1)) ] && echo "nothing lost" || echo "CHECK: rows missing")")
fi

echo
echo "selfserve $(basename "$BIN") over $CONTENT, records in ${DATABASE:-SQLite}; wrk $THREADS threads, $CONNECTIONS connections, ${DURATION}s each; $(nproc) cores shared by server and wrk"
echo
echo "| what | req/s | p50 (ms) | p99 (ms) | requests | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
if [ -n "${RPS_page:-}" ] && [ -n "${RPS_nginx:-}" ] && [ "${RPS_nginx:-0}" -gt 0 ]; then
  echo
  echo "page ratio selfserve/nginx: $(awk -v a="$RPS_page" -v b="$RPS_nginx" 'BEGIN { printf "%.3f", a / b }') (target >= 0.8)"
fi
if [ "${#NOTES[@]}" -gt 0 ]; then
  echo
  printf -- '- %s\n' "${NOTES[@]}"
fi
