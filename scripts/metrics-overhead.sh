#!/usr/bin/env bash
# What counting requests for /metrics costs: page and search throughput with metrics on and off,
# in one release binary (`serve --metrics on|off`; off leaves the counting middleware out).
#
#   scripts/metrics-overhead.sh                      # over ./content, 3 rounds of 10 s runs
#   scripts/metrics-overhead.sh --rounds 5 --duration 15 --page /docs/guides/... --query "deploy"
#
# Builds nothing: expects target/release/selfserve (or SELFSERVE_BIN). Installs wrk with apt-get
# when missing. Starts two servers on free loopback ports over the same content, fresh data
# folders, the semantic leg off in both (its background embedding would load one side only):
# one with --metrics on, one with --metrics off. Each round runs wrk (--connections, default
# 32, 2 threads, --duration seconds) against
#   page    GET a guide page (--page, default the first /docs/ page linked from home)
#   search  GET /search?q=... (--query), the HTML results page
# on both servers, the order alternating between rounds, so drift in the machine's load falls
# on both sides alike. Prints each run and the mean req/s per side with the difference, and
# the server's CPU time per request (user + system, from /proc): on a shared machine other
# processes move req/s a lot, CPU per request much less.
# Bounded (each run stops after --duration); ends everything it started, also on Ctrl-C.
source "$(dirname "$0")/lib.sh"

CONTENT="$PROJECT_DIR/content"
DURATION=10
CONNECTIONS=32
THREADS=2
ROUNDS=3
PAGE=""
QUERY="deploy"
while [ $# -gt 0 ]; do
  case "$1" in
    --content) CONTENT="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --page) PAGE="$2"; shift 2 ;;
    --query) QUERY="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -d "$CONTENT" ] || die "no content folder at $CONTENT"
[ "$DURATION" -le 120 ] || die "--duration is capped at 120 seconds"
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || die "--rounds takes 1 to 20"
need_bin
need_pkg wrk wrk
WORK="$(mktemp -d "${TMPDIR:-/tmp}/selfserve-metrics-overhead.XXXXXX")"
trap cleanup EXIT
trap 'exit 130' INT TERM

# ── the two servers ──
declare -A URL PID
for side in on off; do
  start_server "$CONTENT" "$WORK/data-$side" "$WORK/server-$side.log" --metrics "$side" --semantic off
  wait_ready "$WORK/server-$side.log" 300 || die "the server with metrics $side did not start"
  wait_searchable 300 || die "search did not become ready (metrics $side)"
  URL[$side]="$SERVER_URL"
  PID[$side]="$SERVER_PID"
  log "metrics $side: $SERVER_URL"
done

if [ -z "$PAGE" ]; then
  PAGE="$(curl -s --max-time 30 "${URL[on]}/" | grep -o 'href="/docs/[^"#]*"' | sed 's/^href="//; s/"$//' | grep -v '/$' | head -1 || true)"
  [ -n "$PAGE" ] || die "no /docs/ link on the home page; pass --page"
fi
SEARCH="/search?q=$(urlenc "$QUERY")"
for side in on off; do
  for path in "$PAGE" "$SEARCH"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${URL[$side]}$path" || echo 000)"
    [ "$code" = 200 ] || die "GET $path answers $code with metrics $side"
  done
done
log "page: $PAGE; search: $SEARCH"

# ── alternating runs ──
RESULTS="$WORK/results.txt"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="on off"; else order="off on"; fi
  for what in page search; do
    if [ "$what" = page ]; then path="$PAGE"; else path="$SEARCH"; fi
    for side in $order; do
      name="$what-$side-$round"
      cpu0="$(cpu_s "${PID[$side]}")"
      run_wrk "$name" "${URL[$side]}$path"
      cpu1="$(cpu_s "${PID[$side]}")"
      read -r rps p50 p99 bad reqs <<<"$(wrk_fields "$name")"
      [ "$reqs" -gt 0 ] && [ "$bad" = 0 ] || log "note: $name had $bad non-2xx answers of $reqs"
      us="$(awk -v a="$cpu0" -v b="$cpu1" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }')"
      printf '%s %s %s %s %s %s %s\n' "$what" "$side" "$round" "$rps" "$p50" "$p99" "$us" >>"$RESULTS"
      log "  round $round $what metrics $side: $rps req/s (p50 $p50 ms, p99 $p99 ms), $us µs CPU a request"
    done
  done
done

# ── summary ──
printf '\n| round | what | metrics on req/s | metrics off req/s | on vs off |\n|---:|---|---:|---:|---:|\n'
awk '{ r[$1 " " $3 " " $2] = $4; rounds[$3] = 1 }
  END {
    for (k in rounds) for (w = 0; w < 2; w++) {
      what = w ? "search" : "page"; on = r[what " " k " on"]; off = r[what " " k " off"]
      if (off > 0) printf "| %s | %s | %.0f | %.0f | %+.1f %% |\n", k, what, on, off, (on - off) * 100 / off
    }
  }' "$RESULTS" | sort -n -t'|' -k2
printf '\n| what | rounds | mean on req/s | mean off req/s | on vs off | CPU µs a request, on | off | on vs off |\n|---|---:|---:|---:|---:|---:|---:|---:|\n'
for what in page search; do
  awk -v w="$what" '$1 == w { s[$2] += $4; c[$2] += $7; n[$2]++ }
    END { on = s["on"] / n["on"]; off = s["off"] / n["off"]; con = c["on"] / n["on"]; coff = c["off"] / n["off"]
      printf "| %s | %d | %.0f | %.0f | %+.1f %% | %.1f | %.1f | %+.1f %% |\n", w, n["on"], on, off, (on - off) * 100 / off, con, coff, (con - coff) * 100 / coff }' "$RESULTS"
done
printf '\n(%s s runs, %s connections, %s wrk threads; load average %s at the end)\n' "$DURATION" "$CONNECTIONS" "$THREADS" "$(load1)"
