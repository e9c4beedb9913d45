#!/usr/bin/env bash
# t0611-plan-validate-sim: `drover plan validate` on an inventory written by
# `drover discover` from `drover sim`: the job split matches the discovered
# servers per tier and account-region, a selector for a missing tag is an
# error, and a region outage makes that region's inventory stale (a warning).
. "$(dirname "$0")/lib.sh"

start_sim --generate accounts=2,regions=2,servers=60 --seed 11

cat >plan.yaml <<'YAML'
kind: ProtectionGroup
name: db
selector: {tags: {Tier: db}}
---
kind: ProtectionGroup
name: app
selector: {tags: {Tier: app}}
---
kind: ProtectionGroup
name: web
selector: {tags: {Tier: web}}
---
kind: RecoveryPlan
name: tiers
waves:
  - {name: db, groups: [db]}
  - {name: app, groups: [app], dependsOn: [db]}
  - {name: web, groups: [web], dependsOn: [app]}
YAML

test_expect_success 'setup: register the estate, discover it, apply the plan' '
    sim_register &&
    "$DROVER" discover >/dev/null &&
    "$DROVER" servers -o json >servers.json &&
    test "$(jpath servers.json "len(d[\"servers\"])")" = 240 &&
    "$DROVER" apply -f plan.yaml >/dev/null
'

test_expect_success 'the job split counts the discovered servers of each tier per account-region' '
    "$DROVER" plan validate tiers -o json >v.json &&
    test "$(jpath v.json "d[\"valid\"]")" = True &&
    python3 - servers.json v.json <<PY
import collections, json, math, sys
servers = json.load(open(sys.argv[1]))["servers"]
report = json.load(open(sys.argv[2]))
for w in report["waves"]:
    want = collections.Counter((s["account_id"], s["region"]) for s in servers
                               if s["tags"].get("Tier") == w["name"])
    got = {(j["account_id"], j["region"]): (j["servers"], j["jobs"]) for j in w["jobs"]}
    assert got == {k: (n, math.ceil(n / 100)) for k, n in want.items()}, (w["name"], got, want)
    assert w["servers"] == sum(want.values())
PY
'

test_expect_success 'a selector for a tag no server has is an error with its path' '
    printf "kind: ProtectionGroup\nname: web\nselector: {tags: {Tier: frontend}}\n" >web.yaml &&
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate tiers -f web.yaml 2>err &&
    grep -q "^RecoveryPlan/tiers: waves\[2\].groups\[0\]: group .web.: the selector matches no server in the inventory" err
'

test_expect_success 'a region outage at discovery: its inventory is stale, a warning (exit 0)' '
    region=$(jpath "$TRASH/estate.json" "d[\"accounts\"][0][\"regions\"][1]") &&
    sim_post /_sim/faults "{\"region_outage\":[\"$region\"]}" &&
    EXPECT_RC=1 test_must_fail "$DROVER" discover >/dev/null 2>&1 &&
    sim_post /_sim/faults "{\"region_outage\":[]}" &&
    "$DROVER" plan validate tiers >out 2>err &&
    grep -q "warning: waves\[0\].groups\[0\]: the inventory of [0-9]*/$region is stale: its last refresh failed" err &&
    grep -q "^RecoveryPlan/tiers: valid, 0 error(s)" out
'
test_done
