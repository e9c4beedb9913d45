#!/usr/bin/env bash
# t0700-doctor: `drover doctor` against drover sim. The broken estate
# (examples/broken-estate.yaml, 12 deliberate misconfigurations) gives
# exactly those 12 findings with the right check IDs and resources, exit 1;
# the text of one KMS and one trust finding matches golden files; the clean
# estate gives nothing above INFO, exit 0; -o html names every finding.
. "$(dirname "$0")/lib.sh"

EX="$DROVER_SRC/examples"
GOLD="$DROVER_SRC/tests/integration/golden"

# start_sim ESTATE: starts the sim and exports the hub's keys
start_sim() {
    local port
    port=$(free_port)
    "$DROVER" sim --listen "127.0.0.1:$port" --estate "$1" >"$TRASH/sim-$port.log" 2>&1 &
    track_pid $!
    wait_http "http://127.0.0.1:$port/_sim/health" 20 || { cat "$TRASH/sim-$port.log"; exit 1; }
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1
    export AWS_ACCESS_KEY_ID=AKIASIMHUB000000DOCT
    export AWS_SECRET_ACCESS_KEY=doctorsecret000000000000000000000000000
}

register() {
    "$DROVER" accounts add 111111111111 --role-arn arn:aws:iam::111111111111:role/DroverSpokeRole \
        --external-id clean-source-external-id-0001 --regions us-east-1 >/dev/null &&
    "$DROVER" accounts add 222222222222 --role-arn arn:aws:iam::222222222222:role/DroverSpokeRole \
        --external-id clean-target-external-id-0002 --regions us-west-2 >/dev/null &&
    "$DROVER" apply -f "$EX/readiness-plan.yaml" >/dev/null
}

start_sim "$EX/broken-estate.yaml"
export DROVER_HOME="$TRASH/home-broken"

test_expect_success 'broken estate: exactly the 12 deliberate findings, exit 1' '
    register &&
    "$DROVER" accounts add 333333333333 --role-arn arn:aws:iam::333333333333:role/DroverSpokeRole \
        --external-id registered-but-wrong-external-id --regions us-west-2 >/dev/null &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --plan shop-dr -o json >broken.json &&
    python3 - broken.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((f["id"], f["account_id"], f["resource"]) for f in d["findings"])
k = "arn:aws:kms:us-west-2:222222222222:key/22222222-0000-4000-8000-00000000000"
want = sorted([
    ("TRUST-001", "333333333333", "arn:aws:iam::333333333333:role/DroverSpokeRole"),
    ("TRUST-004", "222222222222", "arn:aws:iam::222222222222:role/service-role/DRSStagingAccountRole"),
    ("KMS-005", "222222222222", k + "3"),
    ("KMS-001", "222222222222", k + "4"),
    ("KMS-003", "222222222222", "arn:aws:kms:us-east-1:222222222222:key/22222222-0000-4000-8000-000000000005"),
    ("KMS-006", "222222222222", k + "6"),
    ("KMS-007", "222222222222", k + "7"),
    ("NET-001", "222222222222", "sg-0bbb2222222222222"),
    ("NET-003", "222222222222", "subnet-0bbb2222222222222"),
    ("DRS-004", "222222222222", "subnet-0bbb2222222222223"),
    ("DRS-005", "222222222222", "s-0aaa00000000000a4"),
    ("QUOTA-003", "222222222222", "shop-dr"),
])
assert got == want, "got %s" % got
assert d["summary"] == {"CRITICAL": 2, "ERROR": 10, "WARNING": 0, "INFO": 0}, d["summary"]
sev = [f["severity"] for f in d["findings"]]
assert sev == sorted(sev, key=["CRITICAL", "ERROR", "WARNING", "INFO"].index), sev
for f in d["findings"]:
    assert set(f) == {"id", "severity", "account_id", "region", "resource", "message",
                      "evidence", "fix"}, f
    assert f["message"] and f["evidence"] and f["fix"], f
assert "registered-but-wrong" not in json.dumps(d)  # the external ID is a secret
PY
'

# golden NAME ID: the message, evidence and fix of finding ID, one per line
golden() {
    python3 -c '
import json, sys
f = [f for f in json.load(open("broken.json"))["findings"] if f["id"] == sys.argv[1]][0]
print(f["message"]); print("evidence: " + f["evidence"]); print("fix: " + f["fix"])
' "$2" >"$1.out" && test_cmp "$GOLD/$1.txt" "$1.out"
}
test_expect_success 'the KMS-007 finding reads as the golden file' '
    golden doctor-kms-007 KMS-007
'
test_expect_success 'the TRUST-004 finding reads as the golden file' '
    golden doctor-trust-004 TRUST-004
'
test_expect_success '-o html is one self-contained page naming every finding' '
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --plan shop-dr -o html >report.html &&
    for id in TRUST-001 TRUST-004 KMS-001 KMS-003 KMS-005 KMS-006 KMS-007 NET-001 NET-003 \
              DRS-004 DRS-005 QUOTA-003; do grep -q ">$id<" report.html || return 1; done &&
    ! grep -qi "<script\|https\?://" report.html
'
test_expect_success 'the table is sorted by severity and ends with the summary' '
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --plan shop-dr >table.txt &&
    head -1 table.txt | grep -q "^SEVERITY  *ID  *ACCOUNT  *REGION  *RESOURCE  *MESSAGE$" &&
    sed -n 2p table.txt | grep -q "^CRITICAL" && tail -2 table.txt | head -1 | grep -q "^ERROR" &&
    tail -1 table.txt | grep -q "^12 findings: 2 critical, 10 error, 0 warning, 0 info$"
'
test_expect_success '--account and --region narrow the run (account-level trust checks stay)' '
    "$DROVER" doctor --account 111111111111 -o json >one.json &&
    test "$(jpath one.json "len(d[\"findings\"])")" = 0 &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --region us-east-1 -o json >east.json &&
    test "$(jpath east.json "\",\".join(f[\"id\"] for f in d[\"findings\"])")" = TRUST-001,TRUST-004 &&
    EXPECT_RC=2 test_must_fail "$DROVER" doctor --account 444444444444 2>err &&
    grep -q "not registered" err
'

start_sim "$EX/clean-estate.yaml"
export DROVER_HOME="$TRASH/home-clean"
test_expect_success 'clean estate: nothing above INFO, exit 0' '
    register &&
    "$DROVER" doctor --plan shop-dr -o json >clean.json &&
    test "$(jpath clean.json "len([f for f in d[\"findings\"] if f[\"severity\"] != \"INFO\"])")" = 0 &&
    "$DROVER" doctor >clean.txt && grep -q "no findings: ready" clean.txt
'
test_done
