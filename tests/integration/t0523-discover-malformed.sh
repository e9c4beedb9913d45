#!/usr/bin/env bash
# t0523-discover-malformed: truncated or malformed DescribeSourceServers
# responses (DRS pointed at tests/tools/faultserver.py, STS still the
# simulator) give a clear per-account-region error, exit 1, and leave the
# previous snapshot intact (stale) - the store is never half-written.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=1,regions=2,servers=5 --seed 9
sim_register || exit 1

ids() { jpath "$1" "sorted((s[\"region\"], s[\"source_server_id\"], s[\"hostname\"]) for s in d[\"servers\"])"; }

test_expect_success 'a good discovery first' '
    "$DROVER" discover -o json >good.json &&
    "$DROVER" servers -o json >before.json &&
    test "$(jpath before.json "len(d[\"servers\"])")" = 10
'

# bad NAME SCRIPT EXPECTED-ERROR-PATTERN
bad() {
    test_expect_success "$1: clear error per account-region, store unchanged" '
        start_faultserver '"'$2'"' &&
        EXPECT_RC=1 AWS_ENDPOINT_URL_DRS="$FAULT_URL" test_must_fail "$DROVER" discover -o json >out.json 2>err &&
        grep -q partial err &&
        python3 - out.json <<PY &&
import json, re, sys
d = json.load(open(sys.argv[1]))
assert len(d["account_regions"]) == 2
for a in d["account_regions"]:
    assert a["error"] and re.search(r"'"$3"'", a["error"]), a
    print(a["error"])
    assert a["servers"] == 0, a
PY
        "$DROVER" servers -o json >after.json &&
        test "$(ids before.json)" = "$(ids after.json)" &&
        test "$(jpath after.json "sorted({s[\"stale\"] for s in d[\"servers\"]})")" = "[true]"
    '
}
J='"headers": {"Content-Type": "application/json"}'
bad "truncated JSON" "[{$J, \"body\": \"{\\\"items\\\":[{\\\"sourceServerID\\\":\\\"s-1\"}]" 'DescribeSourceServers: .*(pars|JSON|truncat|end)'
bad "items is not a list" "[{$J, \"json\": {\"items\": \"nope\"}}]" 'items'
bad "an item without sourceServerID" "[{$J, \"json\": {\"items\": [{\"arn\": \"x\"}]}}]" 'servers\[0\]: sourceServerID: missing'
bad "a tag value that is not a string" "[{$J, \"json\": {\"items\": [{\"sourceServerID\": \"s-1\", \"tags\": {\"a\": 1}}]}}]" 'servers\[0\]: tags.a'
bad "an HTML page with status 200" "[{\"headers\": {\"Content-Type\": \"text/html\"}, \"body\": \"<html>hello</html>\"}]" 'DescribeSourceServers: '
bad "a dropped connection" "[{\"drop\": true}]" 'DescribeSourceServers: '

test_expect_success 'the store still works and a good discovery refreshes it' '
    "$DROVER" discover -o json >again.json &&
    "$DROVER" servers -o json >healed.json &&
    test "$(ids before.json)" = "$(ids healed.json)" &&
    test "$(jpath healed.json "sorted({s[\"stale\"] for s in d[\"servers\"]})")" = "[false]"
'
test_done
