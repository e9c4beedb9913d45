#!/usr/bin/env bash
# t0625-exec-control: operator control of executions.
#  - pauseBefore holds the wave (no job of it in DRS) until `exec resume`;
#  - `exec pause` stops before the next wave; resume goes on;
#  - `exec cancel` during a wave starts no new job, lets running jobs end
#    and records them: no job in DRS that the execution does not track;
#  - `exec start` without --wait leaves it PENDING and says no worker runs;
#    `drover worker --once` runs it.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=1,servers=10 --seed 55 --time-scale 600
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=500
cat >plan.yaml <<'YAML'
kind: RecoveryPlan
name: gated
waves:
  - {name: db, groups: [g-db]}
  - {name: app, groups: [g-app], dependsOn: [db], pauseBefore: true}
---
kind: RecoveryPlan
name: plain
waves:
  - {name: db, groups: [g-db]}
  - {name: app, groups: [g-app], dependsOn: [db]}
YAML

# wait_for ID PYEXPR: waits (up to 30 s) until the status JSON satisfies PYEXPR (d = status)
wait_for() {
    local i
    for ((i = 0; i < 300; i++)); do
        "$DROVER" exec status "$1" -o json >w.json 2>/dev/null &&
            python3 -c "import json,sys; d=json.load(open(\"w.json\")); sys.exit(0 if ($2) else 1)" &&
            return 0
        sleep 0.1
    done
    echo "timed out waiting for: $2"; cat w.json; return 1
}
# jobs of wave W of execution ID that DRS knows (from the sim)
sim_jobs_of() {
    curl -s "$SIM_URL/_sim/state" | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(len([j for j in d[\"jobs\"] if j[\"tags\"].get(\"drover:execution\") == \"$1\"]))"
}

test_expect_success 'setup' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f "$DROVER_SRC/tests/integration/exec/tiers.yaml" >/dev/null &&
    "$DROVER" apply -f plan.yaml >/dev/null
'
test_expect_success 'pauseBefore holds the wave until exec resume' '
    prev=$(exec_latest) &&
    { "$DROVER" exec start gated --drill --wait >g.out 2>g.err & } &&
    echo $! >pid &&
    ID=$(exec_new_id "$prev") && echo "$ID" >gated.id &&
    wait_for "$ID" "d[\"waves\"][1][\"state\"] == \"WAITING\" and d[\"state\"] == \"PAUSED\"" &&
    n1=$(sim_jobs_of "$ID") && sleep 1.5 && n2=$(sim_jobs_of "$ID") &&
    test "$n1" = "$n2" &&
    "$DROVER" exec status "$ID" -o json >held.json &&
    test "$(jpath held.json "d[\"waves\"][1][\"state\"]")" = WAITING &&
    test "$(jpath held.json "all(s[\"state\"]==\"PENDING\" for s in d[\"waves\"][1][\"servers\"])")" = True &&
    "$DROVER" exec resume "$ID" >r.out 2>r.err && grep -q "approval gate opened" r.err &&
    wait "$(cat pid)" &&
    "$DROVER" exec status "$ID" -o json >done.json &&
    test "$(jpath done.json "d[\"state\"]")" = COMPLETED &&
    test "$(sim_jobs_of "$ID")" -gt "$n2"
'
test_expect_success 'exec pause stops before the next wave; resume goes on' '
    prev=$(exec_latest) &&
    { DROVER_POLL_MIN_MS=3000 DROVER_POLL_MAX_MS=3000 \
        "$DROVER" exec start plain --drill --wait >p.out 2>p.err & } &&
    echo $! >pid &&
    ID=$(exec_new_id "$prev") &&
    "$DROVER" exec pause "$ID" >/dev/null &&
    wait_for "$ID" "d[\"state\"] == \"PAUSED\"" &&
    test "$(jpath w.json "d[\"waves\"][0][\"state\"]")" = COMPLETED &&
    test "$(jpath w.json "d[\"waves\"][1][\"state\"]")" = PENDING &&
    "$DROVER" exec resume "$ID" >/dev/null 2>&1 &&
    wait "$(cat pid)" &&
    "$DROVER" exec status "$ID" -o json >done.json &&
    test "$(jpath done.json "d[\"state\"]")" = COMPLETED
'
test_expect_success 'cancel during a wave leaves no untracked job' '
    # a slow poll keeps the first wave running (for drover) long enough to cancel in it
    prev=$(exec_latest) &&
    { DROVER_POLL_MIN_MS=3000 DROVER_POLL_MAX_MS=3000 \
        "$DROVER" exec start plain --drill --wait -o json >c.json 2>c.err & } &&
    echo $! >pid &&
    ID=$(exec_new_id "$prev") &&
    wait_for "$ID" "any(s[\"job_id\"] for s in d[\"waves\"][0][\"servers\"])" &&
    "$DROVER" exec cancel "$ID" >/dev/null &&
    { wait "$(cat pid)"; true; } &&
    "$DROVER" exec status "$ID" -o json >cancelled.json &&
    curl -s "$SIM_URL/_sim/state" >state.json &&
    python3 - cancelled.json state.json <<PY
import json, sys
st = json.load(open(sys.argv[1])); sim = json.load(open(sys.argv[2]))
assert st["state"] == "CANCELLED", st["state"]
tracked = {s["job_id"] for w in st["waves"] for s in w["servers"] if s["job_id"]}
mine = [j for j in sim["jobs"] if j["tags"].get("drover:execution") == st["id"]]
assert mine and {j["job_id"] for j in mine} <= tracked, ("untracked", mine, tracked)
assert all(j["status"] == "COMPLETED" for j in mine), [j["status"] for j in mine]
db, app = st["waves"]
assert all(s["state"] == "LAUNCHED" for s in db["servers"]), "running jobs were not followed"
assert app["state"] == "CANCELLED" and all(s["state"] == "CANCELLED" for s in app["servers"])
PY
'
test_expect_success 'without --wait: PENDING, says no worker runs; worker --once runs it' '
    "$DROVER" exec start plain --drill >id.out 2>id.err &&
    ID=$(cat id.out) && grep -q "no worker is running" id.err &&
    "$DROVER" exec status "$ID" -o json >p.json && test "$(jpath p.json "d[\"state\"]")" = PENDING &&
    "$DROVER" worker --once 2>worker.err &&
    "$DROVER" exec status "$ID" -o json >p.json && test "$(jpath p.json "d[\"state\"]")" = COMPLETED
'
test_expect_success 'pause or cancel of an ended execution is refused' '
    EXPECT_RC=2 test_must_fail "$DROVER" exec cancel "$(cat gated.id)" 2>err &&
    grep -q "already ended" err
'
test_done
