#!/usr/bin/env bash
# The semantic search leg over HTTP (issue 14): readiness, memory and query latency.
#
#   scripts/semantic.sh --content ../shared/corpus                        # cold: empty cache
#   scripts/semantic.sh --content ../shared/corpus --vectors FILE         # warm: cache copied in
#   scripts/semantic.sh --content ../shared/corpus --semantic off         # lexical only (model cost)
#   scripts/semantic.sh --content DIR --save-vectors FILE --no-load       # embed once, keep the cache
#
# Starts target/release/selfserve (or $SELFSERVE_BIN) on a free loopback port with a fresh data
# folder (with --vectors FILE copied to <data>/semantic/vectors.bin first) and measures:
#   healthz   seconds from exec to the first `GET /healthz` answering 200 (polled every 10 ms);
#   ready     seconds from exec until the log line "semantic search vectors up to date"
#             (polled every 100 ms), the passages and embedded counts it reports, passages
#             embedded per second of that time, and the server's CPU seconds by then;
#   legs      checks that a search answers with "legs": ["lexical","semantic"];
#   latency   (unless --no-load) every query of tests/relevance/queries.tsv and
#             user_queries.tsv once (this also fills the server's query-vector memory), then
#             wrk (2 threads, --duration s each) at each of --connections:
#               rotate  the same ~270 queries round-robin (query vectors remembered: the cost
#                       of a search with a known query),
#               unique  each request a new query: one of them plus a unique number (every
#                       query is embedded: the uncached cost);
#             p50/p95/p99, req/s, answers whose legs include "semantic" (the server answers
#             lexically when too many new queries wait) and non-2xx answers, with the
#             1-minute load average before and the peak memory after;
#   memory    VmHWM (peak resident) and VmRSS at the end.
# Prints a Markdown table. Bounded (--timeout for readiness, --duration per wrk run); builds
# nothing; ends every process it started, also on Ctrl-C.
source "$(dirname "$0")/lib.sh"

CONTENT=""
VECTORS=""
SAVE_VECTORS=""
SEMANTIC="on"
DURATION=15
CONNECTIONS="4 32"
TIMEOUT=900
LOAD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --content) CONTENT="$2"; shift 2 ;;
    --vectors) VECTORS="$2"; shift 2 ;;
    --save-vectors) SAVE_VECTORS="$2"; shift 2 ;;
    --semantic) SEMANTIC="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --no-load) LOAD=""; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$CONTENT" ] && [ -d "$CONTENT" ] || die "--content DIR is required (a content folder)"
[ -z "$VECTORS" ] || [ -f "$VECTORS" ] || die "--vectors $VECTORS is not a file"
case "$SEMANTIC" in on|off) ;; *) die "--semantic is on or off" ;; esac

need_bin
[ -z "$LOAD" ] || need_pkg wrk wrk
WORK="$(mktemp -d "${TMPDIR:-/tmp}/selfserve-semantic.XXXXXX")"
trap cleanup EXIT
trap 'exit 130' INT TERM

# The log without colour codes (tracing colours its output even into a file).
plain_log() { cat "$WORK/server.log" "$WORK/server.log.err" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g'; }

data="$WORK/data"
mkdir -p "$data/semantic"
[ -z "$VECTORS" ] || cp "$VECTORS" "$data/semantic/vectors.bin"
rows=()
row() { rows+=("| $1 | $2 | $3 |"); log "$1: $2 (load $3)"; }

load0="$(load1)"
if [ "$SEMANTIC" = off ]; then export SELFSERVE_SEMANTIC=off; fi
start_server "$CONTENT" "$data" "$WORK/server.log"
unset SELFSERVE_SEMANTIC
wait_ready "$WORK/server.log" 60 || die "the server did not start"
row "start to /healthz" "$(elapsed "$SERVER_START") s ($(cpu_s "$SERVER_PID") s CPU)" "$load0"
wait_searchable 300 || die "search did not answer"
row "start to searchable (lexical)" "$(elapsed "$SERVER_START") s" "$(load1)"

if [ "$SEMANTIC" = on ]; then
  deadline="$(deadline_in "$TIMEOUT")"
  line=""
  while :; do
    line="$(plain_log | grep -a 'semantic search vectors up to date' | head -1 || true)"
    [ -n "$line" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited"
    if plain_log | grep -aq 'semantic search is off\|semantic search stopped'; then die "the semantic leg failed: $(plain_log | grep -a 'semantic search' | tail -1)"; fi
    past "$deadline" && die "the semantic leg was not ready within ${TIMEOUT}s"
    sleep 0.1
  done
  ready_s="$(elapsed "$SERVER_START")"
  ready_cpu="$(cpu_s "$SERVER_PID")"
  passages="$(grep -o 'passages=[0-9]*' <<<"$line" | cut -d= -f2)"
  embedded="$(grep -o 'embedded=[0-9]*' <<<"$line" | cut -d= -f2)"
  took="$(grep -o 'took=[0-9.]*[a-zµ]*' <<<"$line" | cut -d= -f2)"
  rate="$(awk -v p="$embedded" -v s="$ready_s" 'BEGIN { printf "%.1f", p / s }')"
  row "start to semantic leg ready (\"vectors up to date\")" "$ready_s s ($ready_cpu s CPU); $passages passages, $embedded embedded (worker: $took); $rate passages/s since start" "$(load1)"
  row "peak memory once ready" "$(mb "$(rss_kb "$SERVER_PID" VmHWM)") MB" "$(load1)"
  if [ -n "$SAVE_VECTORS" ]; then
    # The worker flushes the cache before it reports; a short wait covers the file write.
    sleep 1
    cp "$data/semantic/vectors.bin" "$SAVE_VECTORS"
    log "vector cache saved to $SAVE_VECTORS ($(du -h "$SAVE_VECTORS" | cut -f1))"
  fi
fi
legs="$(curl -s --max-time 30 "$SERVER_URL/api/v1/search?q=$(urlenc 'dashboard panel shows no data')" | python3 -c 'import json, sys; print(",".join(json.load(sys.stdin).get("legs", [])))')"
row "legs answering" "$legs" "$(load1)"

if [ -n "$LOAD" ]; then
  python3 - "$PROJECT_DIR/tests/relevance" "$WORK" <<'PY'
import sys, urllib.parse
from pathlib import Path
rel, work = Path(sys.argv[1]), Path(sys.argv[2])
queries = []
for name, col in (("queries.tsv", 1), ("user_queries.tsv", 2)):
    for line in (rel / name).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) > col and cols[col].strip():
            queries.append(cols[col].strip())
paths = ["/api/v1/search?q=" + urllib.parse.quote_plus(q) for q in queries]
(work / "paths.txt").write_text("\n".join(paths) + "\n")
lua = ["-- generated by scripts/semantic.sh: rotate or unique queries", "local paths = {"]
lua += ["  %s," % ('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"') for p in paths]
lua += ["}", """
local next_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
semantic = 0
function response(status, headers, body)
  if body:find('"legs":["lexical","semantic"]', 1, true) then
    semantic = semantic + 1
  end
end
local mode, base, i = "rotate", 0, 0
function init(args)
  mode = args[1] or "rotate"
  base = tonumber(args[2] or "0")
  i = (tid or 0) * 97
end
function request()
  i = i + 1
  local path = paths[(i % #paths) + 1]
  if mode == "unique" then
    -- a number no query had before: the server has not embedded this text yet
    path = path .. "+" .. tostring(base + (tid or 0) * 10000000 + i)
  end
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local sem = 0
  for _, t in ipairs(threads) do sem = sem + (t:get("semantic") or 0) end
  io.write(string.format("RESULT p50=%.1f p95=%.1f p99=%.1f rps=%.0f requests=%d with-semantic-leg=%d non2xx=%d errors=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / secs, summary.requests, sem, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""]
(work / "queries.lua").write_text("\n".join(lua))
print(f"{len(queries)} queries", file=sys.stderr)
PY
  # Every query once, one at a time: fills the query-vector memory, checks that each answers
  # 200, and times each (the first embedding of each query, nothing else running).
  started="$(now)"; load="$(load1)"
  while IFS= read -r path; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 30 "$SERVER_URL$path" || echo "000 0"
  done <"$WORK/paths.txt" >"$WORK/once.txt"
  bad="$(awk '$1 != 200' "$WORK/once.txt" | wc -l)"
  once="$(awk '{ print $2 * 1000 }' "$WORK/once.txt" | sort -n | awk '{ t[++n] = $1 }
    END { printf "%d queries in %%s s; p50 %.1f, p95 %.1f, p99 %.1f, max %.1f ms", n,
      t[int((n - 1) * 0.5) + 1], t[int((n - 1) * 0.95) + 1], t[int((n - 1) * 0.99) + 1], t[n] }')"
  once="$once, $bad not 200"
  row "each query once, one connection (each query embedded for the first time)" "$(printf "$once" "$(elapsed "$started")"); peak memory after $(mb "$(rss_kb "$SERVER_PID" VmHWM)") MB" "$load"
  base=0
  for mode in rotate unique; do
    for c in $CONNECTIONS; do
      base=$((base + 1000000000))
      load="$(load1)"
      out="$(wrk -t 2 -c "$c" -d "${DURATION}s" --timeout 10s -s "$WORK/queries.lua" "$SERVER_URL" -- "$mode" "$base" 2>&1)"
      res="$(grep '^RESULT' <<<"$out" || echo "RESULT failed: $out")"
      row "search over HTTP, $mode queries, $c connections" "${res#RESULT }; peak memory after $(mb "$(rss_kb "$SERVER_PID" VmHWM)") MB" "$load"
    done
  done
fi

row "peak memory (VmHWM) / resident (VmRSS) at the end" "$(mb "$(rss_kb "$SERVER_PID" VmHWM)") / $(mb "$(rss_kb "$SERVER_PID" VmRSS)") MB" "$(load1)"
stop_server

echo
echo "content: $CONTENT; semantic: $SEMANTIC; vector cache: ${VECTORS:-empty}"
echo
echo "| figure | value | load (1 min) |"
echo "|---|---|---:|"
printf '%s\n' "${rows[@]}"
