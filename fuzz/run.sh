#!/bin/sh
# Runs one fuzz target's built binary, 10 minutes by default (see README.md):
# ./run.sh TARGET [SECONDS [more libFuzzer flags]]
t=$1; secs=${2:-600}
shift; [ $# -gt 0 ] && shift
cd "$(dirname "$0")"
exec nice -n 19 target/x86_64-unknown-linux-gnu/release/$t corpus/$t \
  -max_total_time=$secs -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix=artifacts/$t/ "$@"
