#!/usr/bin/env bash
# Cold start and memory at 1×, 10× and 100× the real corpora.
#
#   scripts/startup.sh                 # 1 10 100, one run each
#   scripts/startup.sh --scales "1 10" --runs 3
#
# For each scale it generates the corpus once (scripts/gen-corpus.py, reused after), then for
# each run starts `target/release/selfserve serve` with a fresh data folder and measures:
#   start   seconds from exec to the first `GET /healthz` answering 200 (polled every 10 ms);
#   cpu     CPU seconds the server used until then (all threads): on a shared machine this
#           says more than wall time; the load column is the 1-minute load average before;
#   peak    VmHWM (peak resident memory) at that moment: loading;
#   search  seconds from exec until the search API answers 200 (the index is built on a
#           background thread after the server starts answering), its CPU seconds, and the
#           peak resident memory by then (loading + indexing);
#   steady  VmRSS after the server has been idle for --settle seconds (default 3) and has
#           answered one page and one search;
#   page KB the size of one rendered page (the home page), which grows with the navigation.
# "Cold" is a new process on an empty data folder; the OS page cache is warm (the corpus was
# just written or read) unless --drop-caches is given (root; slows everyone on the machine).
# Prints a Markdown table. Builds nothing; ends every process it started.
source "$(dirname "$0")/lib.sh"

SCALES="1 10 100"
RUNS=1
SETTLE=3
TIMEOUT=600
DROP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) SCALES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --settle) SETTLE="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --drop-caches) DROP=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

need_bin
WORK="$(mktemp -d "${TMPDIR:-/tmp}/selfserve-startup.XXXXXX")"
trap cleanup EXIT
trap 'exit 130' INT TERM

rows=()
for n in $SCALES; do
  content="$(ensure_corpus "$n")"
  files=$(find "$content" -name '*.md' | wc -l)
  for run in $(seq 1 "$RUNS"); do
    data="$WORK/data-$n-$run"
    if [ -n "$DROP" ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
    load="$(load1)"
    start_server "$content" "$data" "$WORK/server-$n-$run.log"
    if ! wait_ready "$WORK/server-$n-$run.log" "$TIMEOUT"; then
      rows+=("| ${n}× | $files | failed (see log) | | | | | | | | | |")
      stop_server
      continue
    fi
    start_s="$(elapsed "$SERVER_START")"
    cpu="$(cpu_s "$SERVER_PID")"
    peak="$(rss_kb "$SERVER_PID" VmHWM)"
    page_b="$(curl -s --max-time 60 "$SERVER_URL/" | wc -c)"
    search_s="failed"; search_cpu=""; search_peak=0
    if wait_searchable "$TIMEOUT"; then
      search_s="$(elapsed "$SERVER_START")"
      search_cpu="$(cpu_s "$SERVER_PID")"
      search_peak="$(rss_kb "$SERVER_PID" VmHWM)"
    fi
    curl -s -o /dev/null --max-time 60 "$SERVER_URL/api/v1/search?q=postgres+replication" || true
    sleep "$SETTLE"
    steady="$(rss_kb "$SERVER_PID" VmRSS)"
    loaded="$(grep -o 'loaded [0-9]* documents' "$WORK/server-$n-$run.log.err" | head -1 | awk '{print $2}')"
    log "${n}× run $run: ${start_s}s to /healthz (${cpu} s CPU, load $load), peak $(mb "$peak") MB; searchable after ${search_s}s (${search_cpu} s CPU), peak $(mb "$search_peak") MB; steady $(mb "$steady") MB, ${loaded:-?} documents"
    rows+=("| ${n}× | $files | ${loaded:-?} | $start_s | $cpu | $load | $(mb "$peak") | $search_s | $search_cpu | $(mb "$search_peak") | $(mb "$steady") | $((page_b / 1024)) |")
    stop_server
  done
done

echo
echo "| corpus | .md files | documents | start to /healthz (s) | CPU to /healthz (s) | load before | peak RSS at /healthz (MB) | start to searchable (s) | CPU to searchable (s) | peak RSS when searchable (MB) | steady RSS (MB) | home page (KB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "binary: $BIN ($(date -r "$BIN" '+%Y-%m-%d %H:%M'))  machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB"
