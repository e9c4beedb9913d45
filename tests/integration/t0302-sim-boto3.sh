#!/usr/bin/env bash
# t0302-sim-boto3.sh - the issue #3 acceptance scenario in boto3 against
# `drover sim`, with every response checked against its botocore output
# shape (sim_scenario.py), plus control API and robustness checks: huge,
# malformed and wrongly typed bodies get protocol errors, and the
# simulator is still serving afterwards.
. "$(dirname "$0")/lib.sh"

python3 -c 'import boto3' 2>/dev/null || skip_all "boto3 is not installed"
sim_spawn "$TRASH/sim.log" --generate accounts=2,regions=1,servers=110 \
    --time-scale 300 --seed 5 || exit 1
PORT=$SIM_PORT
URL="http://127.0.0.1:$PORT"

test_expect_success 'boto3 scenario: every response parses and matches its shape' '
    python3 "$DROVER_SRC/tests/integration/sim_scenario.py" "$URL"
'
test_expect_success 'the control API refuses unknown faults and bad values' '
    test "$(curl -s -o /dev/null -w "%{http_code}" -XPOST -d "{\"volcano\":1}" "$URL/_sim/faults")" = 400 &&
    test "$(curl -s -o /dev/null -w "%{http_code}" -XPOST -d "{\"error_rate\":7}" "$URL/_sim/faults")" = 400 &&
    curl -s -XPOST -d "{\"latency_ms\":0,\"launch_failure_rate\":0.5}" "$URL/_sim/faults" | grep -q "\"ok\":true"
'
test_expect_success 'a body over 10 MB is refused with 413' '
    head -c 11000000 /dev/zero | tr "\0" a >"$TRASH/big" &&
    code=$(curl -s -o "$TRASH/big.out" -w "%{http_code}" -XPOST --data-binary @"$TRASH/big" \
        -H "Content-Type: application/json" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/drs/aws4_request, SignedHeaders=host, Signature=00" \
        "$URL/DescribeSourceServers") &&
    test "$code" = 413
'
test_expect_success 'unsigned and wrongly signed requests get protocol errors' '
    curl -s -XPOST -H "Content-Type: application/json" -d "{" "$URL/DescribeSourceServers" -D "$TRASH/h" -o "$TRASH/b" &&
    grep -qi "^x-amzn-ErrorType: MissingAuthenticationToken" "$TRASH/h" &&
    curl -s -XPOST -H "Content-Type: application/x-www-form-urlencoded" -d "Action=GetCallerIdentity" "$URL/" -o "$TRASH/b2" &&
    grep -q "<ErrorResponse" "$TRASH/b2"
'
test_expect_success 'the simulator is still serving' '
    kill -0 $SIM_PID && curl -s "$URL/_sim/health" | grep -q "\"ok\":true"
'
test_expect_success 'reset restores the estate' '
    curl -s -XPOST "$URL/_sim/reset" | grep -q "\"ok\":true" &&
    curl -s "$URL/_sim/state" | grep -q "\"launches\":\[\]"
'
test_done
