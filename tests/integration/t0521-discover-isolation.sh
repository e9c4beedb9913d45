#!/usr/bin/env bash
# t0521-discover-isolation: a region outage (/_sim/faults region_outage)
# fails only that region's account-regions: discovery completes, exits 1
# and says "partial", the failed ones keep their previous snapshot marked
# stale with the error, every other account-region is refreshed. The
# outage hits us-east-1, where discovery would assume some roles too, so
# STS in another of the account's regions must take over. Progress shows
# on a terminal (script(1)) and never on a pipe.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=3,regions=2,servers=20 --seed 3
sim_register || exit 1

# fetched FILE REGION: the distinct fetched_at and stale values of a region's servers.
fetched() { jpath "$1" "sorted({(s[\"fetched_at\"], s[\"stale\"]) for s in d[\"servers\"] if s[\"region\"]==\"$2\"})"; }

test_expect_success 'a first discovery stores every account-region' '
    "$DROVER" discover -o json >first.json &&
    test "$(jpath first.json "[a[\"servers\"] for a in d[\"account_regions\"]]")" = "[20, 20, 20, 20, 20, 20]" &&
    "$DROVER" servers -o json >before.json && sleep 1.1
'
test_expect_success 'with us-east-1 out: exit 1, partial, errors only there' '
    curl -s -XPOST -d "{\"region_outage\":[\"us-east-1\"]}" "$SIM_URL/_sim/faults" | grep -q "\"ok\":true" &&
    EXPECT_RC=1 test_must_fail "$DROVER" discover -o json >second.json 2>err &&
    grep -q "partial: 3 of 6 account-regions failed" err &&
    python3 - second.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["account_regions"]:
    if a["region"] == "us-east-1":
        assert a["error"] and "ServiceUnavailable" in a["error"], a
        assert a["servers"] == 0, a
    else:
        assert a["error"] is None and a["servers"] == 20, a
assert d["servers_total"] == 60, d
PY
'
test_expect_success 'us-east-1 keeps its old servers, stale; us-west-2 is fresh' '
    "$DROVER" servers -o json >after.json &&
    test "$(jpath after.json "len(d[\"servers\"])")" = 120 &&
    test "$(jpath before.json "sorted(s[\"source_server_id\"] for s in d[\"servers\"] if s[\"region\"]==\"us-east-1\")")" = \
         "$(jpath after.json "sorted(s[\"source_server_id\"] for s in d[\"servers\"] if s[\"region\"]==\"us-east-1\")")" &&
    test "$(jpath after.json "sorted({s[\"stale\"] for s in d[\"servers\"] if s[\"region\"]==\"us-east-1\"})")" = "[true]" &&
    test "$(jpath after.json "sorted({s[\"stale\"] for s in d[\"servers\"] if s[\"region\"]==\"us-west-2\"})")" = "[false]" &&
    test "$(fetched before.json us-east-1)" = "$(fetched after.json us-east-1 | sed "s/true/false/g")" &&
    test "$(fetched before.json us-west-2)" != "$(fetched after.json us-west-2)"
'
test_expect_success 'the table names the error; --regions us-west-2 alone succeeds' '
    EXPECT_RC=1 test_must_fail "$DROVER" discover >tbl 2>err &&
    grep "us-east-1" tbl | grep -q "ServiceUnavailable" &&
    "$DROVER" discover --regions us-west-2 -o json >w.json &&
    test "$(jpath w.json "[a[\"error\"] for a in d[\"account_regions\"]]")" = "[null, null, null]"
'
test_expect_success 'progress on a terminal only: done/total and servers found' '
    command -v script >/dev/null || { echo "script(1) missing"; exit 1; }
    script -qec "\"$DROVER\" discover --regions us-west-2 -o json" /dev/null >tty.out &&
    grep -aq "discover: 3/3 account-regions, 60 servers found" tty.out &&
    "$DROVER" discover --regions us-west-2 -o json >plain.json 2>plain.err &&
    test ! -s plain.err
'
test_expect_success 'after the outage a discovery is fresh everywhere again' '
    curl -s -XPOST -d "{\"region_outage\":[]}" "$SIM_URL/_sim/faults" >/dev/null &&
    "$DROVER" discover -o json >third.json &&
    "$DROVER" servers -o json >healed.json &&
    test "$(jpath healed.json "sum(1 for s in d[\"servers\"] if s[\"stale\"])")" = 0
'
test_done
