#!/usr/bin/env bash
# t0622-exec-crash: exactly once under crashes. A 3-wave drill of 90
# servers is killed with SIGKILL at 10 moments -- after a batch is recorded
# STARTING but before StartRecovery, after StartRecovery answered but
# before the job was committed, right after, while polling, between waves,
# and at timed moments -- and each time `drover exec resume ID --wait`
# completes it. /_sim/state shows every server launched exactly once per
# execution, with no duplicate, in all 10 runs.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=3,regions=1,servers=30 --seed 21 --time-scale 1000
sim_register
export DROVER_POLL_MIN_MS=150 DROVER_POLL_MAX_MS=400
cat >plan.yaml <<'YAML'
kind: ProtectionGroup
name: g1
selector: {tags: {Tier: db}}
---
kind: ProtectionGroup
name: g2
selector: {tags: {Tier: app}}
---
kind: ProtectionGroup
name: g3
selector: {tags: {Tier: web}}
---
kind: ProtectionGroup
name: g4
selector: {tags: {Tier: cache}}
---
kind: RecoveryPlan
name: three
waves:
  - {name: first, groups: [g1, g4]}
  - {name: second, groups: [g2], dependsOn: [first]}
  - {name: third, groups: [g3], dependsOn: [second]}
YAML

test_expect_success 'discover 90 servers and apply' '
    "$DROVER" discover -o json >disc.json &&
    test "$(jpath disc.json "d[\"servers_total\"]")" = 90 &&
    "$DROVER" apply -f plan.yaml >/dev/null
'

# run_killed HOW: starts a drill, kills it (a crash point or a timed
# SIGKILL), resumes it, and records its ID in ids.
run_killed() {
    local how=$1 pid id prev
    if [ "${how#sleep:}" != "$how" ]; then
        prev=$(exec_latest)
        "$DROVER" exec start three --drill --wait >/dev/null 2>"kill.err" &
        pid=$!
        exec_new_id "$prev" >/dev/null || return 1 # the delay counts from the record
        sleep "${how#sleep:}"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    else
        DROVER_CRASH_POINT=$how "$DROVER" exec start three --drill --wait >/dev/null 2>"kill.err"
        test $? -eq 137 || { echo "$how: not killed"; cat kill.err; return 1; }
    fi
    id=$("$DROVER" exec list -o json | python3 -c "import json,sys;print(json.load(sys.stdin)[\"executions\"][0][\"id\"])")
    "$DROVER" exec status "$id" -o json >before.json
    if [ "$(jpath before.json "d[\"state\"]")" = COMPLETED ]; then
        echo "$how: the run finished before the kill"
        return 1
    fi
    "$DROVER" exec resume "$id" --wait -o json >after.json 2>resume.err || {
        echo "$how: resume failed"; cat resume.err; return 1; }
    test "$(jpath after.json "d[\"state\"]")" = COMPLETED || { cat after.json; return 1; }
    echo "$id" >>ids
}

i=0
for how in batch-recorded:1 batch-recorded:3 start-answered:1 start-answered:2 job-adopted:1 \
    poll-answered:4 wave-ended:1 wave-ended:2 sleep:0.3 sleep:1.1; do
    i=$((i + 1))
    test_expect_success "kill $i ($how), then resume --wait completes it" "run_killed $how"
done

test_expect_success 'every server launched exactly once per execution, in all 10 runs' '
    test "$(wc -l <ids)" = 10 &&
    curl -s "$SIM_URL/_sim/state" >state.json &&
    python3 - state.json ids <<PY
import json, sys, collections
sim = json.load(open(sys.argv[1])); ids = open(sys.argv[2]).read().split()
job_exec = {j["job_id"]: j["tags"].get("drover:execution") for j in sim["jobs"]}
per = collections.defaultdict(collections.Counter)
for l in sim["launches"]:
    per[job_exec.get(l["job_id"])][(l["account_id"], l["region"], l["source_server_id"])] += 1
for x in ids:
    c = per[x]
    assert len(c) == 90, (x, len(c))
    dup = [k for k, v in c.items() if v != 1]
    assert not dup, (x, dup)
assert set(per) == set(ids), set(per) ^ set(ids)
print("10 runs x 90 servers, no duplicate launch")
PY
'
test_done
