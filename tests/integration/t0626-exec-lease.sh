#!/usr/bin/env bash
# t0626-exec-lease: take-over by lease expiry, and fencing. A drill's
# process is frozen (SIGSTOP) mid-run: it is alive, so `exec resume --wait`
# follows it until its lease expires, then takes over and completes the
# drill. The frozen process, continued, finds it lost the lease and stops
# without writing or starting anything: every server is launched once.
# `exec watch` follows an execution run by a worker to its end. SIGINT
# stops a run cleanly, releasing the lease for an immediate resume.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=1,servers=10 --seed 66 --time-scale 600
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=500 DROVER_LEASE_TTL_MS=2000
cat >plan.yaml <<'YAML'
kind: RecoveryPlan
name: three
waves:
  - {name: db, groups: [g-db]}
  - {name: app, groups: [g-app], dependsOn: [db]}
  - {name: web, groups: [g-web], dependsOn: [app]}
YAML

test_expect_success 'setup' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f "$DROVER_SRC/tests/integration/exec/tiers.yaml" >/dev/null &&
    "$DROVER" apply -f plan.yaml >/dev/null
'
test_expect_success 'a frozen owner keeps its lease until it expires; resume takes over; the owner, continued, stops' '
    prev=$(exec_latest) &&
    { "$DROVER" exec start three --drill --wait >/dev/null 2>frozen.err & } &&
    pid=$! && echo $pid >pid &&
    ID=$(exec_new_id "$prev") &&
    for i in $(seq 1 100); do
        "$DROVER" exec status "$ID" -o json >s.json 2>/dev/null &&
        test "$(jpath s.json "any(s[\"job_id\"] for w in d[\"waves\"] for s in w[\"servers\"])")" = True && break
        sleep 0.05
    done &&
    kill -STOP $pid && echo "$ID" >id &&
    "$DROVER" exec resume "$ID" --wait -o json >after.json 2>resume.err &&
    grep -q "is driven by" resume.err &&
    test "$(jpath after.json "d[\"state\"]")" = COMPLETED &&
    kill -CONT $pid &&
    { wait $pid; rc=$?; echo "old owner exit $rc"; test $rc -ne 0; } &&
    { grep -Eq "took it over" frozen.err || { cat frozen.err; false; }; } &&
    curl -s "$SIM_URL/_sim/state" >state.json &&
    python3 - state.json "$(cat id)" <<PY
import json, sys, collections
sim = json.load(open(sys.argv[1])); x = sys.argv[2]
mine = {j["job_id"] for j in sim["jobs"] if j["tags"].get("drover:execution") == x}
c = collections.Counter(l["source_server_id"] for l in sim["launches"] if l["job_id"] in mine)
assert c and max(c.values()) == 1, c
PY
'
test_expect_success 'exec watch follows an execution a worker runs' '
    "$DROVER" exec start three --drill >id2 2>/dev/null &&
    { "$DROVER" worker --once 2>worker.err & } &&
    wpid=$! &&
    "$DROVER" exec watch "$(cat id2)" >watch.out 2>watch.err &&
    wait $wpid &&
    grep -q "DRILL  COMPLETED" watch.out && grep -q "wave web COMPLETED" watch.err
'
test_expect_success 'SIGINT stops cleanly: lease released at once, resume completes it' '
    prev=$(exec_latest) &&
    { "$DROVER" exec start three --drill --wait >/dev/null 2>int.err & } &&
    pid=$! &&
    ID=$(exec_new_id "$prev") &&
    for i in $(seq 1 100); do
        "$DROVER" exec status "$ID" -o json >s.json 2>/dev/null &&
        test "$(jpath s.json "any(s[\"job_id\"] for w in d[\"waves\"] for s in w[\"servers\"])")" = True && break
        sleep 0.05
    done &&
    kill -INT $pid &&
    { wait $pid; test $? -eq 1; } &&
    grep -q "interrupted: $ID goes on in DRS" int.err &&
    "$DROVER" exec status "$ID" -o json >int.json &&
    test "$(jpath int.json "d[\"lease\"]")" = None &&
    test "$(jpath int.json "d[\"state\"]")" = RUNNING &&
    "$DROVER" exec resume "$ID" --wait -o json >int2.json 2>/dev/null &&
    test "$(jpath int2.json "d[\"state\"]")" = COMPLETED
'
test_done
