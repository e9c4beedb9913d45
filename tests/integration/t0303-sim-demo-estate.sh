#!/usr/bin/env bash
# t0303-sim-demo-estate: examples/demo-estate.yaml (the `make demo` estate)
# loads in `drover sim`; through each spoke role (AssumeRole with its
# external ID) DRS holds 72 servers in us-west-2 and us-east-2, the shop
# plan's tag selectors match 6 db, 24 app, 30 web and 12 batch servers,
# every server replicates CONTINUOUS from us-east-1, and a drill of one
# server per tier launches.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1
python3 -c 'import boto3' 2>/dev/null || skip_all "boto3 is not installed"

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$DROVER" sim --listen "127.0.0.1:$PORT" --estate "$DROVER_SRC/examples/demo-estate.yaml" \
    --time-scale 600 >"$TRASH/sim.log" 2>&1 &
track_pid $!
wait_http "$URL/_sim/health" 20 || { cat "$TRASH/sim.log"; exit 1; }

cat >inventory.py <<'PY'
import collections, json, sys, time, urllib.request
import boto3
url = sys.argv[1]
e = json.load(urllib.request.urlopen(url + "/_sim/estate"))
assert len(e["accounts"]) == 3, e
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id=e["hub"]["access_key_id"],
                   aws_secret_access_key=e["hub"]["secret_access_key"])
sel = collections.Counter()
states, origins, total = set(), set(), 0
for a in e["accounts"]:
    assert sorted(a["regions"]) == ["us-east-2", "us-west-2"], a
    c = sts.assume_role(RoleArn=a["role_arn"], RoleSessionName="demo",
                        ExternalId=a["external_id"])["Credentials"]
    for r in a["regions"]:
        drs = boto3.client("drs", endpoint_url=url, region_name=r,
                           aws_access_key_id=c["AccessKeyId"],
                           aws_secret_access_key=c["SecretAccessKey"],
                           aws_session_token=c["SessionToken"])
        items = [s for p in drs.get_paginator("describe_source_servers").paginate()
                 for s in p["items"]]
        total += len(items)
        for s in items:
            t = s["tags"]
            sel[t["App"] if t["App"] == "batch" else t["App"] + "/" + t["Tier"]] += 1
            states.add(s["dataReplicationInfo"]["dataReplicationState"])
            origins.add(s["sourceCloudProperties"]["originRegion"])
        if a is e["accounts"][0] and r == "us-west-2":
            pick = {}
            for s in items:
                pick.setdefault(s["tags"]["Tier"], s["sourceServerID"])
            job = drs.start_recovery(isDrill=True, sourceServers=[
                {"sourceServerID": i} for i in pick.values()])["job"]
            for _ in range(200):
                j = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
                if j["status"] == "COMPLETED":
                    break
                time.sleep(0.1)
            assert [p["launchStatus"] for p in j["participatingServers"]] == ["LAUNCHED"] * len(pick), j
assert total == 72, total
assert sel == {"shop/db": 6, "shop/app": 24, "shop/web": 30, "batch": 12}, sel
assert states == {"CONTINUOUS"}, states
assert origins == {"us-east-1"}, origins
print("ok", total, dict(sel))
PY

test_expect_success 'the demo estate holds the shop and batch fleets, all CONTINUOUS' '
    python3 inventory.py "$URL"
'
test_expect_success 'the shop plan selects by tags the estate carries' '
    for t in "App: shop, Tier: db" "App: shop, Tier: app" "App: shop, Tier: web" "App: batch"; do
        grep -q "tags: {$t" "$DROVER_SRC/examples/shop-plan.yaml" || { echo "plan lacks $t"; exit 1; }
    done
'
test_done
