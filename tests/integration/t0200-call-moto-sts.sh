#!/usr/bin/env bash
# t0200-call-moto-sts: drover call against moto (a third-party AWS
# implementation): STS GetCallerIdentity, AssumeRole, and a role chain
# across two accounts, both from shared-config profiles and --role-arn.
. "$(dirname "$0")/lib.sh"
start_moto
moto_env

test_expect_success 'GetCallerIdentity returns the moto account' '
    "$DROVER" call sts GetCallerIdentity >out &&
    test "$(jpath out "d[\"Account\"]")" = 123456789012
'
test_expect_success 'AssumeRole returns credentials for the role account' '
    "$DROVER" call sts AssumeRole "{\"RoleArn\":\"arn:aws:iam::111111111111:role/spoke\",\"RoleSessionName\":\"t0200\",\"ExternalId\":\"ext-0200\"}" >out &&
    test "$(jpath out "d[\"AssumedRoleUser\"][\"Arn\"]")" = arn:aws:sts::111111111111:assumed-role/spoke/t0200 &&
    jpath out "d[\"Credentials\"][\"AccessKeyId\"]" | grep -q . &&
    jpath out "d[\"Credentials\"][\"Expiration\"]" | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
'
test_expect_success 'kebab-case operation names work' '
    "$DROVER" call sts get-caller-identity >out &&
    test "$(jpath out "d[\"Account\"]")" = 123456789012
'
test_expect_success '--role-arn assumes the role first' '
    "$DROVER" call sts GetCallerIdentity --role-arn arn:aws:iam::111111111111:role/spoke \
        --external-id ext-0200 --session-name s-one >out &&
    test "$(jpath out "d[\"Account\"]")" = 111111111111 &&
    test "$(jpath out "d[\"Arn\"]")" = arn:aws:sts::111111111111:assumed-role/spoke/s-one
'
test_expect_success 'profile role chain across two accounts' '
    mkdir -p "$HOME/.aws" &&
    cat >"$HOME/.aws/config" <<CFG &&
[profile base]
region = us-east-1
[profile hop1]
role_arn = arn:aws:iam::111111111111:role/hop1
source_profile = base
external_id = ext-hop1
role_session_name = first-hop
[profile hop2]
role_arn = arn:aws:iam::222222222222:role/hop2
source_profile = hop1
role_session_name = second-hop
CFG
    cat >"$HOME/.aws/credentials" <<CRED &&
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
CRED
    (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION &&
     "$DROVER" --profile hop2 call sts GetCallerIdentity >out) &&
    test "$(jpath out "d[\"Account\"]")" = 222222222222 &&
    test "$(jpath out "d[\"Arn\"]")" = arn:aws:sts::222222222222:assumed-role/hop2/second-hop
'
test_expect_success 'a missing profile is a clear error' '
    (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY &&
     test_must_fail "$DROVER" --profile nosuch call sts GetCallerIdentity 2>err) &&
    grep -q nosuch err
'
test_expect_success 'an unknown operation exits 2 and names it' '
    EXPECT_RC=2 test_must_fail "$DROVER" call sts NoSuchThing 2>err && grep -q NoSuchThing err
'
test_expect_success 'bad input JSON exits 2' '
    EXPECT_RC=2 test_must_fail "$DROVER" call sts GetCallerIdentity "{nope" 2>err &&
    grep -qi json err
'
test_done
