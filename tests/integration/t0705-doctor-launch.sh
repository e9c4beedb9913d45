#!/usr/bin/env bash
# t0705-doctor-launch: launch readiness (LAUNCH-003..009). The simulator's
# launch templates, instance type offerings and network interfaces parse
# strictly in boto3 (sim_launch.py); examples/broken-launch-estate.yaml
# with examples/launch-plan.yaml gives exactly its 11 launch findings,
# each naming the server, template and what was found, with a fix;
# without --plan no launch configuration is read; the clean estate and the
# demo estate (after drover discover, shop plan) report nothing above INFO
# although every plan server's launch configuration and template was read.
. "$(dirname "$0")/lib.sh"

EX="$DROVER_SRC/examples"

# start_doctor_sim ESTATE ARGS...: starts the sim, exports the doctor hub's keys
start_doctor_sim() {
    local estate=$1
    shift
    sim_spawn "$TRASH/sim-$RANDOM.log" --estate "$estate" "$@" || exit 1
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    export AWS_ENDPOINT_URL=$SIM_URL AWS_REGION=us-east-1
    export AWS_ACCESS_KEY_ID=AKIASIMHUB000000DOCT
    export AWS_SECRET_ACCESS_KEY=doctorsecret000000000000000000000000000
}

register() {
    "$DROVER" accounts add 111111111111 --role-arn arn:aws:iam::111111111111:role/DroverSpokeRole \
        --external-id clean-source-external-id-0001 --regions us-east-1 >/dev/null &&
    "$DROVER" accounts add 222222222222 --role-arn arn:aws:iam::222222222222:role/DroverSpokeRole \
        --external-id clean-target-external-id-0002 --regions us-west-2 >/dev/null
}

# calls OP: how many times the simulator answered OP
calls() {
    curl -s "$SIM_URL/_sim/metrics" | python3 -c '
import json, sys
print(sum(r["count"] for r in json.load(sys.stdin)["requests"] if r["operation"] == sys.argv[1]))
' "$1"
}

# no_launch_above_info FILE: no finding above INFO, and none of the LAUNCH family
no_launch_above_info() {
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f for f in d["findings"] if f["severity"] not in ("INFO",) or f["id"].startswith("LAUNCH")]
assert not bad, bad
PY
}

start_doctor_sim "$EX/broken-launch-estate.yaml" --time-scale 600
export DROVER_HOME="$TRASH/home-launch"

if python3 -c 'import boto3' 2>/dev/null; then
    test_expect_success 'boto3: launch templates, offerings and interfaces parse strictly' '
        python3 "$DROVER_SRC/tests/integration/sim_launch.py" "$SIM_URL" &&
        curl -s -XPOST "$SIM_URL/_sim/reset" | grep -q "\"ok\":true"
    '
fi

test_expect_success 'without --plan, no launch configuration is read' '
    register &&
    "$DROVER" apply -f "$EX/launch-plan.yaml" >/dev/null &&
    "$DROVER" doctor -o json >noplan.json &&
    no_launch_above_info noplan.json &&
    test "$(calls GetLaunchConfiguration)" = 0
'

test_expect_success 'broken launch estate: exactly the 11 launch findings, exit 1' '
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --plan launch-dr -o json >broken.json &&
    python3 - broken.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((f["id"], f["account_id"], f["region"], f["resource"]) for f in d["findings"])
b = "s-0bad000000000b00"
want = sorted(("LAUNCH-00%d" % n, "222222222222", "us-west-2", b + s) for n, s in [
    (3, "9"), (4, "1"), (5, "2"), (5, "3"), (6, "4"), (7, "5"), (7, "a"),
    (8, "6"), (8, "7"), (9, "8"), (9, "c")])
assert got == want, "got %s" % got
assert d["summary"] == {"CRITICAL": 0, "ERROR": 11, "WARNING": 0, "INFO": 0}, d["summary"]
by = {f["resource"]: f for f in d["findings"]}
for sid, f in by.items():
    assert f["message"] and f["fix"] and sid in f["evidence"], f
    assert "lt-" + sid[2:] in f["evidence"], f  # the template
# what was found, in the evidence; the fix is a command
assert "subnet-0bbb2222222229999" in by[b + "1"]["evidence"], by[b + "1"]
assert "sg-0bbb2222222229999" in by[b + "2"]["evidence"], by[b + "2"]
assert "vpc-0bbb3333333333333" in by[b + "3"]["evidence"], by[b + "3"]
assert "p4d.24xlarge" in by[b + "4"]["evidence"] and "us-west-2" in by[b + "4"]["evidence"]
assert "10.9.0.10" in by[b + "5"]["evidence"] and "10.2.0.0/24" in by[b + "5"]["evidence"]
assert "copyPrivateIp" in by[b + "a"]["evidence"] and "10.1.0.77" in by[b + "a"]["evidence"]
assert "--no-copy-private-ip" in by[b + "a"]["fix"], by[b + "a"]
assert "10.2.0.3 " in by[b + "6"]["evidence"] and "router" not in by[b + "6"]["evidence"]
assert "future use" in by[b + "6"]["evidence"] and "broadcast" in by[b + "7"]["evidence"]
assert "eni-0bbb22222222222e1" in by[b + "8"]["evidence"], by[b + "8"]
assert b + "b" in by[b + "c"]["evidence"], by[b + "c"]
for s in "123": # a subnet/SG fix: a new template version naming existing resources
    fix = by[b + s]["fix"]
    assert fix.startswith("aws ec2 create-launch-template-version") and "modify-launch-template" in fix, fix
    assert "subnet-0bbb2222222222221" in fix and "9999" not in fix, fix
assert "sg-0bbb2222222222221" in by[b + "3"]["fix"], by[b + "3"]["fix"]
PY
'

test_expect_success 'every plan server and template was read once' '
    test "$(calls GetLaunchConfiguration)" = 15 &&
    test "$(calls DescribeLaunchTemplateVersions)" = 15 &&
    test "$(calls DescribeInstanceTypeOfferings)" = 1 &&
    test "$(calls DescribeNetworkInterfaces)" = 1
'

test_expect_success 'the html report names the launch findings' '
    EXPECT_RC=1 test_must_fail "$DROVER" doctor --plan launch-dr -o html >report.html &&
    for id in LAUNCH-003 LAUNCH-004 LAUNCH-005 LAUNCH-006 LAUNCH-007 LAUNCH-008 LAUNCH-009; do
        grep -q "$id" report.html || return 1
    done
'
kill $SIM_PID

start_doctor_sim "$EX/clean-estate.yaml"
export DROVER_HOME="$TRASH/home-clean"
test_expect_success 'clean estate: launch-ready, nothing above INFO' '
    register &&
    "$DROVER" apply -f "$EX/readiness-plan.yaml" >/dev/null &&
    "$DROVER" doctor --plan shop-dr -o json >clean.json &&
    no_launch_above_info clean.json &&
    test "$(calls GetLaunchConfiguration)" = 4 &&
    test "$(calls DescribeLaunchTemplateVersions)" = 4
'
kill $SIM_PID

start_doctor_sim "$EX/demo-estate.yaml"
export DROVER_HOME="$TRASH/home-demo"
curl -s "$SIM_URL/_sim/estate" >"$TRASH/estate.json"
AWS_ACCESS_KEY_ID=$(jpath "$TRASH/estate.json" 'd["hub"]["access_key_id"]')
AWS_SECRET_ACCESS_KEY=$(jpath "$TRASH/estate.json" 'd["hub"]["secret_access_key"]')
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
test_expect_success 'demo estate after discover: the shop plan is launch-ready' '
    sim_register &&
    "$DROVER" discover >/dev/null &&
    "$DROVER" apply -f "$EX/shop-plan.yaml" >/dev/null &&
    "$DROVER" doctor --plan shop -o json >demo.json &&
    no_launch_above_info demo.json &&
    test "$(calls GetLaunchConfiguration)" = 72 &&
    test "$(calls DescribeLaunchTemplateVersions)" = 72 &&
    test "$(calls DescribeNetworkInterfaces)" -ge 1
'
test_done
