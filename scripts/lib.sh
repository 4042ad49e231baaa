# Shared helpers for the benchmark scripts (sourced, not run).
#
# Every script starts its own processes, remembers their ids and ends exactly those on exit.

set -euo pipefail

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPTS_DIR/.." && pwd)"
BIN="${SELFSERVE_BIN:-$PROJECT_DIR/target/release/selfserve}"

# Folder for generated corpora, reused between runs (they are deterministic).
BENCH_DIR="${SELFSERVE_BENCH_DIR:-${TMPDIR:-/tmp}/selfserve-bench}"

# Process ids this script started; ended by cleanup().
STARTED_PIDS=()

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

now() { date +%s.%N; }
# elapsed START [END]: seconds between two `now` values, 3 decimals.
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }
# deadline_in SECONDS: the `now` value SECONDS from now; `past DEADLINE` is true once it is.
deadline_in() { awk -v t="$1" -v n="$(now)" 'BEGIN { printf "%.3f", n + t }'; }
past() { awk -v d="$1" -v n="$(now)" 'BEGIN { exit !(n > d) }'; }

need_bin() {
  [ -x "$BIN" ] || die "no release binary at $BIN; run 'cargo build --release' first (or set SELFSERVE_BIN)"
}

# need_pkg COMMAND PACKAGE: installs a Debian package when its command is missing.
need_pkg() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (apt-get)..."
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
      die "cannot install $2; install it by hand (apt-get install $2)"
  fi
  command -v "$1" >/dev/null 2>&1 || die "$2 installed but $1 is not on PATH"
}

# Ends the processes this script started (by id), then removes its temporary folder.
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    # Bounded wait: 5 s, then force.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ] && [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; fi
}

# ensure_corpus N: generated N× corpus folder (made once, reused), printed on stdout.
ensure_corpus() {
  local n="$1" out="$BENCH_DIR/corpus-${1}x"
  mkdir -p "$BENCH_DIR"
  python3 "$SCRIPTS_DIR/gen-corpus.py" --out "$out" --copies "$n" >&2
  printf '%s\n' "$out"
}

# start_server CONTENT DATA LOG [extra serve args...]: starts the release server on a free
# loopback port; sets SERVER_PID and SERVER_START (the `now` before exec). Does not wait.
start_server() {
  local content="$1" data="$2" logf="$3"
  shift 3
  SERVER_START="$(now)"
  "$BIN" serve --content "$content" --data "$data" --addr 127.0.0.1:0 "$@" >"$logf" 2>"$logf.err" &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
}

# wait_ready LOG TIMEOUT_S: waits for the "listening" line, then /healthz 200; sets SERVER_URL.
# Returns 1 on timeout or when the server exits.
wait_ready() {
  local logf="$1" timeout="$2" deadline
  deadline="$(deadline_in "$timeout")"
  SERVER_URL=""
  while :; do
    if [ -z "$SERVER_URL" ]; then
      SERVER_URL="$(grep -o 'http://[0-9.]*:[0-9]*' "$logf" 2>/dev/null | head -1 || true)"
    fi
    if [ -n "$SERVER_URL" ] &&
      [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$SERVER_URL/healthz" || true)" = 200 ]; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited; its log:"; tail -5 "$logf.err" >&2; return 1; }
    if past "$deadline"; then
      log "the server was not ready within ${timeout}s"
      return 1
    fi
    sleep 0.01
  done
}

# wait_searchable TIMEOUT: waits until the search API answers 200 (the index is built after
# the server starts answering); polled every 20 ms.
wait_searchable() {
  local timeout="$1" deadline code
  deadline="$(deadline_in "$timeout")"
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SERVER_URL/api/v1/search?q=ready" || true)"
    [ "$code" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited"; return 1; }
    if past "$deadline"; then
      log "search was not ready within ${timeout}s"
      return 1
    fi
    sleep 0.02
  done
}

# stop_server: ends the server started last and forgets its id.
stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  local keep=() pid
  for pid in "${STARTED_PIDS[@]:-}"; do [ "$pid" = "$SERVER_PID" ] || keep+=("$pid"); done
  STARTED_PIDS=("${keep[@]:-}")
  SERVER_PID=""
}

# rss_kb PID FIELD: VmRSS or VmHWM of a process, in kB.
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# cpu_s PID: CPU seconds (user + system, all threads) a process has used so far.
cpu_s() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# load1: the 1-minute load average (how busy the shared machine was).
load1() { cut -d' ' -f1 /proc/loadavg; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# prepare_load NAME: checks --content and --duration, installs wrk and nginx when missing and
# makes WORK, a new temporary folder (removed by cleanup unless KEEP is set).
prepare_load() {
  [ -d "$CONTENT" ] || die "no content folder at $CONTENT"
  [ "$DURATION" -le 120 ] || die "--duration is capped at 120 seconds"
  need_bin
  need_pkg wrk wrk
  need_pkg nginx nginx
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/selfserve-$1.XXXXXX")"
}

# ── wrk (needs WORK, DURATION, CONNECTIONS; THREADS defaults to 2) ──
# run_wrk NAME URL [wrk args...]: one bounded run; the summary goes to $WORK/NAME.wrk.
run_wrk() {
  local name="$1" url="$2"
  shift 2
  log "wrk: $name ($DURATION s, $CONNECTIONS connections): $url"
  timeout $((DURATION + 30)) wrk -t "${THREADS:-2}" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$@" "$url" >"$WORK/$name.wrk" 2>&1 || true
}
# wrk_fields NAME: "req/s p50_ms p99_ms non2xx requests" from a wrk summary.
wrk_fields() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v
    }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { reqs = $1 } /Non-2xx or 3xx responses:/ { bad = $NF }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, reqs }' "$WORK/$1.wrk"
}


# right_answers MODULE_FILE API_JSON: the attempt body with the answer key from the module's
# ```quiz blocks (a passing attempt, so the retry wait never starts); without PyYAML or a
# readable key, the first choice of each question the API lists.
right_answers() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || echo '{"answers": []}'
import json, re, sys
try:
    import yaml
    text = open(sys.argv[1], encoding="utf-8").read()
    questions = [q for block in re.findall(r"```quiz\n(.*?)```", text, re.S) for q in (yaml.safe_load(block) or [])]
    keys = [q["answer"] for q in questions]
    print(json.dumps({"answers": [k if isinstance(k, list) else [k] for k in keys]}))
except Exception:
    listed = json.load(open(sys.argv[2])).get("questions", [])
    print(json.dumps({"answers": [[0] for _ in listed]}))
PY
}

# free_port: a free loopback TCP port.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# urlenc TEXT
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1]))' "$1"; }
