#!/usr/bin/env bash
# t0230-call-account-sim: `drover call --account` assumes the registered
# spoke role (with its external ID) against `drover sim`; an unregistered
# account is a usage error, and a wrong external ID is AccessDenied.
. "$(dirname "$0")/lib.sh"

sim_spawn "$TRASH/sim.log" --generate accounts=2,regions=2,servers=7 --seed 11 \
    || exit 1
PORT=$SIM_PORT
URL="http://127.0.0.1:$PORT"
curl -s "$URL/_sim/estate" >"$TRASH/estate.json"
export AWS_ENDPOINT_URL="$URL" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$(jpath "$TRASH/estate.json" 'd["hub"]["access_key_id"]')
export AWS_SECRET_ACCESS_KEY=$(jpath "$TRASH/estate.json" 'd["hub"]["secret_access_key"]')
ACCT=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["account_id"]')
ROLE=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["role_arn"]')
XID=$(jpath "$TRASH/estate.json" 'd["accounts"][0]["external_id"]')

test_expect_success '--account uses the registered role and external ID' '
    "$DROVER" accounts add "$ACCT" --role-arn "$ROLE" --external-id "$XID" --regions us-east-1,us-west-2 >/dev/null &&
    "$DROVER" call sts GetCallerIdentity --account "$ACCT" >out &&
    test "$(jpath out "d[\"Account\"]")" = "$ACCT" &&
    "$DROVER" call drs DescribeSourceServers "{\"maxResults\":3}" --account "$ACCT" --paginate >out &&
    test "$(jpath out "len(d[\"items\"])")" = 7 &&
    test "$(jpath out "len(set(s[\"sourceServerID\"] for s in d[\"items\"]))")" = 7
'
test_expect_success 'an unregistered account exits 2 and says so' '
    EXPECT_RC=2 test_must_fail "$DROVER" call sts GetCallerIdentity --account 999999999999 2>err &&
    grep -q "not registered" err
'
test_expect_success 'a wrong external ID is AccessDenied, exit 1' '
    "$DROVER" accounts remove "$ACCT" >/dev/null &&
    "$DROVER" accounts add "$ACCT" --role-arn "$ROLE" --external-id 0123456789abcdef0123456789abcdef --regions us-east-1 >/dev/null &&
    EXPECT_RC=1 test_must_fail "$DROVER" call sts GetCallerIdentity --account "$ACCT" 2>err &&
    grep -q AccessDenied err
'
test_done
