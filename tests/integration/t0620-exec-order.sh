#!/usr/bin/env bash
# t0620-exec-order: a drill of a -> b, a -> c and an independent d against
# `drover sim`. The simulator's job records show the DAG was honoured (d
# with a; b and c after a's jobs ended, concurrently); every server is
# launched once; status -o json has the cli.md structure with measured RTO;
# exec list and get executions show it.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=2,servers=12 --seed 5 --time-scale 600
sim_register
export DROVER_POLL_MIN_MS=200 DROVER_POLL_MAX_MS=500
cat >plan.yaml <<'YAML'
kind: ProtectionGroup
name: g-db
selector: {tags: {Tier: db}}
launch: {copyPrivateIp: true, launchDisposition: STOPPED}
---
kind: ProtectionGroup
name: g-app
selector: {tags: {Tier: app}}
---
kind: ProtectionGroup
name: g-web
selector: {tags: {Tier: web}}
---
kind: ProtectionGroup
name: g-cache
selector: {tags: {Tier: cache}}
---
kind: RecoveryPlan
name: dag
waves:
  - {name: a, groups: [g-db]}
  - {name: b, groups: [g-app], dependsOn: [a]}
  - {name: c, groups: [g-web], dependsOn: [a]}
  - {name: d, groups: [g-cache]}
YAML

test_expect_success 'discover and apply' '
    "$DROVER" discover >/dev/null && "$DROVER" apply -f plan.yaml >/dev/null
'
test_expect_success 'exec start --wait runs the drill to COMPLETED' '
    "$DROVER" exec start dag --drill --wait >out 2>err &&
    grep -q "COMPLETED" out && grep -q "^total" out &&
    grep -q "wave a started" err
'
test_expect_success 'status -o json has the cli.md structure and RTO per wave' '
    ID=$("$DROVER" exec list -o json | python3 -c "import json,sys;print(json.load(sys.stdin)[\"executions\"][0][\"id\"])") &&
    "$DROVER" exec status "$ID" -o json >status.json &&
    python3 - status.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("id", "plan", "kind", "state", "waves"):
    assert k in d, k
assert d["kind"] == "DRILL" and d["state"] == "COMPLETED", d["state"]
assert [w["name"] for w in d["waves"]] == ["a", "b", "c", "d"]
n = 0
for w in d["waves"]:
    assert w["state"] == "COMPLETED" and w["started_at"] and w["ended_at"], w
    assert w["rto_seconds"] is not None and w["rto_seconds"] > 0, w
    for s in w["servers"]:
        for k in ("account_id", "region", "source_server_id", "state", "job_id",
                  "recovery_instance_id", "error"):
            assert k in s, k
        assert s["state"] == "LAUNCHED" and s["recovery_instance_id"], s
        n += 1
assert n > 0
PY
'
test_expect_success 'the simulator saw the DAG order' '
    curl -s "$SIM_URL/_sim/state" >state.json &&
    python3 "$DROVER_SRC/tests/integration/exec/check_order.py" status.json state.json
'
test_expect_success 'every planned server launched exactly once, as a drill' '
    python3 - status.json state.json <<PY
import json, sys, collections
st = json.load(open(sys.argv[1])); sim = json.load(open(sys.argv[2]))
mine = {j["job_id"] for j in sim["jobs"] if j["tags"].get("drover:execution") == st["id"]}
c = collections.Counter(l["source_server_id"] for l in sim["launches"] if l["job_id"] in mine)
want = {s["source_server_id"] for w in st["waves"] for s in w["servers"]}
assert set(c) == want and max(c.values()) == 1, (c, want)
assert all(l["is_drill"] for l in sim["launches"] if l["job_id"] in mine)
PY
'
test_expect_success 'the db group launch overrides were applied before the launch' '
    python3 - status.json >db.txt <<PY &&
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["waves"][0]["servers"]:
    print(s["account_id"], s["region"], s["source_server_id"])
PY
    test -s db.txt &&
    while read -r a r sid; do
        "$DROVER" call drs GetLaunchConfiguration "{\"sourceServerID\":\"$sid\"}" --account "$a" --region "$r" >lc.json &&
        test "$(jpath lc.json "d[\"copyPrivateIp\"]")" = True &&
        test "$(jpath lc.json "d[\"launchDisposition\"]")" = STOPPED || exit 1
    done <db.txt &&
    read -r a r sid < <(python3 - status.json <<PY
import json, sys
print(*[(s["account_id"], s["region"], s["source_server_id"]) for s in json.load(open(sys.argv[1]))["waves"][1]["servers"]][0])
PY
) &&
    "$DROVER" call drs GetLaunchConfiguration "{\"sourceServerID\":\"$sid\"}" --account "$a" --region "$r" >lc2.json &&
    test "$(jpath lc2.json "d[\"launchDisposition\"]")" != STOPPED
'
test_expect_success 'get executions lists it' '
    "$DROVER" get executions -o json >ex.json &&
    python3 -c "import json;d=json.load(open(\"ex.json\"));assert d[\"executions\"][0][\"state\"]==\"COMPLETED\",d"
'
test_expect_success 'an unknown plan is a usage error naming it' '
    EXPECT_RC=2 test_must_fail "$DROVER" exec start nope --drill 2>err &&
    grep -q "plan nope does not exist" err
'
test_expect_success 'exactly one of --drill/--recovery' '
    EXPECT_RC=2 test_must_fail "$DROVER" exec start dag 2>err && grep -q "drill" err
'
test_done
