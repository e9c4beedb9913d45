#!/usr/bin/env bash
# t0400-policy-conformance: runs `drover policy eval --cases` on every case
# file of the iam-policy-cases conformance set (Strict mode; scanned, not
# listed) and on drover's own DR cases in tests/data/policy-dr, prints the
# totals, and checks exit codes and error paths for bad input.
. "$(dirname "$0")/lib.sh"

CASES="$DROVER_SHARED/testdata/iam-policy-cases"
DR="$DROVER_SRC/tests/data/policy-dr"
cd "$TRASH" || exit 1

# Exclusions: none. A case proven wrong about AWS would be listed here by
# file name and case name, with the AWS documentation that contradicts it.
EXCLUDED=""

run_set() { # DIR LABEL
    local dir=$1 label=$2 f out pass=0 fail=0 files=0 p m
    while IFS= read -r f; do
        files=$((files + 1))
        out=$("$DROVER" policy eval --cases "$f" 2>&1)
        rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
            echo "$f: exit $rc: $out"
            return 1
        fi
        [ $rc -ne 0 ] && echo "$out" | grep -E '^(FAIL|\[)'
        read -r p _ m _ <<<"$(echo "$out" | tail -1)"
        pass=$((pass + p))
        fail=$((fail + m))
    done < <(find "$dir" -name '*.json' | sort)
    say "$label: $files files, $pass passed, $fail failed"
    [ "$files" -gt 0 ] && [ "$fail" -eq 0 ]
}

if [ -d "$CASES" ]; then
    test_expect_success 'all Strict-mode conformance cases pass' '
        run_set "$CASES" "iam-policy-cases (Strict)" >conf.out; rc=$?; cat conf.out
        grep -q "359 passed, 0 failed" conf.out && [ $rc -eq 0 ]
    '
    say "$(tail -1 conf.out | sed "s/^$TEST_NAME: //")"
else
    say "skipped conformance cases: $CASES is absent"
fi

test_expect_success 'DR policy cases pass' '
    run_set "$DR" "DR cases" >dr.out; rc=$?; cat dr.out
    [ $rc -eq 0 ] && grep -Eq "[1-9][0-9]* passed, 0 failed" dr.out
'
say "$(tail -1 dr.out | sed "s/^$TEST_NAME: //")"

test_expect_success 'a failing case exits 1 and says which' '
    sed "s/\"response\": \"Allowed\"/\"response\": \"ExplicitlyDenied\"/" \
        "$DR/spoke-trust-external-id.json" >flipped.json &&
    EXPECT_RC=1 test_must_fail "$DROVER" policy eval --cases flipped.json >out &&
    grep -q "^FAIL flipped.json\[0\]" out && tail -1 out | grep -q "passed, 1 failed"
'

test_expect_success 'one case prints the decision and the failing condition' '
    python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))[1], open(\"one.json\",\"w\"))" \
        "$DR/spoke-trust-external-id.json" &&
    "$DROVER" policy eval one.json >out && head -1 out | grep -qx ImplicitlyDenied &&
    grep -q "Condition StringEquals sts:ExternalId: expected .uniq…., request had .wrong." out &&
    "$DROVER" -o json policy eval - <one.json >j.json &&
    python3 -c "import json; d=json.load(open(\"j.json\")); assert d[\"response\"]==\"ImplicitlyDenied\"; assert any(\"sts:ExternalId\" in e.get(\"detail\",\"\") for e in d[\"explain\"])"
'

test_expect_success 'bad input exits 2 naming the path' '
    cat >bad.json <<JSON
[{"name":"x","request":{"action":"s3:GetObject","resource":{"resource":"*","accountId":"1"},"principal":"arn:aws:iam::1:user/u"},
  "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
   {"Effect":"Allow","Action":"*","Resource":"*"},
   {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":"oops"}}]}],
  "expected":{"response":"Allowed"}}]
JSON
    EXPECT_RC=2 test_must_fail "$DROVER" policy eval --cases bad.json 2>err &&
    grep -q "Statement\[2\].Condition.StringLike" err && grep -q "bad.json\[0\]" err
'

test_expect_success 'an oversized policy is rejected cleanly' '
    python3 -c "
import json
big={\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/%06d\" % i} for i in range(5000)]}
json.dump({\"name\":\"big\",\"request\":{\"action\":\"s3:GetObject\",\"resource\":{\"resource\":\"*\",\"accountId\":\"1\"},\"principal\":\"arn:aws:iam::1:user/u\"},\"identityPolicies\":[big]}, open(\"big.json\",\"w\"))" &&
    EXPECT_RC=2 test_must_fail "$DROVER" policy eval big.json 2>err && grep -q "byte limit" err
'
test_done
