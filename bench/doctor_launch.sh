#!/usr/bin/env bash
# bench/doctor_launch.sh - `drover doctor --plan shop` on the demo estate
# (examples/demo-estate.yaml, 72 plan servers in 6 account-regions, after
# drover discover) with the simulator at 0 and 25 ms latency per call:
# wall time, AWS calls made and how many were launch-readiness reads
# (GetLaunchConfiguration, DescribeLaunchTemplateVersions,
# DescribeInstanceTypeOfferings, DescribeNetworkInterfaces). With
# BASELINE_DROVER=path/to/old/drover the same runs with that binary come
# first, as the baseline (for example a build without launch checks).
set -u
cd "$(dirname "$0")/.."
D=$PWD/build/drover
[ -x "$D" ] || { echo "build/drover missing (run make)"; exit 1; }
W=$(mktemp -d)
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

run() { # LABEL DROVER LATENCY_MS
    local label=$1 bin=$2 lat=$3
    "$bin" sim --listen 127.0.0.1:0 --estate examples/demo-estate.yaml --latency-ms "$lat" \
        --threads 64 --quiet >"$W/sim.log" 2>&1 &
    SIM=$!
    for _ in $(seq 100); do grep -q listening "$W/sim.log" && break; sleep 0.1; done
    URL=$(grep -o "http://[0-9.:]*" "$W/sim.log")
    curl -s "$URL/_sim/estate" >"$W/estate.json"
    export AWS_ENDPOINT_URL=$URL AWS_REGION=us-east-1 DROVER_HOME="$W/home-$label-$lat"
    AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["access_key_id"])' "$W/estate.json")
    AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["secret_access_key"])' "$W/estate.json")
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
    python3 - "$W/estate.json" <<'PY' | while read -r a r x g; do "$bin" accounts add "$a" --role-arn "$r" --external-id "$x" --regions "$g" >/dev/null; done
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["account_id"], a["role_arn"], a["external_id"], ",".join(a["regions"]))
PY
    "$bin" discover >/dev/null && "$bin" apply -f examples/shop-plan.yaml >/dev/null
    curl -s -XPOST "$URL/_sim/faults" -d '{}' >/dev/null
    local before t0 t1 after
    before=$(curl -s "$URL/_sim/metrics")
    t0=$(date +%s.%N)
    "$bin" doctor --plan shop -o json >"$W/report.json"
    t1=$(date +%s.%N)
    after=$(curl -s "$URL/_sim/metrics")
    python3 - "$label" "$lat" "$(echo "$t1 - $t0" | bc)" "$W/report.json" "$before" "$after" <<'PY'
import json, sys
label, lat, wall, rep, before, after = sys.argv[1:]
launch = {"GetLaunchConfiguration", "DescribeLaunchTemplateVersions",
          "DescribeInstanceTypeOfferings", "DescribeNetworkInterfaces"}
def counts(m):
    out = {}
    for r in json.loads(m)["requests"]:
        out[r["operation"]] = out.get(r["operation"], 0) + r["count"]
    return out
b, a = counts(before), counts(after)
calls = {k: a[k] - b.get(k, 0) for k in a if a[k] - b.get(k, 0)}
d = json.load(open(rep))
above = sum(1 for f in d["findings"] if f["severity"] != "INFO")
print(f"doctor --plan shop (demo, 72 servers), {label:8s} sim latency {int(lat):2d} ms: "
      f"{float(wall):5.2f} s wall, {sum(calls.values())} AWS calls "
      f"({sum(v for k, v in calls.items() if k in launch)} launch reads), "
      f"{len(d['findings'])} findings ({above} above INFO)")
PY
    kill $SIM; wait $SIM 2>/dev/null; SIM=
}
for lat in 0 25; do
    [ -n "${BASELINE_DROVER:-}" ] && run baseline "$BASELINE_DROVER" "$lat"
    run current "$D" "$lat"
done
