#!/usr/bin/env bash
# t0220-call-retries: the standard retry mode against a scripted fault
# server: 429 ThrottlingException twice then 200 succeeds on attempt 3;
# Retry-After: 2 is honoured; a 400 ValidationException is not retried;
# AWS_MAX_ATTEMPTS caps the attempts.
. "$(dirname "$0")/lib.sh"

OK='{"status":200,"headers":{"Content-Type":"application/x-amz-json-1.1"},"body":"{\"Aliases\":[]}"}'
# start_faults SCRIPT: the shared fault server; the script's last entry repeats.
# Each test runs in a subshell, so it stops its own server by PID.
start_faults() {
    start_faultserver "$1" || return 1
    FAULT_PID=$!
    export AWS_ENDPOINT_URL="$FAULT_URL"
}
stop_faults() { kill "$FAULT_PID" 2>/dev/null; wait "$FAULT_PID" 2>/dev/null; return 0; }
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE0220 AWS_SECRET_ACCESS_KEY=secret0220 AWS_REGION=us-east-1
THROTTLE='{"status":429,"headers":{"Content-Type":"application/x-amz-json-1.1"},"body":"{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"}'

test_expect_success '429 twice then 200: succeeds on the third attempt' '
    start_faults "[$THROTTLE,$THROTTLE,$OK]" &&
    "$DROVER" call kms ListAliases >out &&
    test "$(wc -l <"$FAULT_LOG")" -eq 3 &&
    stop_faults
'
test_expect_success 'Retry-After: 2 is honoured' '
    start_faults "[{\"status\":503,\"headers\":{\"Retry-After\":\"2\",\"Content-Type\":\"application/x-amz-json-1.1\"},\"body\":\"{\\\"__type\\\":\\\"ServiceUnavailableException\\\",\\\"message\\\":\\\"busy\\\"}\"},$OK]" &&
    "$DROVER" call kms ListAliases >out &&
    test "$(wc -l <"$FAULT_LOG")" -eq 2 &&
    python3 -c "
import json,sys
t=[json.loads(l)[\"time\"] for l in open(sys.argv[1])]
gap=t[1]-t[0]
print(\"gap\", gap)
sys.exit(0 if gap >= 1.9 else 1)" "$FAULT_LOG" &&
    stop_faults
'
test_expect_success '400 ValidationException is not retried' '
    start_faults "[{\"status\":400,\"headers\":{\"Content-Type\":\"application/x-amz-json-1.1\"},\"body\":\"{\\\"__type\\\":\\\"ValidationException\\\",\\\"message\\\":\\\"bad input\\\"}\"}]" &&
    EXPECT_RC=1 test_must_fail "$DROVER" call kms ListAliases 2>err &&
    grep -q ValidationException err && grep -q "bad input" err &&
    test "$(wc -l <"$FAULT_LOG")" -eq 1 &&
    stop_faults
'
test_expect_success 'AWS_MAX_ATTEMPTS=2 stops after two throttled attempts' '
    start_faults "[$THROTTLE,$THROTTLE,$THROTTLE]" &&
    AWS_MAX_ATTEMPTS=2 test_must_fail "$DROVER" call kms ListAliases 2>err &&
    grep -q ThrottlingException err &&
    test "$(wc -l <"$FAULT_LOG")" -eq 2 &&
    stop_faults
'
test_done
