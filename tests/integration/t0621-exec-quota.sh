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
# The quotas come from Service Quotas: an estate with lower DRS quotas.
cat >small-quotas.yaml <<'YAML'
hub:
  account_id: "999999999999"
  name: hub
  regions: [us-east-1]
  user: {name: drover, access_key_id: AKIASIMHUBQUOTA00001, secret_access_key: quotasecret000000000000000000000000000001}
accounts:
  - account_id: "222222222222"
    name: target
    regions: [us-west-2]
    external_id: quota-test-external-id-0002
    drs:
      us-west-2:
        initialized: true
        generate_servers: {count: 20, seed: 3, origin_region: us-east-1}
quotas:
  max_servers_per_job: 7
  max_concurrent_jobs: 2
  max_servers_in_active_jobs: 10
YAML
test_expect_success 'quotas read from Service Quotas: 20 servers as jobs of <= 7, <= 2 at a time' '
    kill $SIM_PID && wait $SIM_PID 2>/dev/null; rm -rf "$DROVER_HOME" &&
    start_sim --estate small-quotas.yaml --time-scale 600 && sim_register &&
    "$DROVER" discover >/dev/null && "$DROVER" apply -f plan.yaml >/dev/null &&
    "$DROVER" exec start big --drill --wait -o json >small.json 2>err &&
    curl -s "$SIM_URL/_sim/state" >state2.json && curl -s "$SIM_URL/_sim/metrics" >m2.json &&
    python3 - small.json state2.json m2.json <<PY
import json, sys
from datetime import datetime
st = json.load(open(sys.argv[1])); sim = json.load(open(sys.argv[2])); m = json.load(open(sys.argv[3]))
assert st["state"] == "COMPLETED" and len(st["waves"][0]["servers"]) == 20, st["state"]
jobs = [j for j in sim["jobs"] if j["tags"].get("drover:execution") == st["id"]]
sizes = [len(j["source_server_ids"]) for j in jobs]
assert max(sizes) <= 7 and sum(sizes) == 20, sizes
ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
ev = sorted([(ts(j["created_at"]), 1, len(j["source_server_ids"])) for j in jobs] +
            [(ts(j["ended_at"]), -1, -len(j["source_server_ids"])) for j in jobs])
active = servers = peak_j = peak_s = 0
for _, dj, ds in sorted(ev, key=lambda e: (e[0], e[1])):
    active += dj; servers += ds
    peak_j = max(peak_j, active); peak_s = max(peak_s, servers)
assert peak_j <= 2 and peak_s <= 10, (peak_j, peak_s)
q = [r for r in m["requests"] if r["operation"] == "ListServiceQuotas"]
assert q and q[0]["count"] >= 1, "Service Quotas were not read"
errors = sum(r["errors"] for r in m["requests"] if r["operation"] == "StartRecovery")
assert errors == 0, ("quota errors: the engine did not respect the quotas", errors)
PY
'
test_done
