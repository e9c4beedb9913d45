#!/usr/bin/env bash
# sim_throughput.sh - requests per second and p99 latency of `drover sim`
# for DescribeSourceServers returning 100 servers: one request is pre-signed
# with botocore (valid within the 15-minute SigV4 window) and replayed by
# wrk. Prints figures only; never pass/fail.
set -u
cd "$(dirname "$0")/.."
DROVER=${DROVER:-build/drover}
command -v wrk >/dev/null || { echo "sim_throughput: wrk is not installed; skipped"; exit 0; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TMP=$(mktemp -d)
"$DROVER" sim --listen "127.0.0.1:$PORT" --generate accounts=1,regions=1,servers=100 --quiet >"$TMP/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/_sim/health" >/dev/null && break; sleep 0.05; done
python3 - "http://127.0.0.1:$PORT" >"$TMP/req.lua" <<'PY'
import json, sys, urllib.request
import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url = sys.argv[1]
e = json.load(urllib.request.urlopen(url + "/_sim/estate"))
sp = e["accounts"][0]
cr = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id=e["hub"]["access_key_id"],
                  aws_secret_access_key=e["hub"]["secret_access_key"]).assume_role(
    RoleArn=sp["role_arn"], RoleSessionName="bench", ExternalId=sp["external_id"])["Credentials"]
body = "{}"
req = AWSRequest(method="POST", url=url + "/DescribeSourceServers", data=body,
                 headers={"Content-Type": "application/json"})
SigV4Auth(Credentials(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"]), "drs",
          sp["regions"][0]).add_auth(req)
print('wrk.method = "POST"')
print("wrk.body = %s" % json.dumps(body))
for k, v in req.headers.items():
    print("wrk.headers[%s] = %s" % (json.dumps(k), json.dumps(v)))
PY
code=$(curl -s -o "$TMP/one.json" -w '%{http_code}' -XPOST "http://127.0.0.1:$PORT/DescribeSourceServers" \
    -H "Content-Type: application/json" $(sed -n "s/^wrk.headers\[\"\(X-Amz-[^\"]*\)\"\] = \"\(.*\)\"$/-H \1:\2/p" "$TMP/req.lua") -H "Authorization: $(sed -n "s/^wrk.headers\[\"Authorization\"\] = \"\(.*\)\"$/\1/p" "$TMP/req.lua")" -d "{}")
echo "sim_throughput: probe status $code, $(python3 -c "import json;print(len(json.load(open('$TMP/one.json')).get('items',[])))" 2>/dev/null) servers per response, $(wc -c <"$TMP/one.json") bytes"
wrk -t2 -c${CONNS:-16} -d${DURATION:-10}s --latency -s "$TMP/req.lua" "http://127.0.0.1:$PORT/DescribeSourceServers" >"$TMP/wrk.out"
rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out")
p99=$(awk '$1=="99%" {print $2}' "$TMP/wrk.out")
non2xx=$(awk '/Non-2xx/ {print $5}' "$TMP/wrk.out")
echo "sim_throughput: DescribeSourceServers x100 servers: ${rps} req/s, p99 ${p99}, non-2xx ${non2xx:-0}"
