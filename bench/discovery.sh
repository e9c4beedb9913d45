#!/usr/bin/env bash
# discovery.sh - issue 5's discovery benchmark: `drover sim --generate
# accounts=50,regions=2,servers=300 --latency-ms 25` (100 account-regions,
# 30,000 servers). Reports drover discover's wall time, its ratio to the
# lower bound 25 ms x (1 + pages per account-region) (one AssumeRole
# round trip, then the DescribeSourceServers pages in sequence), drover's
# peak RSS, and the speed-up over bench/baseline_discovery.py (boto3, a
# thread pool per account, an AssumeRole per client, paginators) run in
# the same command on a fresh simulator. The simulator sleeps the latency
# in its thread pool, so it runs 256 threads (SIM_THREADS) to keep 25 ms a
# latency, not a throughput cap. Both runs are measured the same way: after
# one untimed warm-up pass on the same simulator (it builds account-regions
# lazily), wall time, the client's CPU (user+sys, /usr/bin/time) and the
# simulator's CPU over the run (/proc/PID/stat), since on a small machine
# the two share the cores. Figures only; never pass/fail.
set -u
cd "$(dirname "$0")/.."
DROVER=${DROVER:-build/drover}
DROVER=$(cd "$(dirname "$DROVER")" && pwd)/$(basename "$DROVER")
SPEC=${SPEC:-accounts=50,regions=2,servers=300}
LAT=${LATENCY_MS:-25}
SERVERS=$(echo "$SPEC" | sed -n 's/.*servers=\([0-9]*\).*/\1/p')
PAGE=1000
TMP=$(mktemp -d)
SIMPID=
# CPU seconds (user+sys) the simulator has used so far
sim_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / t }' "/proc/$SIMPID/stat"; }
stop_sim() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null; SIMPID=; }
trap 'stop_sim; rm -rf "$TMP"' EXIT

start_sim() {
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    URL="http://127.0.0.1:$port"
    "$DROVER" sim --listen "127.0.0.1:$port" --generate "$SPEC" --latency-ms "$LAT" --threads "${SIM_THREADS:-256}" --quiet \
        >"$TMP/sim.log" 2>&1 &
    SIMPID=$!
    for _ in $(seq 200); do curl -s "$URL/_sim/health" >/dev/null && break; sleep 0.05; done
    curl -s "$URL/_sim/estate" >"$TMP/estate.json"
}

start_sim
export DROVER_HOME="$TMP/home" AWS_ENDPOINT_URL="$URL" AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=$(python3 -c "import json;print(json.load(open('$TMP/estate.json'))['hub']['access_key_id'])")
AWS_SECRET_ACCESS_KEY=$(python3 -c "import json;print(json.load(open('$TMP/estate.json'))['hub']['secret_access_key'])")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
python3 - "$TMP/estate.json" "$DROVER" <<'PY' | sh
import json, shlex, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print("%s accounts add %s --role-arn %s --external-id %s --regions %s >/dev/null"
          % (sys.argv[2], a["account_id"], shlex.quote(a["role_arn"]), a["external_id"],
             ",".join(a["regions"])))
PY
# warm the simulator's lazily built account-regions (and drover's store: the
# measured run replaces existing snapshots, as a periodic discovery does)
"$DROVER" discover -o json >/dev/null 2>&1
S0=$(sim_cpu)
/usr/bin/time -f "%M %U %S" -o "$TMP/rss" "$DROVER" discover -o json >"$TMP/d.json" 2>"$TMP/d.err"
rc=$?
S1=$(sim_cpu)
python3 - "$TMP/d.json" "$TMP/rss" "$LAT" "$SERVERS" "$PAGE" "$rc" "$S0" "$S1" >"$TMP/drover.txt" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
rss_kb, user, sys_s = open(sys.argv[2]).read().split()[-3:]
lat, n, page, rc = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
sim = float(sys.argv[8]) - float(sys.argv[7])
pages = max(1, math.ceil(n / page))
bound = lat * (1 + pages)
ms = d["elapsed_ms"]
errs = sum(1 for a in d["account_regions"] if a["error"])
print("discovery: drover: %d servers in %d account-regions, %d errors, exit %s: %d ms "
      "(lower bound %d ms = %d ms x (1 + %d page), ratio %.1fx), peak RSS %.0f MB"
      % (d["servers_total"], len(d["account_regions"]), errs, rc, ms, bound, lat, pages,
         ms / bound, int(rss_kb) / 1024))
print("discovery: drover CPU %.2f s (user %s + sys %s), simulator CPU %.2f s during the run"
      % (float(user) + float(sys_s), user, sys_s, sim))
print(ms)
PY
head -2 "$TMP/drover.txt"
DMS=$(tail -1 "$TMP/drover.txt")
stop_sim
if python3 -c 'import boto3' 2>/dev/null; then
    start_sim
    python3 bench/baseline_discovery.py "$URL" >"$TMP/b.json" 2>"$TMP/b.err" # warm-up pass
    S0=$(sim_cpu)
    /usr/bin/time -f "%U %S" -o "$TMP/bcpu" python3 bench/baseline_discovery.py "$URL" >"$TMP/b.json" 2>"$TMP/b.err"
    S1=$(sim_cpu)
    python3 - "$TMP/b.json" "$DMS" "$TMP/bcpu" "$S0" "$S1" <<'PY'
import json, sys
b = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
dms = int(sys.argv[2])
user, sys_s = open(sys.argv[3]).read().split()[-2:]
print("discovery: baseline (boto3, thread pool per account, AssumeRole per client): %d servers "
      "in %d account-regions, %d errors: %.0f ms; drover speed-up %.1fx"
      % (b["servers"], b["account_regions"], b["errors"], b["elapsed_s"] * 1000,
         b["elapsed_s"] * 1000 / max(dms, 1)))
print("discovery: baseline CPU %.2f s (user %s + sys %s, the whole process), simulator CPU "
      "%.2f s during the run" % (float(user) + float(sys_s), user, sys_s,
                                 float(sys.argv[5]) - float(sys.argv[4])))
PY
else
    echo "discovery: boto3 is not installed; baseline skipped"
fi
