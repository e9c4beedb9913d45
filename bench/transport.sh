#!/usr/bin/env bash
# bench/transport.sh - 500 requests in flight against a local server with
# 50 ms latency per request; prints wall time in round-trips (target < 10)
# and connections opened. Figures only.
set -u
cd "$(dirname "$0")/.."
bin=build/bench/bench_transport
[ -x "$bin" ] || { echo "bench/transport.sh: $bin not built (run make)"; exit 1; }
ulimit -n 8192 2>/dev/null || true
"$bin" 500 50
