#!/usr/bin/env bash
# t0210-call-botocore-signature: captures the raw requests drover sends for
# a DRS (rest-json), STS (query), KMS (json) and EC2 (ec2) call and checks
# with botocore's own SigV4Auth that the signatures are what botocore
# computes over the same request and time.
. "$(dirname "$0")/lib.sh"
python3 -c 'import botocore' 2>/dev/null || skip_all "botocore is not installed"

python3 "$DROVER_SRC/tests/tools/capture_server.py" "$TRASH/req.log" "$TRASH/port" &
track_pid $!
for i in $(seq 50); do [ -s "$TRASH/port" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$TRASH/port")"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE0210
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+token/with=chars
export AWS_REGION=us-west-2

test_expect_success 'drover sends the four calls' '
    "$DROVER" call drs DescribeSourceServers "{\"filters\":{\"sourceServerIDs\":[\"s-1234567890abcdef0\"]},\"maxResults\":5}" >/dev/null &&
    "$DROVER" call drs ListTagsForResource "{\"resourceArn\":\"arn:aws:drs:us-west-2:111111111111:source-server/s-1234567890abcdef0\"}" >/dev/null;
    "$DROVER" call sts GetCallerIdentity >/dev/null;
    "$DROVER" call kms DescribeKey "{\"KeyId\":\"alias/drs key\"}" >/dev/null;
    "$DROVER" call ec2 DescribeVpcs "{\"Filters\":[{\"Name\":\"tag:App\",\"Values\":[\"shop web\",\"a+b\"]}]}" >/dev/null;
    test "$(wc -l <"$TRASH/req.log")" -ge 5
'
test_expect_success 'botocore computes the same signatures' '
    python3 "$DROVER_SRC/tests/tools/botocore_verify.py" "$TRASH/req.log" \
        "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" >out &&
    cat out && grep -c matches out | grep -qx 5 &&
    grep -q "^drs GET /tags/arn%3Aaws%3Adrs" out &&
    grep -q "^kms POST / TrentService.DescribeKey" out &&
    grep -q "^ec2 " out && grep -q "^sts " out
'
test_expect_success 'the log never shows the secret or the token' '
    "$DROVER" --debug call sts GetCallerIdentity >/dev/null 2>log;
    ! grep -q "wJalrXUtnFEMI" log && ! grep -q "IQoJb3JpZ2lu" log
'
test_done
