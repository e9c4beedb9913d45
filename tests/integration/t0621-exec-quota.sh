#!/usr/bin/env bash
# t0621-exec-quota: a wave of 250 servers in one account-region runs as 3
# DRS jobs of at most 100 servers, with no quota error, and every server is
# launched.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=1,regions=1,servers=250 --seed 9 --time-scale 600
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=500
cat >plan.yaml <<'YAML'
kind: ProtectionGroup
name: all
selector: {}
---
kind: RecoveryPlan
name: big
waves:
  - {name: everything, groups: [all]}
YAML

test_expect_success 'discover and apply' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f plan.yaml >/dev/null
'
test_expect_success '250 servers: 3 jobs of at most 100, all launched, no quota error' '
    "$DROVER" exec start big --drill --wait -o json >status.json 2>err &&
    curl -s "$SIM_URL/_sim/state" >state.json &&
    curl -s "$SIM_URL/_sim/metrics" >metrics.json &&
    python3 - status.json state.json metrics.json <<PY
import json, sys
st = json.load(open(sys.argv[1])); sim = json.load(open(sys.argv[2]))
m = json.load(open(sys.argv[3]))
assert st["state"] == "COMPLETED", st["state"]
servers = st["waves"][0]["servers"]
assert len(servers) == 250 and all(s["state"] == "LAUNCHED" for s in servers)
jobs = [j for j in sim["jobs"] if j["tags"].get("drover:execution") == st["id"]]
sizes = sorted(len(j["source_server_ids"]) for j in jobs)
assert len(jobs) == 3 and max(sizes) <= 100 and sum(sizes) == 250, sizes
launched = [l for l in sim["launches"] if l["job_id"] in {j["job_id"] for j in jobs}]
assert len(launched) == 250 and len({l["source_server_id"] for l in launched}) == 250
errors = sum(r["errors"] for r in m["requests"] if r["operation"] == "StartRecovery")
assert errors == 0, ("StartRecovery errors", errors)
PY
'
test_done
