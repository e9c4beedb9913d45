#!/usr/bin/env bash
# t0526-discover-enrich: EC2 enrichment end to end. DRS is served by one
# fault server (a source server whose awsInstanceID and origin account
# point at a registered account), EC2 by another (DescribeInstances XML);
# STS stays the simulator. Discovery must ask EC2 in the origin
# account-region, with that account's role and a filter on the instance ID, store the instance
# type, subnet, private IP and tags, and `tags sync --dry-run` must want
# the instance's tags plus drover:source-*.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=1,servers=1 --seed 2
sim_register || exit 1
A1=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["account_id"]')
A2=$(jpath "$TRASH/estate.json" 'd["accounts"][1]["account_id"]')

# one item valid as a source server, a recovery instance and a job: each
# operation's output shape keeps only its own members
ITEM="{\"sourceServerID\": \"s-0123456789abcdef0\", \"recoveryInstanceID\": \"i-0ffffffffffffffff\", \"jobID\": \"drsjob-0123456789abcdef0\",
  \"arn\": \"arn:aws:drs:us-east-1:$A2:source-server/s-0123456789abcdef0\", \"tags\": {\"Tier\": \"db\"},
  \"dataReplicationInfo\": {\"dataReplicationState\": \"CONTINUOUS\", \"lagDuration\": \"PT5S\"},
  \"sourceProperties\": {\"identificationHints\": {\"hostname\": \"db1\", \"awsInstanceID\": \"i-0aaaaaaaaaaaaaaaa\"}},
  \"sourceCloudProperties\": {\"originAccountID\": \"$A1\", \"originRegion\": \"us-east-1\"}}"
cat >drs.json <<JSON
[{"headers": {"Content-Type": "application/json"}, "json": {"items": [$ITEM]}}]
JSON
cat >ec2.json <<'JSON'
[{"headers": {"Content-Type": "text/xml"}, "body": "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId><reservationSet><item><reservationId>r-0123</reservationId><ownerId>0</ownerId><instancesSet><item><instanceId>i-0aaaaaaaaaaaaaaaa</instanceId><instanceType>r5.2xlarge</instanceType><subnetId>subnet-0bbbbbbbbbbbbbbbb</subnetId><privateIpAddress>10.1.2.3</privateIpAddress><tagSet><item><key>App</key><value>shop</value></item><item><key>Tier</key><value>web</value></item><item><key>aws:cloudformation:stack-name</key><value>s</value></item></tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>"}]
JSON

start_faultserver drs.json || exit 1
DRS_URL=$FAULT_URL DRS_LOG=$FAULT_LOG
start_faultserver ec2.json || exit 1
EC2_URL=$FAULT_URL EC2_LOG=$FAULT_LOG

test_expect_success 'discovery enriches from EC2 in the origin account-region' '
    AWS_ENDPOINT_URL_DRS=$DRS_URL AWS_ENDPOINT_URL_EC2=$EC2_URL \
        "$DROVER" discover --accounts "$A2" -o json >out.json &&
    test "$(jpath out.json "[(a[\"servers\"], a[\"enriched\"], a[\"recovery_instances\"], a[\"jobs\"], a[\"error\"], a[\"warning\"]) for a in d[\"account_regions\"]]")" = "[[1, 1, 1, 1, null, null]]" &&
    test "$(wc -l <"$EC2_LOG")" = 1 &&
    python3 - "$EC2_LOG" "$DRS_LOG" <<PY
import json, sys, urllib.parse
r = json.loads(open(sys.argv[1]).readline())
key = lambda rec: dict(rec["headers"])["Authorization"].split("Credential=")[1].split("/")[0]
drs_keys = {key(json.loads(l)) for l in open(sys.argv[2])}
assert len(drs_keys) == 1 and key(r) not in drs_keys, "EC2 must use the origin account role"
q = urllib.parse.parse_qs(r["body"] or r["query"])
assert q["Action"] == ["DescribeInstances"], q
assert q["Filter.1.Name"] == ["instance-id"] and q["Filter.1.Value.1"] == ["i-0aaaaaaaaaaaaaaaa"], q
auth = dict(r["headers"])["Authorization"]
assert "/us-east-1/ec2/aws4_request" in auth, auth
PY
'
test_expect_success 'the stored server has the instance type, subnet, IP and tags (DRS tags win)' '
    "$DROVER" servers -o json >s.json &&
    python3 - s.json <<PY
import json, sys
s = json.load(open(sys.argv[1]))["servers"]
s = [x for x in s if x["source_server_id"] == "s-0123456789abcdef0"]
assert len(s) == 1, s
s = s[0]
assert s["instance_type"] == "r5.2xlarge" and s["subnet_id"] == "subnet-0bbbbbbbbbbbbbbbb", s
assert s["private_ip"] == "10.1.2.3", s
assert s["tags"]["App"] == "shop" and s["tags"]["Tier"] == "db", s["tags"]
PY
'
test_expect_success 'tags sync --dry-run wants the EC2 tags and drover:source-*' '
    AWS_ENDPOINT_URL_DRS=$DRS_URL AWS_ENDPOINT_URL_EC2=$EC2_URL \
        "$DROVER" tags sync --dry-run --accounts "$A2" -o json >t.json &&
    test "$(jpath t.json "d[\"changes\"][0][\"tags\"]")" = \
        "{\"App\": \"shop\", \"Tier\": \"web\", \"drover:source-account\": \"$A1\", \"drover:source-region\": \"us-east-1\", \"drover:source-instance-type\": \"r5.2xlarge\"}"
'
test_done
