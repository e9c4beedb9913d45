#!/usr/bin/env bash
# engine.sh - the execution engine's overhead (issue 6, acceptance 8):
# 1,000 servers in 10 account-regions, a 4-wave diamond (a -> b, a -> c,
# b + c -> d), the simulator at a time scale where a DRS job takes about
# 5 s. Reports the drill's wall time against the critical path of the
# simulated job durations (from the simulator's own job records), API calls
# per server and DescribeJobs calls per job per minute, from /_sim/metrics.
# Figures only; never pass/fail.
set -u
cd "$(dirname "$0")/.."
DROVER=$(pwd)/${DROVER:-build/drover}
SCALE=${SCALE:-116} # a job: ~550-580 sim s -> ~5 s
POLL_MIN=${POLL_MIN:-1000}
POLL_MAX=${POLL_MAX:-2000}
TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$DROVER" sim --listen "127.0.0.1:$PORT" --generate accounts=5,regions=2,servers=100 --seed 8 \
    --time-scale "$SCALE" --quiet >"$TMP/sim.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$TMP"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -s "$URL/_sim/health" >/dev/null && break; sleep 0.05; done
export DROVER_HOME="$TMP/home" AWS_ENDPOINT_URL="$URL" AWS_REGION=us-east-1
curl -s "$URL/_sim/estate" >"$TMP/estate.json"
eval "$(python3 - "$TMP/estate.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (e["hub"]["access_key_id"],
                                                                e["hub"]["secret_access_key"]))
for a in e["accounts"]:
    print("$DROVER accounts add %s --role-arn %s --external-id %s --regions %s >/dev/null"
          % (a["account_id"], a["role_arn"], a["external_id"], ",".join(a["regions"])))
PY
)"
"$DROVER" discover >/dev/null
cat >"$TMP/plan.yaml" <<'YAML'
kind: ProtectionGroup
name: a
selector: {tags: {Tier: db}}
---
kind: ProtectionGroup
name: b
selector: {tags: {Tier: app}}
---
kind: ProtectionGroup
name: c
selector: {tags: {Tier: web}}
---
kind: ProtectionGroup
name: d
selector: {tags: {Tier: cache}}
---
kind: RecoveryPlan
name: diamond
waves:
  - {name: a, groups: [a]}
  - {name: b, groups: [b], dependsOn: [a]}
  - {name: c, groups: [c], dependsOn: [a]}
  - {name: d, groups: [d], dependsOn: [b, c]}
YAML
"$DROVER" apply -f "$TMP/plan.yaml" >/dev/null
curl -s "$URL/_sim/metrics" >"$TMP/m0.json"
T0=$(date +%s.%N)
DROVER_POLL_MIN_MS=$POLL_MIN DROVER_POLL_MAX_MS=$POLL_MAX \
    "$DROVER" exec start diamond --drill --wait -o json >"$TMP/status.json" 2>"$TMP/err"
T1=$(date +%s.%N)
curl -s "$URL/_sim/metrics" >"$TMP/m1.json"
curl -s "$URL/_sim/state" >"$TMP/state.json"
python3 - "$TMP" "$T0" "$T1" "$SCALE" "$POLL_MIN" "$POLL_MAX" <<'PY'
import json, sys
from datetime import datetime
tmp, t0, t1, scale, pmin, pmax = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), \
    float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
st = json.load(open(tmp + "/status.json")); sim = json.load(open(tmp + "/state.json"))
ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
wave_of = {s["job_id"]: w["name"] for w in st["waves"] for s in w["servers"] if s["job_id"]}
dur = {}
njobs = 0
for j in sim["jobs"]:
    if j["tags"].get("drover:execution") != st["id"]:
        continue
    njobs += 1
    d = (ts(j["ended_at"]) - ts(j["created_at"])) / scale
    w = wave_of[j["job_id"]]
    dur[w] = max(dur.get(w, 0), d)
crit = dur["a"] + max(dur["b"], dur["c"]) + dur["d"]
wall = t1 - t0
def calls(path):
    c = {}
    for r in json.load(open(path))["requests"]:
        k = r["operation"]
        c[k] = c.get(k, 0) + r["count"]
    return c
c0, c1 = calls(tmp + "/m0.json"), calls(tmp + "/m1.json")
delta = {k: c1.get(k, 0) - c0.get(k, 0) for k in c1}
total = sum(delta.values())
nserv = sum(len(w["servers"]) for w in st["waves"])
dj = delta.get("DescribeJobs", 0)
job_minutes = sum((ts(j["ended_at"]) - ts(j["created_at"])) / scale / 60 for j in sim["jobs"]
                  if j["tags"].get("drover:execution") == st["id"])
print("engine: state %s, %d servers, %d account-regions, %d jobs, time scale %g" %
      (st["state"], nserv, len({(s["account_id"], s["region"]) for w in st["waves"]
                                for s in w["servers"]}), njobs, scale))
print("engine: longest job per wave (s): " + ", ".join("%s %.2f" % (w, dur[w]) for w in "abcd"))
print("engine: wall %.2f s, critical path %.2f s, overhead %.2f s (target <= 2 s + 1 poll "
      "interval per wave on the path: %.1f-%.1f s with poll %d-%d ms)" %
      (wall, crit, wall - crit, 2 + 3 * pmin / 1000, 2 + 3 * pmax / 1000, pmin, pmax))
print("engine: %d API calls, %.2f per server: %s" %
      (total, total / nserv, ", ".join("%s %d" % kv for kv in sorted(delta.items()) if kv[1])))
print("engine: DescribeJobs %d calls = %.2f per job per minute of job time (real), "
      "%.3f per job per simulated minute (target <= 3)" %
      (dj, dj / job_minutes, dj / (job_minutes * scale)))
PY
