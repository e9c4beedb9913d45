#!/usr/bin/env bash
# make demo: drover's main job on the embedded simulator. Installs what is
# missing, builds, starts `drover sim` with examples/demo-estate.yaml (a hub,
# 3 spoke accounts, 2 recovery regions, a 3-tier shop plus a batch fleet),
# registers the accounts, discovers the estate, applies the shop plan
# (db -> app -> web, batch in parallel), runs `drover doctor`, runs a drill
# with live progress, prints the measured RTO per wave, cleans the drill up
# and stops the simulator. Everything lives in a temporary DROVER_HOME that
# is removed at the end; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. dependencies and build"
bash scripts/deps.sh
# (the demo test of `make check` has built already: DROVER_DEMO_SKIP_BUILD=1)
[ -n "${DROVER_DEMO_SKIP_BUILD:-}" ] || make -s build >/dev/null
DROVER=$ROOT/build/drover
export PATH="$ROOT/build:$PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/drover-demo.XXXXXX")
export DROVER_HOME="$WORK/home"
SIM_PID=""
finish() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap finish EXIT
T0=$(date +%s)

step "2. start the simulator (1 real second = 1 simulated minute)"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$DROVER" sim --listen "127.0.0.1:$PORT" --estate examples/demo-estate.yaml --time-scale 60 \
    --seed 1 >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/_sim/health" >/dev/null && break
    sleep 0.1
done
head -1 "$WORK/sim.log"
curl -s "http://127.0.0.1:$PORT/_sim/estate" >"$WORK/estate.json"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["access_key_id"])' "$WORK/estate.json")
AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["secret_access_key"])' "$WORK/estate.json")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
# poll DRS often: a simulated job takes about ten seconds here
export DROVER_POLL_MIN_MS=500 DROVER_POLL_MAX_MS=2000

step "3. register the spoke accounts and discover the estate"
python3 - "$WORK/estate.json" <<'PY' >"$WORK/accounts"
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["account_id"], a["name"], a["role_arn"], a["external_id"], ",".join(a["regions"]))
PY
while read -r acct name role xid regions; do
    run drover accounts add "$acct" --name "$name" --role-arn "$role" --external-id "$xid" \
        --regions "$regions"
done <"$WORK/accounts"
run drover discover

step "4. apply the protection groups and the recovery plan"
run drover apply -f examples/shop-plan.yaml
run drover plan validate shop

step "5. readiness: drover doctor"
run drover doctor --plan shop || true

step "6. a drill of the plan, with live progress"
run drover exec start shop --drill --wait
ID=$(drover exec list -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["executions"][0]["id"])')

step "7. measured RTO per wave"
run drover exec status "$ID"

step "8. clean up the drill"
run drover exec cleanup "$ID" --wait

step "9. stop the simulator"
kill "$SIM_PID" && wait "$SIM_PID" 2>/dev/null || true
SIM_PID=""
echo "simulator stopped; demo finished in $(($(date +%s) - T0)) s"
