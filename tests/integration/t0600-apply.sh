#!/usr/bin/env bash
# t0600-apply: `drover apply` stores groups and plans with versions, all
# or nothing; problems are reported with path and line, exit 2; `get`
# shows the normalized documents.
. "$(dirname "$0")/lib.sh"
EX="$DROVER_SRC/examples/shop-plan.yaml"

test_expect_success 'apply the example stores 4 groups and a plan at version 1' '
    "$DROVER" apply -f "$EX" >out &&
    test "$(grep -c "configured (version 1)" out)" = 5 &&
    "$DROVER" get plans shop -o json >plan &&
    test "$(jpath plan "[w[\"name\"] for w in d[\"waves\"]]")" = "[\"db\", \"app\", \"web\", \"batch\"]" &&
    test "$(jpath plan "d[\"waves\"][0][\"timeoutSeconds\"]")" = 1800 &&
    test "$(jpath plan "d[\"version\"]")" = 1
'
test_expect_success 'applying the same file again changes nothing' '
    "$DROVER" apply -f "$EX" >out &&
    test "$(grep -c "unchanged (version 1)" out)" = 5
'
test_expect_success 'a changed plan gets version 2 and keeps its history' '
    sed "s/maxFailedServers: 1/maxFailedServers: 3/" "$EX" >changed.yaml &&
    "$DROVER" apply -f changed.yaml >out &&
    grep -q "RecoveryPlan/shop configured (version 2)" out &&
    "$DROVER" get plans shop --history -o json >hist &&
    test "$(jpath hist "len(d[\"plans\"])")" = 2
'
test_expect_success 'a cycle and an unknown group are reported with paths; nothing is stored' '
    cat >bad.yaml <<YAML &&
kind: ProtectionGroup
name: new-group
selector: {tags: {App: x}}
---
kind: RecoveryPlan
name: loop
waves:
  - name: a
    groups: [new-group]
    dependsOn: [b]
  - name: b
    groups: [nope]
    dependsOn: [a]
YAML
    EXPECT_RC=2 test_must_fail "$DROVER" apply -f bad.yaml 2>err &&
    grep -q "waves\[1\].groups\[0\]: unknown protection group .nope." err &&
    grep -q "dependency cycle" err &&
    grep -q "nothing was applied" err &&
    test_must_fail "$DROVER" get groups new-group 2>/dev/null
'
test_expect_success 'a bad key names its file, line and path' '
    printf "kind: RecoveryPlan\nname: p\nwaves:\n  - name: a\n    groups: [batch]\n    timout: 5m\n" >typo.yaml &&
    EXPECT_RC=2 test_must_fail "$DROVER" apply -f typo.yaml 2>err &&
    grep -q "typo.yaml:6: waves\[0\].timout: unknown key" err
'
test_done
