#!/usr/bin/env bash
# t0624-exec-cleanup: `exec cleanup DRILL --wait` terminates every drill
# instance of that execution and no other: another drill's instances and a
# real recovery's instances stay, as DRS (DescribeRecoveryInstances) and the
# simulator's job records confirm. A recovery cannot be "cleaned up".
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=1,servers=10 --seed 44 --time-scale 800
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=500
cat >plan.yaml <<'YAML'
kind: RecoveryPlan
name: p-db
waves: [{name: db, groups: [g-db]}]
---
kind: RecoveryPlan
name: p-app
waves: [{name: app, groups: [g-app]}]
---
kind: RecoveryPlan
name: p-web
waves: [{name: web, groups: [g-web]}]
YAML


# all recovery instances DRS knows, one "ri job is_drill" per line
list_ris() {
    for a in $(jpath "$TRASH/estate.json" '" ".join(x["account_id"] for x in d["accounts"])'); do
        "$DROVER" call drs DescribeRecoveryInstances --account "$a" --region us-east-1 --paginate
    done | python3 -c "
import json, sys
dec = json.JSONDecoder(); text = sys.stdin.read(); i = 0
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    d, i = dec.raw_decode(text, i)
    for r in d.get(\"items\", []): print(r[\"recoveryInstanceID\"], r[\"jobID\"], r[\"isDrill\"])
" | sort
}

test_expect_success 'two drills and a recovery' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f "$DROVER_SRC/tests/integration/exec/tiers.yaml" >/dev/null &&
    "$DROVER" apply -f plan.yaml >/dev/null &&
    "$DROVER" exec start p-db --drill --wait >/dev/null 2>&1 && exec_latest >drill1 &&
    "$DROVER" exec start p-app --drill --wait >/dev/null 2>&1 && exec_latest >drill2 &&
    "$DROVER" exec start p-web --recovery --wait >/dev/null 2>&1 && exec_latest >recov &&
    list_ris >before && test "$(wc -l <before)" -gt 3
'
test_expect_success 'a recovery cannot be cleaned up' '
    EXPECT_RC=2 test_must_fail "$DROVER" exec cleanup "$(cat recov)" 2>err &&
    grep -q "never the instances of a recovery" err
'
test_expect_success 'cleanup --wait terminates exactly the first drill instances' '
    "$DROVER" exec cleanup "$(cat drill1)" --wait -o json >clean.json 2>err &&
    test "$(jpath clean.json "d[\"state\"]")" = COMPLETED &&
    test "$(jpath clean.json "d[\"kind\"]")" = CLEANUP &&
    "$DROVER" exec status "$(cat drill1)" -o json >d1.json &&
    "$DROVER" exec status "$(cat drill2)" -o json >d2.json &&
    "$DROVER" exec status "$(cat recov)" -o json >r.json &&
    list_ris >after &&
    curl -s "$SIM_URL/_sim/state" >state.json &&
    python3 - d1.json d2.json r.json before after clean.json state.json <<PY
import json, sys
d1, d2, r = (json.load(open(p)) for p in sys.argv[1:4])
before = {l.split()[0] for l in open(sys.argv[4])}
after = {l.split()[0] for l in open(sys.argv[5])}
clean = json.load(open(sys.argv[6])); sim = json.load(open(sys.argv[7]))
ri = lambda st: {s["recovery_instance_id"] for w in st["waves"] for s in w["servers"]}
i1, i2, i3 = ri(d1), ri(d2), ri(r)
assert i1 and i2 and i3 and not (i1 & i2) and not (i1 & i3)
assert i1 <= before and not (i1 & after), ("drill 1 instances remain", i1 & after)
assert i2 <= after, ("another drill was touched", i2 - after)
assert i3 <= after, ("the recovery was touched", i3 - after)
assert all(s["state"] == "TERMINATED" for w in clean["waves"] for s in w["servers"])
# the only TERMINATE jobs are those of the cleanup, on drill-1 instances only
term = [j for j in sim["jobs"] if j["type"] == "TERMINATE"]
cjobs = {s["job_id"] for w in clean["waves"] for s in w["servers"]}
assert term and {j["job_id"] for j in term} == cjobs, (term, cjobs)
PY
'
test_expect_success 'a second cleanup of the same drill finds nothing left to terminate' '
    "$DROVER" exec cleanup "$(cat drill1)" --wait -o json >clean2.json 2>err &&
    test "$(jpath clean2.json "d[\"state\"]")" = COMPLETED &&
    python3 -c "
import json
d = json.load(open(\"clean2.json\"))
for w in d[\"waves\"]:
    for s in w[\"servers\"]:
        assert s[\"state\"] == \"TERMINATED\" and \"already gone\" in s[\"error\"], s
"
'
test_done
