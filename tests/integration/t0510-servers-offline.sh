#!/usr/bin/env bash
# t0510-servers-offline: drover servers reads the stored inventory with no
# AWS access. The inventory is seeded with the sqlite3 CLI against the
# documented schema (src/store/schema_sqlite.h), as discovery would write it.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1 # scratch files stay in the test's own directory
command -v sqlite3 >/dev/null || skip_all "sqlite3 CLI not installed"

DB="$DROVER_HOME/drover.db"
ROLE=arn:aws:iam::111111111111:role/r

seed() {
    sqlite3 "$DB" <<'SQL'
INSERT INTO snapshots VALUES ('111111111111','us-east-1',1000,1000,0,NULL);
INSERT INTO snapshots VALUES ('111111111111','eu-west-1',1000,2000,1,'AccessDenied');
INSERT INTO snapshots VALUES ('222222222222','us-east-1',1000,1000,0,NULL);
INSERT INTO servers (account_id,region,source_server_id,hostname,replication_state,lag_seconds,
  last_launch_result,tags,body) VALUES
 ('111111111111','us-east-1','s-1','web1','CONTINUOUS',5,'SUCCEEDED','{"App":"shop","Tier":"web"}','{}'),
 ('111111111111','us-east-1','s-2','db1','STALLED',7200,'FAILED','{"App":"shop","Tier":"db"}','{}'),
 ('111111111111','eu-west-1','s-3','blog1','CONTINUOUS',1200,NULL,'{"App":"blog"}','{}'),
 ('222222222222','us-east-1','s-4','db2','CONTINUOUS',NULL,NULL,'{"App":"shop","Tier":"db"}','{}');
SQL
}

ids() { python3 -c 'import json,sys; print(" ".join(s["source_server_id"] for s in json.load(sys.stdin)["servers"]))'; }

test_expect_success 'setup: two accounts and a seeded inventory' '
    "$DROVER" accounts add 111111111111 --role-arn $ROLE --regions us-east-1,eu-west-1 >/dev/null &&
    "$DROVER" accounts add 222222222222 --role-arn arn:aws:iam::222222222222:role/r \
        --regions us-east-1 >/dev/null &&
    seed
'
test_expect_success 'no filter lists every server in a table with a stale marker' '
    "$DROVER" servers >out &&
    head -1 out | grep -q "^ACCOUNT  *REGION  *SERVER ID  *HOSTNAME  *STATE  *LAG  *LAST LAUNCH  *STALE$" &&
    test $(wc -l <out) = 5 &&
    grep "s-3" out | grep -q "stale$" && ! grep "s-1" out | grep -q stale &&
    grep "s-2" out | grep -q "2h00m"
'
test_expect_success '-o json has the documented fields plus tags' '
    "$DROVER" servers -o json >all.json &&
    test "$(ids <all.json)" = "s-3 s-1 s-2 s-4" &&
    python3 -c "
import json
s={x[\"source_server_id\"]:x for x in json.load(open(\"all.json\"))[\"servers\"]}
a=s[\"s-2\"]
assert a[\"account_id\"]==\"111111111111\" and a[\"region\"]==\"us-east-1\"
assert a[\"hostname\"]==\"db1\" and a[\"replication_state\"]==\"STALLED\"
assert a[\"lag_seconds\"]==7200 and a[\"last_launch_result\"]==\"FAILED\"
assert a[\"tags\"]=={\"App\":\"shop\",\"Tier\":\"db\"} and a[\"stale\"] is False
assert s[\"s-3\"][\"stale\"] is True and s[\"s-4\"][\"lag_seconds\"] is None
"
'
test_expect_success 'filters: account, region, state, tags (AND), lag' '
    test "$("$DROVER" servers -o json --account 222222222222 | ids)" = "s-4" &&
    test "$("$DROVER" servers -o json --region eu-west-1 | ids)" = "s-3" &&
    test "$("$DROVER" servers -o json --state stalled | ids)" = "s-2" &&
    test "$("$DROVER" servers -o json --tag App=shop | ids)" = "s-1 s-2 s-4" &&
    test "$("$DROVER" servers -o json --tag App=shop --tag Tier=db | ids)" = "s-2 s-4" &&
    test "$("$DROVER" servers -o json --lag-over 600 | ids)" = "s-3 s-2" &&
    test "$("$DROVER" servers -o json --lag-over PT1H --account 111111111111 | ids)" = "s-2" &&
    test "$("$DROVER" servers -o json --tag App=none | ids)" = ""
'
test_expect_success 'bad filters exit 2 naming the option' '
    EXPECT_RC=2 test_must_fail "$DROVER" servers --tag App 2>err && grep -q "tag" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" servers --state HAPPY 2>err && grep -q "state" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" servers --lag-over soon 2>err && grep -q "lag-over" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" servers --account 12 2>err && grep -q "account" err
'
test_expect_success 'removing an account removes its servers' '
    "$DROVER" accounts remove 111111111111 >/dev/null &&
    test "$("$DROVER" servers -o json | ids)" = "s-4" &&
    test "$("$DROVER" servers -o json --tag App=shop | ids)" = "s-4"
'
test_done
