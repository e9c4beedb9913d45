#!/usr/bin/env bash
# t0610-plan-validate: `drover plan validate NAME|-f FILE` reports a cycle,
# an unknown group, a server in two groups and a selector that matches
# nothing, each with its path (exit 1); a valid plan exits 0 and prints the
# DRS job split. The inventory is seeded with the sqlite3 CLI against the
# documented schema (src/store/schema_sqlite.h), as discovery writes it.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 CLI not installed"

DB="$DROVER_HOME/drover.db"
EX="$DROVER_SRC/examples/shop-plan.yaml"
A1=111111111111
A2=222222222222

seed() {
    local now=$(($(date +%s) * 1000))
    sqlite3 "$DB" <<SQL
INSERT INTO snapshots VALUES ('$A1','us-east-1',$now,$now,0,NULL);
INSERT INTO snapshots VALUES ('$A2','us-east-1',$now,$now,0,NULL);
INSERT INTO servers (account_id,region,source_server_id,replication_state,lag_seconds,tags,body) VALUES
 ('$A1','us-east-1','s-db1','CONTINUOUS',5,'{"App":"shop","Tier":"db"}','{}'),
 ('$A1','us-east-1','s-db2','CONTINUOUS',5,'{"App":"shop","Tier":"db"}','{}'),
 ('$A1','us-east-1','s-app1','CONTINUOUS',5,'{"App":"shop","Tier":"app"}','{}'),
 ('$A1','us-east-1','s-web1','CONTINUOUS',5,'{"App":"shop","Tier":"web"}','{}');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
INSERT INTO servers (account_id,region,source_server_id,replication_state,lag_seconds,tags,body)
  SELECT '$A2','us-east-1',printf('s-b%04d',i),'CONTINUOUS',5,'{"App":"batch"}','{}' FROM n;
SQL
}

test_expect_success 'setup: two accounts, a seeded inventory, the example plan applied' '
    "$DROVER" accounts add $A1 --role-arn arn:aws:iam::$A1:role/r --regions us-east-1 \
        >/dev/null 2>&1 &&
    "$DROVER" accounts add $A2 --role-arn arn:aws:iam::$A2:role/r --regions us-east-1 \
        >/dev/null 2>&1 &&
    seed &&
    "$DROVER" servers -o json >servers.json &&
    test "$(jpath servers.json "len(d[\"servers\"])")" = 254 &&
    "$DROVER" apply -f "$EX" >/dev/null
'

test_expect_success 'a valid plan exits 0 and prints the job split per account-region' '
    "$DROVER" plan validate shop >out 2>err &&
    grep -q "^RecoveryPlan/shop: valid, 0 error(s), 0 warning(s)$" out &&
    grep -q "^WAVE  *ACCOUNT  *REGION  *SERVERS  *JOBS$" out &&
    grep -q "^db  *$A1  *us-east-1  *2  *1$" out &&
    grep -q "^batch  *$A2  *us-east-1  *250  *3$" out &&
    grep -q "^4 wave(s), 254 server(s), 6 job(s)$" out &&
    test ! -s err
'

test_expect_success '-o json: valid, no issues, waves with jobs per account-region' '
    "$DROVER" plan validate shop -o json >v.json &&
    test "$(jpath v.json "d[\"valid\"]")" = True &&
    test "$(jpath v.json "d[\"issues\"]")" = "[]" &&
    test "$(jpath v.json "[w[\"name\"] for w in d[\"waves\"]]")" = "[\"db\", \"app\", \"web\", \"batch\"]" &&
    test "$(jpath v.json "d[\"waves\"][3]")" = \
        "{\"name\": \"batch\", \"servers\": 250, \"jobs\": [{\"account_id\": \"$A2\", \"region\": \"us-east-1\", \"servers\": 250, \"jobs\": 3}]}"
'

test_expect_success 'the quotas are parameters: smaller ones split further and note the queueing' '
    "$DROVER" plan validate shop -o json --max-servers-per-job 50 --max-active-servers 200 \
        >q.json &&
    test "$(jpath q.json "d[\"valid\"]")" = True &&
    test "$(jpath q.json "d[\"waves\"][3][\"jobs\"][0][\"jobs\"]")" = 5 &&
    test "$(jpath q.json "[[i[\"path\"], i[\"severity\"]] for i in d[\"issues\"]]")" = \
        "[[\"waves[3]\", \"warning\"]]" &&
    jpath q.json "d[\"issues\"][0][\"message\"]" | grep -q "250 server(s) in $A2/us-east-1.*queued"
'

cat >bad.yaml <<YAML
kind: ProtectionGroup
name: db-one
servers:
  - {account: "$A1", region: us-east-1, id: s-db1}
---
kind: ProtectionGroup
name: cache
selector: {tags: {Tier: cache}}
---
kind: RecoveryPlan
name: bad
waves:
  - name: a
    groups: [shop-db]
    dependsOn: [c]
  - name: b
    groups:
      - db-one
      - cache
    dependsOn: [a]
  - name: c
    groups: [ghost]
    dependsOn: [b]
YAML

test_expect_success '-f FILE: cycle, unknown group, server in two groups, empty selector; exit 1' '
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate -f bad.yaml >out 2>err &&
    cat err &&
    grep -q "^bad.yaml:20: waves\[1\].dependsOn: dependency cycle: a -> c -> b -> a" err &&
    grep -q "^bad.yaml:22: waves\[2\].groups\[0\]: unknown protection group .ghost." err &&
    grep -q "^bad.yaml:18: waves\[1\].groups\[0\]: 1 server(s) of group .db-one. (wave .b.) are also in group .shop-db. (wave .a., waves\[0\].groups\[0\]).*: $A1/us-east-1/s-db1$" err &&
    grep -q "^bad.yaml:19: waves\[1\].groups\[1\]: group .cache.: the selector matches no server in the inventory" err &&
    grep -q "^drover: 4 problem(s); the plan is invalid$" err &&
    grep -q "^RecoveryPlan/bad: invalid, 4 error(s)" out
'

test_expect_success '-f FILE stores nothing' '
    test_must_fail "$DROVER" get plans bad 2>/dev/null &&
    test_must_fail "$DROVER" get groups cache 2>/dev/null
'

test_expect_success '-o json lists each issue with path, line and severity' '
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate -f bad.yaml -o json >bad.json &&
    test "$(jpath bad.json "d[\"valid\"]")" = False &&
    test "$(jpath bad.json "sorted([i[\"path\"], i[\"line\"], i[\"severity\"]] for i in d[\"issues\"])")" = \
        "[[\"waves[1].dependsOn\", 20, \"error\"], [\"waves[1].groups[0]\", 18, \"error\"], [\"waves[1].groups[1]\", 19, \"error\"], [\"waves[2].groups[0]\", 22, \"error\"]]"
'

test_expect_success 'a stored plan is checked against the current inventory (NAME, no lines)' '
    printf "kind: RecoveryPlan\nname: later\nwaves:\n  - {name: w, groups: [shop-web]}\n" >later.yaml &&
    "$DROVER" apply -f later.yaml >/dev/null &&
    "$DROVER" plan validate later >/dev/null &&
    sqlite3 "$DB" "DELETE FROM servers WHERE source_server_id = '\''s-web1'\''" &&
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate later 2>err &&
    grep -q "^RecoveryPlan/later: waves\[0\].groups\[0\]: group .shop-web.: the selector matches no server" err
'

test_expect_success 'NAME -f FILE: a stored plan with the file'\''s groups overlaid' '
    printf "kind: ProtectionGroup\nname: shop-web\nselector: {tags: {Tier: app}}\n" >web.yaml &&
    "$DROVER" plan validate later -f web.yaml >out &&
    grep -q "^w  *$A1  *us-east-1  *1  *1$" out &&
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate later 2>/dev/null &&
    "$DROVER" get groups shop-web -o json >g.json &&
    test "$(jpath g.json "d[\"selector\"][\"tags\"][\"Tier\"]")" = web &&
    sqlite3 "$DB" "INSERT INTO servers (account_id,region,source_server_id,replication_state,
        lag_seconds,tags,body) VALUES ('\''$A1'\'','\''us-east-1'\'','\''s-web1'\'',
        '\''CONTINUOUS'\'',5,'\''{\"App\":\"shop\",\"Tier\":\"web\"}'\'','\''{}'\'')" &&
    "$DROVER" plan validate later >/dev/null
'

test_expect_success 'replication problems: STALLED and lag over the RPO are warnings (exit 0)' '
    sqlite3 "$DB" "UPDATE servers SET replication_state = '\''STALLED'\'', lag_seconds = 7200 WHERE source_server_id = '\''s-app1'\''" &&
    "$DROVER" plan validate shop >out 2>err &&
    grep -q "^RecoveryPlan/shop: warning: waves\[1\].groups\[0\]: group .shop-app.: 1 server(s) are not replicating continuously (replication STALLED): $A1/us-east-1/s-app1$" err &&
    grep -q "RPO target of 15 minute(s): $A1/us-east-1/s-app1 (lag 2h00m)" err &&
    grep -q "valid, 0 error(s), 2 warning(s)" out
'

test_expect_success 'a server with no recovery point (INITIAL_SYNC) is an error' '
    sqlite3 "$DB" "UPDATE servers SET replication_state = '\''INITIAL_SYNC'\'' WHERE source_server_id = '\''s-app1'\''" &&
    EXPECT_RC=1 test_must_fail "$DROVER" plan validate shop 2>err &&
    grep -q "waves\[1\].groups\[0\]: group .shop-app.: 1 server(s) have no recovery point (replication INITIAL_SYNC)" err
'

test_expect_success 'bad usage and unreadable files exit 2' '
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate 2>err && grep -q "NAME or -f FILE" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate nope 2>err && grep -q "nope" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate -f missing.yaml 2>err &&
    grep -q "missing.yaml" err &&
    printf "kind: [unclosed\n" >broken.yaml &&
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate -f broken.yaml 2>err &&
    grep -q "broken.yaml" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate -f web.yaml 2>err &&
    grep -q "holds 0 RecoveryPlan" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" plan validate shop --max-active-jobs 0 2>err &&
    grep -q "max-active-jobs" err
'
test_done
