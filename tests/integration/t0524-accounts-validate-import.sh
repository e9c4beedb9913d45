#!/usr/bin/env bash
# t0524-accounts-validate-import: `accounts validate` reports OK per
# account-region, assuming the role once per region; a wrong external ID
# is AssumeRole AccessDenied with the trust-policy fix; an outage names
# DescribeSourceServers only there. `accounts import --organization`
# registers every member account listed by Organizations except the hub.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=3,regions=2,servers=3 --seed 4
sim_register || exit 1
A1=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["account_id"]')
R1=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["role_arn"]')

test_expect_success 'validate: every account-region OK, exit 0, one AssumeRole per region' '
    "$DROVER" accounts validate -o json >v.json &&
    test "$(jpath v.json "[(r[\"ok\"], r[\"step\"], r[\"error\"]) for r in d[\"results\"]]")" = \
         "$(python3 -c "print([[True, None, None]] * 6)" | sed "s/True/true/g; s/None/null/g; s/\x27//g")" &&
    test "$(jpath v.json "len(d[\"results\"])")" = 6 &&
    sim_metrics m.json &&
    test "$(jpath m.json "sorted((r[\"region\"], r[\"count\"]) for r in d[\"requests\"] if r[\"operation\"]==\"AssumeRole\")")" = "[[\"us-east-1\", 3], [\"us-west-2\", 3]]" &&
    test "$(jpath m.json "sum(r[\"count\"] for r in d[\"requests\"] if r[\"operation\"]==\"DescribeSourceServers\")")" = 6 &&
    "$DROVER" accounts validate "$A1" >tbl && test "$(grep -c " OK" tbl)" = 2
'
test_expect_success 'a wrong external ID: AssumeRole AccessDenied, trust-policy fix, exit 1' '
    "$DROVER" accounts add "$A1" --role-arn "$R1" --external-id 0123456789abcdef0123456789abcdef \
        --regions us-east-1,us-west-2 --update >/dev/null &&
    EXPECT_RC=1 test_must_fail "$DROVER" accounts validate "$A1" -o json >bad.json 2>err &&
    grep -q "2 of 2 account-regions failed" err &&
    test "$(jpath bad.json "sorted({r[\"step\"] for r in d[\"results\"]})")" = "[\"AssumeRole\"]" &&
    jpath bad.json "d[\"results\"][0][\"error\"]" | grep -q "^AccessDenied: " &&
    jpath bad.json "d[\"results\"][0][\"fix\"]" | grep -q "trust policy" &&
    ! grep -q 0123456789abcdef bad.json err
'
test_expect_success 'an outage in us-west-2 fails only there' '
    curl -s -XPOST -d "{\"region_outage\":[\"us-west-2\"]}" "$SIM_URL/_sim/faults" >/dev/null &&
    A2=$(jpath "$TRASH/estate.json" "d[\"accounts\"][1][\"account_id\"]") &&
    EXPECT_RC=1 test_must_fail "$DROVER" accounts validate "$A2" -o json >o.json &&
    test "$(jpath o.json "[(r[\"region\"], r[\"ok\"]) for r in d[\"results\"]]")" = "[[\"us-east-1\", true], [\"us-west-2\", false]]" &&
    curl -s -XPOST -d "{\"region_outage\":[]}" "$SIM_URL/_sim/faults" >/dev/null
'
test_expect_success 'validate of an unregistered account exits 2' '
    EXPECT_RC=2 test_must_fail "$DROVER" accounts validate 999999999999 2>err && grep -q "not registered" err
'
test_expect_success 'import --organization registers every member but the hub' '
    rm -rf "$DROVER_HOME" &&
    "$DROVER" accounts import --organization --regions us-east-1 -o json >imp.json 2>err &&
    grep -q "trust policy" err &&
    "$DROVER" accounts list -o json >list.json &&
    test "$(jpath list.json "sorted(a[\"account_id\"] for a in d[\"accounts\"])")" = \
         "$(jpath "$TRASH/estate.json" "sorted(a[\"account_id\"] for a in d[\"accounts\"])")" &&
    test "$(jpath list.json "sorted({a[\"role_arn\"].split(\":\")[5] for a in d[\"accounts\"]})")" = "[\"role/DroverSpokeRole\"]" &&
    test "$(jpath imp.json "[a[\"action\"] for a in d[\"accounts\"] if a[\"account_id\"]==\"100000000000\"]")" = "[\"skipped (hub)\"]" &&
    test "$(jpath imp.json "len({a[\"external_id\"] for a in d[\"accounts\"] if \"external_id\" in a})")" = 3 &&
    "$DROVER" accounts import --organization --regions us-east-1 --role-name Other -o json >again.json &&
    test "$(jpath again.json "sorted({a[\"action\"] for a in d[\"accounts\"]})")" = "[\"exists\", \"skipped (hub)\"]" &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts import --regions us-east-1 &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts import --organization
'
test_done
