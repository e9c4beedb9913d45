#!/usr/bin/env bash
# t0623-exec-faults: the engine under injected faults.
#  - throttling at 2 requests/s per operation plus 10% 5xx: the drill
#    completes with every server launched;
#  - a 20% launch failure rate with maxFailedServers 5 and no retries: the
#    wave ends as the numbers dictate and failed servers carry their error;
#    with retries, failed servers are retried in a new job;
#  - a region outage during a wave: that region's servers fail with a
#    clear error and a dependent wave in the other region still runs.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=2,servers=12 --seed 33 --time-scale 300
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=600
ACCT1=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["account_id"]')
cat >plan.yaml <<YAML
kind: ProtectionGroup
name: all
selector: {}
---
kind: ProtectionGroup
name: east
selector: {regions: [us-east-1]}
---
kind: ProtectionGroup
name: west
selector: {regions: [us-west-2]}
---
kind: RecoveryPlan
name: whole
waves:
  - {name: all, groups: [all]}
---
kind: RecoveryPlan
name: tolerant
waves:
  - {name: all, groups: [all], maxFailedServers: 5, retries: 0}
---
kind: RecoveryPlan
name: retrying
waves:
  - {name: all, groups: [all], maxFailedServers: 48, retries: 2}
YAML
ACCT2=$(jpath "$TRASH/estate.json" 'd["accounts"][1]["account_id"]')
cat >>plan.yaml <<YAML
---
kind: ProtectionGroup
name: east1
selector: {accounts: ["$ACCT1"], regions: [us-east-1]}
---
kind: ProtectionGroup
name: east2
selector: {accounts: ["$ACCT2"], regions: [us-east-1]}
YAML

test_expect_success 'discover and apply' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f plan.yaml >/dev/null
'

test_expect_success 'throttling 2 rps per operation + 10% 5xx: every server launched' '
    sim_post /_sim/faults "{\"throttle\":{\"rate\":2,\"burst\":2},\"error_rate\":0.1}" &&
    # polls every 50-100 ms over ~2 s jobs: far above 2 rps, and ~100 calls in
    # all, so both faults surely bite (a test that cannot fail proves nothing)
    DROVER_POLL_MIN_MS=50 DROVER_POLL_MAX_MS=100 \
        "$DROVER" exec start whole --drill --wait -o json >st1.json 2>err1 &&
    sim_post /_sim/faults "{\"throttle\":null,\"error_rate\":0}" &&
    curl -s "$SIM_URL/_sim/metrics" >m1.json &&
    python3 - st1.json m1.json <<PY
import json, sys
st = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
assert st["state"] == "COMPLETED", st["state"]
s = st["waves"][0]["servers"]
assert len(s) == 48 and all(x["state"] == "LAUNCHED" for x in s), [x["state"] for x in s]
thr = sum(r["throttled"] for r in m["requests"]); err = sum(r["errors"] for r in m["requests"])
assert thr > 0 and err > 0, ("the faults did not bite", thr, err)
print("throttled", thr, "errors", err)
PY
'

check_tolerance() {
    python3 - "$1" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
w = st["waves"][0]
failed = [s for s in w["servers"] if s["state"] == "FAILED"]
launched = [s for s in w["servers"] if s["state"] == "LAUNCHED"]
assert len(failed) + len(launched) == len(w["servers"]) == 48
want = "COMPLETED" if not failed else ("PARTIAL" if len(failed) <= 5 else "FAILED")
assert w["state"] == want, (w["state"], len(failed))
assert st["state"] == want, (st["state"], want)
for s in failed:
    assert "InsufficientInstanceCapacity" in (s["error"] or ""), s
print(len(failed), "failed ->", want)
PY
}

test_expect_success '20% launch failures, tolerance 5, no retry: the numbers decide' '
    sim_post /_sim/faults "{\"launch_failure_rate\":0.2}" &&
    { "$DROVER" exec start tolerant --drill --wait -o json >st2.json 2>err2; echo $? >rc2; } &&
    check_tolerance st2.json &&
    test "$(jpath st2.json "sum(1 for s in d[\"waves\"][0][\"servers\"] if s[\"state\"]==\"FAILED\")")" -gt 0
'
test_expect_success 'with retries, failed servers are retried in a new job' '
    "$DROVER" exec start retrying --drill --wait -o json >st3.json 2>err3 &&
    sim_post /_sim/faults "{\"launch_failure_rate\":0}" &&
    python3 - st3.json <<PY
import json, sys
st = json.load(open(sys.argv[1]))
s = st["waves"][0]["servers"]
retried = [x for x in s if x["attempts"] > 1]
assert retried, "nothing was retried"
assert all(x["state"] in ("LAUNCHED", "FAILED") for x in s)
assert sum(x["state"] == "LAUNCHED" for x in s) > sum(1 for x in s) * 0.9, st
PY
'
test_expect_success 'exit code of exec start --wait: 1 for FAILED, 0 for PARTIAL or COMPLETED' '
    if test "$(jpath st2.json "d[\"state\"]")" = FAILED; then test "$(cat rc2)" = 1; else test "$(cat rc2)" = 0; fi
'
test_expect_success 'a region outage during a wave fails that region, the plan goes on' '
    cat >outage.yaml <<YAML &&
kind: RecoveryPlan
name: outage
waves:
  - name: both
    groups: [east2, west]
    maxFailedServers: 48
    preActions:
      - type: command
        command: curl -sf -X POST -d "{\\"region_outage\\":[\\"us-west-2\\"]}" $SIM_URL/_sim/faults
  - {name: after, groups: [east1], dependsOn: [both]}
YAML
    "$DROVER" apply -f outage.yaml >/dev/null &&
    { DROVER_UNREACHABLE_SECONDS=3 "$DROVER" exec start outage --drill --wait -o json >st4.json 2>err4; true; } &&
    sim_post /_sim/faults "{\"region_outage\":[]}" &&
    python3 - st4.json <<PY
import json, sys
st = json.load(open(sys.argv[1]))
both, after = st["waves"]
west = [s for s in both["servers"] if s["region"] == "us-west-2"]
east = [s for s in both["servers"] if s["region"] == "us-east-1"]
assert west and all(s["state"] == "FAILED" for s in west), [s["state"] for s in west]
for s in west:
    assert "us-west-2 unreachable" in s["error"], s["error"]
assert east and all(s["state"] == "LAUNCHED" for s in east), [s["state"] for s in east]
assert both["state"] == "PARTIAL", both["state"]
assert after["state"] == "COMPLETED" and all(s["state"] == "LAUNCHED" for s in after["servers"])
assert st["state"] == "PARTIAL", st["state"]
PY
'
test_done
