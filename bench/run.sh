#!/usr/bin/env bash
# bench/run.sh - runs every benchmark script bench/*.sh in turn and prints
# its figures. Benchmarks report numbers; they never pass or fail on speed.
set -u
cd "$(dirname "$0")/.."
for b in bench/[a-z]*.sh; do
    [ "$b" = bench/run.sh ] && continue
    [ -f "$b" ] || continue
    echo "== $b"
    bash "$b" || echo "($b exited $?)"
done
