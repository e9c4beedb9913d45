#!/usr/bin/env bash
# t0201-call-moto-iam-kms: IAM create/get of a role with a trust policy
# (decoded as the aws CLI shows it), KMS create/describe/get-key-policy.
. "$(dirname "$0")/lib.sh"
start_moto
moto_env

TRUST='{"Version":"2012-10-17","Statement":[{"Sid":"HubTrust","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-0201"}}}]}'

test_expect_success 'CreateRole then GetRole returns the trust policy' '
    python3 -c "import json,sys; print(json.dumps({\"RoleName\":\"drover-spoke\",\"AssumeRolePolicyDocument\":sys.argv[1],\"Description\":\"t0201 role\"}))" "$TRUST" >in.json &&
    "$DROVER" call iam CreateRole file://in.json >created &&
    test "$(jpath created "d[\"Role\"][\"RoleName\"]")" = drover-spoke &&
    "$DROVER" call iam GetRole "{\"RoleName\":\"drover-spoke\"}" >out &&
    test "$(jpath out "d[\"Role\"][\"Arn\"]")" = arn:aws:iam::123456789012:role/drover-spoke &&
    test "$(jpath out "d[\"Role\"][\"AssumeRolePolicyDocument\"][\"Statement\"][0][\"Sid\"]")" = HubTrust &&
    test "$(jpath out "d[\"Role\"][\"AssumeRolePolicyDocument\"][\"Statement\"][0][\"Condition\"][\"StringEquals\"][\"sts:ExternalId\"]")" = x-0201 &&
    jpath out "d[\"Role\"][\"CreateDate\"]" | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
'
test_expect_success 'ListRoles finds it' '
    "$DROVER" call iam ListRoles --paginate >out &&
    jpath out "[r[\"RoleName\"] for r in d[\"Roles\"]]" | grep -q drover-spoke
'
test_expect_success 'GetRole of a missing role is NoSuchEntity, exit 1' '
    EXPECT_RC=1 test_must_fail "$DROVER" call iam GetRole "{\"RoleName\":\"nope-0201\"}" 2>err &&
    grep -q NoSuchEntity err
'
test_expect_success 'KMS CreateKey, DescribeKey, GetKeyPolicy' '
    POLICY="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"t0201Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}" &&
    python3 -c "import json,sys; print(json.dumps({\"Description\":\"t0201 key\",\"Policy\":sys.argv[1]}))" "$POLICY" >k.json &&
    "$DROVER" call kms CreateKey file://k.json >key &&
    KID=$(jpath key "d[\"KeyMetadata\"][\"KeyId\"]") &&
    "$DROVER" call kms DescribeKey "{\"KeyId\":\"$KID\"}" >desc &&
    test "$(jpath desc "d[\"KeyMetadata\"][\"Description\"]")" = "t0201 key" &&
    test "$(jpath desc "d[\"KeyMetadata\"][\"KeyState\"]")" = Enabled &&
    test "$(jpath desc "d[\"KeyMetadata\"][\"Enabled\"]")" = True &&
    "$DROVER" call kms GetKeyPolicy "{\"KeyId\":\"$KID\",\"PolicyName\":\"default\"}" >pol &&
    jpath pol "d[\"Policy\"]" | grep -q t0201Root
'
test_done
