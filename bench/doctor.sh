#!/usr/bin/env bash
# bench/doctor.sh - `drover doctor` over 50 accounts x 2 regions x 100
# servers (--generate) with the simulator at 25 ms latency per call, against
# a baseline run of the same estate at 0 ms in the same command. Prints the
# wall times, the calls made and the findings count. Target: < 10 s.
set -u
cd "$(dirname "$0")/.."
D=$PWD/build/drover
[ -x "$D" ] || { echo "build/drover missing (run make)"; exit 1; }
W=$(mktemp -d)
trap 'kill $SIM 2>/dev/null; wait $SIM 2>/dev/null; rm -rf "$W"' EXIT

run() { # LATENCY_MS
    "$D" sim --listen 127.0.0.1:0 --generate accounts=50,regions=2,servers=100 --seed 7 \
        --latency-ms "$1" --threads 128 --quiet >"$W/sim-$1.log" 2>&1 &
    SIM=$!
    for _ in $(seq 100); do grep -q listening "$W/sim-$1.log" && break; sleep 0.1; done
    URL=$(grep -o "http://[0-9.:]*" "$W/sim-$1.log")
    curl -s "$URL/_sim/estate" >"$W/estate.json"
    export AWS_ENDPOINT_URL=$URL AWS_REGION=us-east-1 DROVER_HOME="$W/home-$1"
    export AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["access_key_id"])' "$W/estate.json")
    export AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["secret_access_key"])' "$W/estate.json")
    python3 - "$W/estate.json" <<'PY' | while read -r a r x g; do "$D" accounts add "$a" --role-arn "$r" --external-id "$x" --regions "$g" >/dev/null; done
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["account_id"], a["role_arn"], a["external_id"], ",".join(a["regions"]))
PY
    local t0 t1
    t0=$(date +%s.%N)
    "$D" doctor -o json >"$W/report-$1.json"
    t1=$(date +%s.%N)
    local calls
    calls=$(curl -s "$URL/_sim/metrics" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(sum(r["count"] for r in m["requests"]))')
    local n
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$W/report-$1.json")
    printf 'doctor 50x2x100, sim latency %2s ms: %6.2f s wall, %s AWS calls, %s findings\n' \
        "$1" "$(echo "$t1 - $t0" | bc)" "$calls" "$n"
    kill $SIM; wait $SIM 2>/dev/null
}
run 0
run 25
