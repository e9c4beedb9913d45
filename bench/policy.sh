#!/usr/bin/env bash
# bench/policy.sh - policy engine evaluations per second, single-threaded:
# drover (build/bench/bench_policy) and, in the same run, the npm package
# @cloud-copilot/iam-simulate on the same cases (installed into bench/ with
# `npm install`; node_modules is never committed), and the ratio.
set -u
cd "$(dirname "$0")/.."
SHARED=${DROVER_SHARED:-../shared}
CASES="$SHARED/testdata/iam-policy-cases"
DR=tests/data/policy-dr/spoke-trust-external-id.json
[ -x build/bench/bench_policy ] || { echo "build first (make)"; exit 1; }
PIN=""
command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null && PIN="taskset -c 0"
ours=$($PIN build/bench/bench_policy "$CASES" "$DR")
echo "$ours"
theirs=""
if command -v npm >/dev/null && command -v node >/dev/null; then
    if [ ! -d bench/node_modules/@cloud-copilot/iam-simulate ]; then
        (cd bench && npm install --no-audit --no-fund >/dev/null 2>&1) ||
            echo "iam-simulate: npm install failed (no registry access?); drover figures only"
    fi
    if [ -d bench/node_modules/@cloud-copilot/iam-simulate ]; then
        theirs=$(cd bench && $PIN node iam_simulate_bench.mjs "../$CASES" "../$DR" 2>&1)
        echo "$theirs"
    fi
else
    echo "iam-simulate: node/npm not installed; drover figures only"
fi
ratio() { # LABEL
    local a b
    a=$(echo "$ours" | grep "drover $1:" | grep -oE '[0-9]+ evals/s' | cut -d' ' -f1)
    b=$(echo "$theirs" | grep "iam-simulate $1:" | grep -oE '[0-9]+ evals/s' | cut -d' ' -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt 0 ] &&
        awk -v a="$a" -v b="$b" -v l="$1" 'BEGIN { printf "ratio %s: drover/iam-simulate = %.1fx\n", l, a / b }'
}
ratio conformance
ratio dr-trust
