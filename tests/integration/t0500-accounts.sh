#!/usr/bin/env bash
# t0500-accounts: drover accounts add|list|remove against a fresh home:
# generated external IDs, masking, --show-secrets, --update, validation
# errors exit 2 naming the field, remove, and the store's file modes.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1 # scratch files stay in the test's own directory

ROLE1=arn:aws:iam::111111111111:role/drover-spoke
ROLE2=arn:aws:iam::222222222222:role/drover-spoke

test_expect_success 'add without --external-id generates a 32-hex ID once' '
    "$DROVER" accounts add 111111111111 --role-arn $ROLE1 --regions us-east-1,us-west-2 \
        --name prod >out 2>err &&
    sed -n "s/^external ID: //p" out >id1 && grep -Eq "^[0-9a-f]{32}$" id1 &&
    grep -q "trust policy" err
'
test_expect_success 'a second generated ID differs from the first' '
    "$DROVER" accounts add 333333333333 --role-arn arn:aws:iam::333333333333:role/r \
        --regions eu-west-1 >out &&
    sed -n "s/^external ID: //p" out >id3 && grep -Eq "^[0-9a-f]{32}$" id3 &&
    "$DROVER" accounts list -o json --show-secrets >list.json &&
    python3 -c "
import json,sys
a={x[\"account_id\"]:x for x in json.load(open(\"list.json\"))[\"accounts\"]}
i1=a[\"111111111111\"][\"external_id\"]; i3=a[\"333333333333\"][\"external_id\"]
assert len(i1)==32 and len(i3)==32 and i1!=i3, (i1,i3)
"
'
test_expect_success 'add with --external-id stores it and prints no ID' '
    "$DROVER" accounts add 222222222222 --role-arn $ROLE2 --external-id ext-given-0042 \
        --regions eu-central-1 >out &&
    ! grep -q "external ID" out
'
test_expect_success 'add -o json prints a generated ID in JSON' '
    "$DROVER" accounts add 555555555555 --role-arn arn:aws:iam::555555555555:role/r \
        --regions us-east-1 -o json >add.json &&
    python3 -c "
import json,re
v=json.load(open(\"add.json\"))
assert v[\"account_id\"]==\"555555555555\" and re.fullmatch(\"[0-9a-f]{32}\", v[\"external_id\"]), v
" &&
    "$DROVER" accounts remove 555555555555 >/dev/null
'
test_expect_success 'list masks external IDs' '
    "$DROVER" accounts list >table &&
    grep -q "^ACCOUNT" table && grep -q "111111111111  prod" table &&
    ! grep -q "ext-given-0042" table && ! grep -qf id1 table && grep -q "(masked)" table &&
    "$DROVER" accounts list -o json >list.json &&
    ! grep -q "ext-given-0042" list.json && ! grep -qf id1 list.json &&
    "$DROVER" accounts list -o yaml >list.yaml &&
    grep -q "account_id: \"111111111111\"" list.yaml && ! grep -qf id1 list.yaml
'
test_expect_success 'list --show-secrets shows them, with the documented fields' '
    "$DROVER" accounts list -o json --show-secrets >list.json &&
    python3 -c "
import json
a={x[\"account_id\"]:x for x in json.load(open(\"list.json\"))[\"accounts\"]}
x=a[\"222222222222\"]
assert x[\"external_id\"]==\"ext-given-0042\", x
assert x[\"role_arn\"]==\"$ROLE2\" and x[\"regions\"]==[\"eu-central-1\"] and x[\"name\"] is None
assert a[\"111111111111\"][\"name\"]==\"prod\" and a[\"111111111111\"][\"regions\"]==[\"us-east-1\",\"us-west-2\"]
assert sorted(x.keys())==sorted([\"account_id\",\"name\",\"role_arn\",\"external_id\",\"regions\",\"created_at\"])
"
'
test_expect_success 're-adding an account fails unless --update, which keeps the ID' '
    EXPECT_RC=1 test_must_fail "$DROVER" accounts add 111111111111 --role-arn $ROLE1 \
        --regions us-east-1 2>err && grep -q "already registered" err &&
    "$DROVER" accounts add 111111111111 --role-arn $ROLE1 --regions ap-south-1 --update >out &&
    ! grep -q "external ID" out &&
    "$DROVER" accounts list -o json --show-secrets >list.json &&
    python3 -c "
import json
a={x[\"account_id\"]:x for x in json.load(open(\"list.json\"))[\"accounts\"]}
assert a[\"111111111111\"][\"external_id\"]==open(\"id1\").read().strip()
assert a[\"111111111111\"][\"regions\"]==[\"ap-south-1\"]
"
'
test_expect_success 'a bad account ID exits 2 naming the field' '
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 12345 --role-arn $ROLE1 \
        --regions us-east-1 2>err && grep -q "account_id" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts remove abc 2>err && grep -q "account_id" err
'
test_expect_success 'a bad role ARN exits 2 naming the field' '
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 444444444444 \
        --role-arn arn:aws:iam::111111111111:role/x --regions us-east-1 2>err &&
    grep -q "role_arn" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 444444444444 \
        --role-arn arn:aws:s3:::bucket --regions us-east-1 2>err && grep -q "role_arn" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 444444444444 --regions us-east-1 2>err &&
    grep -q "role" err
'
test_expect_success 'a bad region exits 2 naming the field' '
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 444444444444 \
        --role-arn arn:aws:iam::444444444444:role/x --regions us-east-1,moon-1 2>err &&
    grep -q "regions" err && grep -q "moon-1" err &&
    EXPECT_RC=2 test_must_fail "$DROVER" accounts add 444444444444 \
        --role-arn arn:aws:iam::444444444444:role/x --external-id "a b" \
        --regions us-east-1 2>err && grep -q "external_id" err &&
    "$DROVER" accounts list -o json >list.json && ! grep -q 444444444444 list.json
'
test_expect_success 'remove deletes the account; removing again fails' '
    "$DROVER" accounts remove 333333333333 &&
    "$DROVER" accounts list -o json >list.json && ! grep -q 333333333333 list.json &&
    grep -q 111111111111 list.json &&
    EXPECT_RC=1 test_must_fail "$DROVER" accounts remove 333333333333 2>err &&
    grep -q "not registered" err
'
test_expect_success 'the store is drover.db with mode 0600 in a 0700 home' '
    test "$(stat -c %a "$DROVER_HOME/drover.db")" = 600 &&
    test "$(stat -c %a "$DROVER_HOME")" = 700
'
test_expect_success '--home overrides DROVER_HOME' '
    "$DROVER" --home "$TRASH/other" accounts list -o json >o.json &&
    grep -q "\"accounts\": \[\]" o.json && test -f "$TRASH/other/drover.db"
'
test_expect_success 'accounts without a subcommand exits 2 and lists them' '
    EXPECT_RC=2 test_must_fail "$DROVER" accounts >out 2>&1 && grep -q "remove" out
'
test_done
