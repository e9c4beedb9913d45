#!/usr/bin/env bash
# t0520-discover-sim: issue 5's correctness and efficiency acceptance on
# `drover sim --generate accounts=20,regions=3,servers=150` (9,000
# servers): every account-region reports exactly 150 servers and no
# error; `drover servers --tag` returns exactly the estate's servers with
# that tag (listed independently with boto3); /_sim/metrics shows one
# AssumeRole per account and ceil(150 / page) DescribeSourceServers calls
# per account-region, for the default page (1000) and for --page-size 40.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=20,regions=3,servers=150 --seed 7
sim_register || exit 1

# ops FILE OPERATION: "ACCOUNT/REGION COUNT" per account-region, sorted.
ops() {
    python3 - "$1" "$2" <<'PY'
import json, sys
c = {}
for r in json.load(open(sys.argv[1]))["requests"]:
    if r["operation"] == sys.argv[2]:
        k = "%s/%s" % (r["account_id"], r["region"])
        c[k] = c.get(k, 0) + r["count"]
print("\n".join("%s %d" % kv for kv in sorted(c.items())))
PY
}
# every_ar N: the 60 account-regions of the estate, each with count N.
every_ar() {
    python3 - "$TRASH/estate.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("\n".join(sorted("%s/%s %s" % (a["account_id"], r, sys.argv[2])
                       for a in d["accounts"] for r in a["regions"])))
PY
}

test_expect_success 'discover -o json: 60 account-regions, 150 servers each, no error' '
    "$DROVER" discover -o json >out.json 2>err &&
    python3 - out.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
ars = d["account_regions"]
assert len(ars) == 60, len(ars)
assert len({(a["account_id"], a["region"]) for a in ars}) == 60
for a in ars:
    assert a["servers"] == 150 and a["error"] is None, a
assert d["servers_total"] == 9000, d["servers_total"]
assert isinstance(d["elapsed_ms"], int) and d["elapsed_ms"] >= 0
PY
'
test_expect_success 'metrics: one AssumeRole per account, one DescribeSourceServers page per account-region' '
    sim_metrics m1.json &&
    test "$(jpath m1.json "sum(r[\"count\"] for r in d[\"requests\"] if r[\"operation\"]==\"AssumeRole\")")" = 20 &&
    ops m1.json DescribeSourceServers >dss && every_ar 1 >want && test_cmp want dss &&
    ops m1.json DescribeRecoveryInstances >dri && test_cmp want dri &&
    ops m1.json DescribeJobs >dj && test_cmp want dj
'
test_expect_success 'the stored inventory has all 9000 servers, fresh' '
    "$DROVER" servers -o json >all.json &&
    test "$(jpath all.json "len(d[\"servers\"])")" = 9000 &&
    test "$(jpath all.json "sum(1 for s in d[\"servers\"] if s[\"stale\"])")" = 0 &&
    test "$(jpath all.json "len({(s[\"account_id\"],s[\"region\"],s[\"source_server_id\"]) for s in d[\"servers\"]})")" = 9000
'
test_expect_success 'servers --tag App=shop equals the estate (boto3) exactly' '
    python3 -c "import boto3" 2>/dev/null || { echo "boto3 missing"; exit 1; }
    python3 "$DROVER_SRC/tests/integration/estate_servers.py" "$SIM_URL" App=shop >want.tag &&
    test "$(wc -l <want.tag)" -gt 100 &&
    "$DROVER" servers --tag App=shop -o json >shop.json &&
    jpath shop.json "\"\\n\".join(sorted(\"%s %s %s\" % (s[\"account_id\"], s[\"region\"], s[\"source_server_id\"]) for s in d[\"servers\"]))" >got.tag &&
    test_cmp want.tag got.tag &&
    python3 "$DROVER_SRC/tests/integration/estate_servers.py" "$SIM_URL" App=crm Tier=db >want.tag2 &&
    "$DROVER" servers --tag App=crm --tag Tier=db -o json >crm.json &&
    jpath crm.json "\"\\n\".join(sorted(\"%s %s %s\" % (s[\"account_id\"], s[\"region\"], s[\"source_server_id\"]) for s in d[\"servers\"]))" >got.tag2 &&
    test_cmp want.tag2 got.tag2
'
test_expect_success '--page-size 40: exactly ceil(150/40) = 4 pages per account-region, still one AssumeRole each' '
    curl -s -XPOST "$SIM_URL/_sim/reset" >/dev/null &&
    "$DROVER" discover -o json --page-size 40 >out40.json &&
    test "$(jpath out40.json "sorted({a[\"servers\"] for a in d[\"account_regions\"]})")" = "[150]" &&
    sim_metrics m2.json &&
    test "$(jpath m2.json "sum(r[\"count\"] for r in d[\"requests\"] if r[\"operation\"]==\"AssumeRole\")")" = 20 &&
    ops m2.json DescribeSourceServers >dss40 && every_ar 4 >want40 && test_cmp want40 dss40
'
test_expect_success 'the table shows one row per account-region with the counters' '
    "$DROVER" discover --accounts 200000000001,200000000002 --regions us-east-1 >tbl &&
    head -1 tbl | grep -q "^ACCOUNT  *REGION  *SERVERS  *HEALTHY  *LAGGING  *STALLED  *RECOVERY INSTANCES  *ERROR$" &&
    test "$(grep -c "^20000000000[12]  *us-east-1  *150  *150  *0  *0  *0$" tbl)" = 2 &&
    grep -q "^300 servers in 2 account-regions" tbl
'
test_expect_success 'bad selections exit 2 naming the field' '
    EXPECT_RC=2 test_must_fail "$DROVER" discover --accounts 999999999999 2>err && grep -q "accounts: 999999999999 is not registered" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" discover --regions mars-1 2>err && grep -q "regions" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" discover --regions ap-south-1 2>err && grep -q "regions" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" discover --page-size 0 2>err && grep -q "page-size" err
'
test_done
