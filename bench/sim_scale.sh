#!/usr/bin/env bash
# sim_scale.sh - `drover sim --generate accounts=100,regions=3,servers=100`:
# time until /_sim/health answers, RSS idle, and RSS (and peak) after every
# one of the 300 account-regions has been described through its spoke role
# (30,000 servers materialized), plus the cost per server. The same run
# with accounts=10 is the baseline for the per-server ratio. Set
# BASELINE_DROVER=path to also measure another build (e.g. an older
# commit's) in the same command. Prints figures only; never pass/fail.
# Targets (issue 3): load under 2 s, served within 300 MB RSS.
set -u
cd "$(dirname "$0")/.."
DROVER=${DROVER:-build/drover}
python3 -c 'import boto3' 2>/dev/null || { echo "sim_scale: boto3 is not installed; skipped"; exit 0; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/touch.py" <<'PY'
import json, sys, urllib.request
import boto3, botocore.config
url = sys.argv[1]
e = json.load(urllib.request.urlopen(url + "/_sim/estate"))
cfg = botocore.config.Config(retries={"max_attempts": 1})
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", config=cfg,
                   aws_access_key_id=e["hub"]["access_key_id"],
                   aws_secret_access_key=e["hub"]["secret_access_key"])
n = 0
for a in e["accounts"]:
    cr = sts.assume_role(RoleArn=a["role_arn"], RoleSessionName="scale",
                         ExternalId=a["external_id"])["Credentials"]
    for r in a["regions"]:
        d = boto3.client("drs", endpoint_url=url, region_name=r, config=cfg,
                         aws_access_key_id=cr["AccessKeyId"],
                         aws_secret_access_key=cr["SecretAccessKey"],
                         aws_session_token=cr["SessionToken"])
        for p in d.get_paginator("describe_source_servers").paginate():
            n += len(p["items"])
print(n)
PY

rss() { awk -v k="$2:" '$1==k {print int($2/1024)}' "/proc/$1/status"; }

# measure BINARY ACCOUNTS -> "load_s idle_mb all_mb peak_mb servers"
measure() {
    local port pid t0 t1 n idle
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    t0=$(date +%s.%N)
    "$1" sim --listen "127.0.0.1:$port" --generate "accounts=$2,regions=3,servers=100" --quiet \
        >"$TMP/log" 2>&1 &
    pid=$!
    for _ in $(seq 400); do curl -s "http://127.0.0.1:$port/_sim/health" >/dev/null && break; sleep 0.01; done
    t1=$(date +%s.%N)
    idle=$(rss $pid VmRSS)
    n=$(python3 "$TMP/touch.py" "http://127.0.0.1:$port")
    echo "$(echo "$t1 - $t0" | bc -l | awk '{printf "%.2f", $1}') $idle $(rss $pid VmRSS) $(rss $pid VmHWM) $n"
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
}

report() { # report LABEL BINARY
    read -r l10 i10 a10 p10 n10 <<<"$(measure "$2" 10)"
    read -r l100 i100 a100 p100 n100 <<<"$(measure "$2" 100)"
    per=$(( (a100 - a10) * 1024 * 1024 / (n100 - n10) ))
    echo "sim_scale: $1 accounts=100,regions=3,servers=100: ready in ${l100} s, ${i100} MB RSS idle, ${a100} MB RSS (peak ${p100} MB) after describing all ${n100} servers"
    echo "sim_scale: $1 baseline accounts=10: ${a10} MB RSS after ${n10} servers; $(( per )) bytes per server; ratio 100/10 accounts $(echo "$a100 / $a10" | bc -l | awk '{printf "%.1f", $1}')x"
}

report "this build:" "$DROVER"
if [ -n "${BASELINE_DROVER:-}" ]; then
    report "baseline $BASELINE_DROVER:" "$BASELINE_DROVER"
fi
