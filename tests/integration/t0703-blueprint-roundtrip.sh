#!/usr/bin/env bash
# t0703-blueprint-roundtrip: blueprint -> estate -> doctor. The generated
# trust and key policies of a blueprint for 3 spokes, a source account and
# 2 regions are loaded into drover sim (tests/integration/blueprint_estate.py),
# drover runs as the generated hub execution role (a profile chain), the
# accounts are registered with the generated external IDs, and doctor
# reports nothing above INFO. Then one generated condition is broken
# (aws:SourceAccount of a staging role; the sts:ExternalId of a spoke role)
# (or kms:ViaService of a key policy) and doctor flags exactly that
# statement and condition key (the external ID: the real AssumeRole fails).
. "$(dirname "$0")/lib.sh"

"$DROVER" blueprint --hub 999999999999 --spokes 222222222221,222222222222,222222222223 \
    --regions us-east-1,us-west-2 --source-accounts 111111111111 \
    --source-cidrs 10.10.0.0/16,10.11.0.0/16 --out bp >/dev/null || exit 1
mkdir -p bpj && cp bp/external-ids.json bpj/ &&
"$DROVER" blueprint --hub 999999999999 --spokes 222222222221,222222222222,222222222223 \
    --regions us-east-1,us-west-2 --source-accounts 111111111111 \
    --source-cidrs 10.10.0.0/16,10.11.0.0/16 -o json --out bpj >/dev/null || exit 1

cat >"$TRASH/aws-config" <<CFG
[profile drover-hub]
role_arn = arn:aws:iam::999999999999:role/DroverExecutionRole
credential_source = Environment
CFG

# start_sim EDIT: an estate from the blueprint (EDIT breaks one condition),
# a sim on it, drover running as the hub execution role, a fresh home
start_sim() {
    local port est="$TRASH/estate-${1:-clean}.json"
    python3 "$DROVER_SRC/tests/integration/blueprint_estate.py" bp bpj "$est" "$1" || exit 1
    port=$(free_port)
    "$DROVER" sim --listen "127.0.0.1:$port" --estate "$est" >"$TRASH/sim-$port.log" 2>&1 &
    track_pid $!
    wait_http "http://127.0.0.1:$port/_sim/health" 20 || { cat "$TRASH/sim-$port.log"; exit 1; }
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1
    export AWS_ACCESS_KEY_ID=AKIASIMHUB000000BLUE
    export AWS_SECRET_ACCESS_KEY=blueprintsecret0000000000000000000000000
    export AWS_CONFIG_FILE="$TRASH/aws-config" AWS_PROFILE=drover-hub
    export DROVER_HOME="$TRASH/home-${1:-clean}"
}

# register: every spoke with the generated external ID (read from the file,
# never echoed)
register() {
    local a
    for a in 111111111111 222222222221 222222222222 222222222223; do
        "$DROVER" accounts add $a --role-arn arn:aws:iam::$a:role/DroverSpokeRole \
            --external-id "$(jpath bp/external-ids.json "d[\"external_ids\"][\"$a\"]")" \
            --regions us-east-1,us-west-2 >/dev/null || return 1
    done
}

start_sim ""
test_expect_success 'drover runs as the generated execution role' '
    "$DROVER" call sts GetCallerIdentity >id.json &&
    grep -q "assumed-role/DroverExecutionRole/" id.json
'
test_expect_success 'the blueprint passes doctor: nothing above INFO, exit 0' '
    register &&
    "$DROVER" doctor -o json >clean.json || { cat clean.json; return 1; }
    python3 - clean.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f for f in d["findings"] if f["severity"] != "INFO"]
assert not bad, json.dumps(bad, indent=1)
assert d["summary"]["CRITICAL"] == d["summary"]["ERROR"] == d["summary"]["WARNING"] == 0
PY
'

start_sim source-account:222222222222
test_expect_success 'a broken aws:SourceAccount: doctor names Sid DRSStaging and the key' '
    register &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor -o json >sa.json &&
    python3 - sa.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["id"], f["account_id"], f["resource"]) for f in d["findings"] if f["severity"] != "INFO"]
assert got == [("TRUST-005", "222222222222",
                "arn:aws:iam::222222222222:role/service-role/DRSStagingAccountRole")], got
f = d["findings"][0]
assert "condition aws:SourceAccount" in f["message"], f
assert "Sid \x27DRSStaging\x27" in f["evidence"] and "aws:SourceAccount" in f["evidence"], f
assert "222222222299" in f["evidence"], f
PY
'

start_sim external-id:222222222223
test_expect_success 'a broken sts:ExternalId: the real AssumeRole fails (TRUST-001), no ID leaks' '
    register &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor -o json >ext.json &&
    python3 - ext.json bp/external-ids.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["id"], f["account_id"], f["resource"]) for f in d["findings"] if f["severity"] != "INFO"]
assert got == [("TRUST-001", "222222222223", "arn:aws:iam::222222222223:role/DroverSpokeRole")], got
f = d["findings"][0]
assert "assumed-role/DroverExecutionRole/" in f["evidence"] and "sts:ExternalId" in f["fix"], f
ids = json.load(open(sys.argv[2]))["external_ids"].values()
assert not any(i in json.dumps(d) for i in ids), "an external ID leaked into the report"
PY
'
start_sim via-service:222222222221
test_expect_success 'a broken kms:ViaService: doctor names Sid AllowDRSStagingRoleUse and the key' '
    register &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor -o json >via.json &&
    python3 - via.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["id"], f["account_id"], f["region"]) for f in d["findings"] if f["severity"] != "INFO"]
assert got == [("KMS-007", "222222222221", "us-west-2")], got
f = d["findings"][0]
assert "Sid \x27AllowDRSStagingRoleUse\x27" in f["evidence"], f
assert "kms:ViaService" in f["evidence"] and "ec2.us-west-2.amazonaws.com" in f["evidence"], f
PY
'
test_done
