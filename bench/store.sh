#!/usr/bin/env bash
# bench/store.sh - store figures at the discovery benchmark's scale
# (100 account-regions x 300 servers). Prints figures only.
set -u
cd "$(dirname "$0")/.."
[ -x build/bench/bench_store ] || { echo "build/bench/bench_store missing (run make)"; exit 1; }
build/bench/bench_store 100 300
