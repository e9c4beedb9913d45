#!/usr/bin/env bash
# t0702-blueprint-cfnlint: `drover blueprint` for 3 spokes, a source account
# and 2 regions writes the hub, spoke, target, source and StackSet templates
# in YAML and JSON that all pass cfn-lint; external IDs are 128-bit, in
# external-ids.json (0600) only, never on stdout/stderr or in a template,
# and kept on a second run; bad options exit 2 naming the option.
. "$(dirname "$0")/lib.sh"
command -v cfn-lint >/dev/null || skip_all "cfn-lint is not installed"

BP="$DROVER blueprint --hub 999999999999 --spokes 222222222221,222222222222,222222222223 \
    --regions us-east-1,us-west-2 --source-accounts 111111111111"

test_expect_success 'YAML templates for every account role, all pass cfn-lint' '
    $BP --out bp >out 2>err &&
    test "$(ls bp/*.yaml | wc -l)" = 14 &&
    for f in hub-999999999999 spoke-111111111111 spoke-222222222221 spoke-stackset \
             target-222222222223-us-east-1 target-222222222223-us-west-2 \
             source-111111111111-us-east-1 source-111111111111-us-west-2; do
        test -f bp/$f.yaml || { echo "missing $f"; return 1; }
    done &&
    cfn-lint bp/*.yaml
'
test_expect_success 'JSON templates pass cfn-lint and carry the wildcard notes in Metadata' '
    $BP --staging-account 333333333333 --source-cidrs 10.10.0.0/16,10.11.0.0/16 -o json \
        --out bpj >/dev/null &&
    test "$(ls bpj/hub-*.json bpj/spoke-*.json bpj/target-*.json bpj/source-*.json | wc -l)" = 17 &&
    cfn-lint bpj/hub-*.json bpj/spoke-*.json bpj/target-*.json bpj/source-*.json &&
    jpath bpj/spoke-222222222221.json "d[\"Metadata\"][\"DroverNotes\"]" | grep -q "EC2Read: EC2 List/Describe" &&
    ! grep -q "\"#\"" bpj/*.json bpj/policies/*/*.json &&
    grep -q "^ *- # EC2 List/Describe actions do not support resource-level" bp/spoke-222222222221.yaml
'
test_expect_success 'external IDs: 128-bit hex, 0600, only in external-ids.json and the spoke trust files' '
    test "$(stat -c %a bp/external-ids.json)" = 600 &&
    python3 - bp <<PY
import json, os, re, sys, glob
d = sys.argv[1]
ids = json.load(open(d + "/external-ids.json"))["external_ids"]
assert sorted(ids) == ["111111111111", "222222222221", "222222222222", "222222222223"], ids
assert all(re.fullmatch("[0-9a-f]{32}", v) for v in ids.values()), ids
assert len(set(ids.values())) == 4
holders = set()
for f in glob.glob(d + "/**/*", recursive=True):
    if os.path.isfile(f) and any(v in open(f).read() for v in ids.values()):
        holders.add(os.path.relpath(f, d))
want = {"external-ids.json"} | {"policies/%s/DroverSpokeRole.trust.json" % a for a in ids}
assert holders == want, holders
for f in want:
    assert oct(os.stat(os.path.join(d, f)).st_mode & 0o777) == "0o600", f
PY
    ! grep -qf <(jpath bp/external-ids.json "\"\\n\".join(d[\"external_ids\"].values())") out err
'
test_expect_success 'a second run keeps the external IDs' '
    cp bp/external-ids.json ids.before &&
    $BP --out bp >/dev/null && test_cmp ids.before bp/external-ids.json
'
test_expect_success 'the trust and key policies are what the seeds ask for, narrowed' '
    python3 - bp <<PY
import json, sys
d = sys.argv[1] + "/policies/"
ld = lambda f: json.load(open(d + f))
st = ld("222222222222/DRSStagingAccountRole.trust.json")["Statement"][0]
assert st["Principal"] == {"Service": "drs.amazonaws.com"}, st
assert st["Condition"]["StringEquals"]["aws:SourceAccount"] == ["222222222222"], st
assert all(":222222222222:source-server/" in a for a in st["Condition"]["ArnLike"]["aws:SourceArn"])
k = ld("222222222222/kms-us-west-2-target.json")["Statement"]
for s in k[1:]:
    assert s["Principal"]["AWS"] == ["arn:aws:iam::222222222222:role/service-role/DRSStagingAccountRole"], s
    assert s["Condition"]["StringEquals"]["kms:ViaService"] == ["ec2.us-west-2.amazonaws.com", "drs.us-west-2.amazonaws.com"], s
assert "kms:CreateGrant" in k[2]["Action"] and k[2]["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": True}
src = ld("111111111111/kms-us-east-1-source.json")["Statement"][1]
assert src["Principal"]["AWS"] == ["arn:aws:iam::22222222222%d:role/service-role/DRSStagingAccountRole" % i for i in (1, 2, 3)], src
assert src["Condition"]["StringEquals"]["kms:ViaService"][0] == "ec2.us-east-1.amazonaws.com"
sp = ld("222222222222/DroverSpokeRole.trust.json")["Statement"][0]
assert sp["Principal"] == {"AWS": "arn:aws:iam::999999999999:role/DroverExecutionRole"}, sp
assert list(sp["Condition"]["StringEquals"]) == ["sts:ExternalId"], sp
ag = ld("222222222222/DRSCrossAccountAgentRole_111111111111.trust.json")["Statement"][0]
assert ag["Condition"]["ArnEquals"]["aws:PrincipalArn"].endswith("DRSCrossAccountAgentAuthorizedRole_222222222222")
hub = ld("999999999999/DroverExecutionRole.drover-assume-spokes.json")["Statement"][0]
assert hub["Action"] == "sts:AssumeRole" and len(hub["Resource"]) == 4, hub
PY
'
test_expect_success 'bad options exit 2 and name the option' '
    EXPECT_RC=2 test_must_fail $DROVER blueprint --hub 99 --spokes 222222222221 --regions us-east-1 --out x 2>e1 &&
    grep -q -- "--hub" e1 &&
    EXPECT_RC=2 test_must_fail $DROVER blueprint --hub 999999999999 --spokes 222222222221,abc --regions us-east-1 --out x 2>e2 &&
    grep -q -- "--spokes: .abc. is not a 12-digit account ID" e2 &&
    EXPECT_RC=2 test_must_fail $DROVER blueprint --hub 999999999999 --spokes 222222222221 --regions us-east-1 --source-cidrs 10.0.0.0/33 --out x 2>e3 &&
    grep -q -- "--source-cidrs" e3 &&
    EXPECT_RC=2 test_must_fail $DROVER blueprint --hub 999999999999 --spokes 999999999999 --regions us-east-1 --out x 2>e4 &&
    grep -q -- "--hub: 999999999999 is also a spoke" e4 &&
    EXPECT_RC=2 test_must_fail $DROVER blueprint --hub 999999999999 --spokes 222222222221 --regions us-east-1 2>e5 &&
    grep -q -- "--out" e5
'
test_done
