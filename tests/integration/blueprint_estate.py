#!/usr/bin/env python3
# blueprint_estate.py - builds a `drover sim` estate from a `drover blueprint`
# output directory, for the blueprint round trip (t0703): every role of
# manifest.json with its generated trust and inline policies, every KMS key
# with its generated key policy and alias, the replication security group
# rules of the JSON templates, plus the infrastructure a blueprint does not
# create (VPCs, subnets, peerings and routes, DRS replication templates and
# one replicating server per recovery account-region).
#
# usage: blueprint_estate.py BP_YAML_DIR BP_JSON_DIR OUT.json [EDIT]
# EDIT (optional) breaks one generated condition on purpose:
#   source-account:ACCT  aws:SourceAccount of ACCT's DRSStagingAccountRole
#   external-id:ACCT     sts:ExternalId of ACCT's DroverSpokeRole
#   via-service:ACCT     kms:ViaService of ACCT's us-west-2 target key (-> us-east-1)
import json
import os
import sys

bp, bpj, out = sys.argv[1], sys.argv[2], sys.argv[3]
edit = sys.argv[4] if len(sys.argv) > 4 else ""
man = json.load(open(os.path.join(bp, "manifest.json")))
ext = json.load(open(os.path.join(bp, man["external_ids"])))["external_ids"]
regions = man["regions"]


def load(rel):
    return json.load(open(os.path.join(bp, rel)))


def roles_of(acct):
    roles = []
    for r in acct["roles"]:
        role = {"name": r["name"], "path": r["path"], "trust_policy": load(r["trust"])}
        if r.get("policies"):
            role["policies"] = {k: load(v) for k, v in r["policies"].items()}
        if r.get("managed_policy_arns"):
            role["managed_policy_arns"] = r["managed_policy_arns"]
        roles.append(role)
    return roles


def sg_rules(acct, region):
    t = json.load(open(os.path.join(bpj, "target-%s-%s.json" % (acct, region))))
    p = t["Resources"]["ReplicationSecurityGroup"]["Properties"]
    conv = lambda r: {"protocol": r["IpProtocol"], "from_port": r["FromPort"],
                      "to_port": r["ToPort"], "cidr": r["CidrIp"]}
    return [conv(r) for r in p["SecurityGroupIngress"]], [conv(r) for r in p["SecurityGroupEgress"]]


def hexid(prefix, n, width=17):
    return "%s%0*x" % (prefix, width, n)


by_kind = {k: [a for a in man["accounts"] if k in a["kinds"]] for k in ("source", "target", "hub")}
source_vpc = {}  # (acct, region) -> (vpc id, cidr)
for si, a in enumerate(by_kind["source"]):
    for ri, r in enumerate(regions):
        source_vpc[(a["account_id"], r)] = (hexid("vpc-", 0x100 + si * 16 + ri),
                                            "10.%d.0.0/16" % (10 + si * 4 + ri))

estate = {"hub": None, "accounts": []}
seq = 0
for a in man["accounts"]:
    acct = a["account_id"]
    if "hub" in a["kinds"]:
        estate["hub"] = {"account_id": acct, "roles": roles_of(a),
                         "user": {"name": "drover", "access_key_id": "AKIASIMHUB000000BLUE",
                                  "secret_access_key": "blueprintsecret0000000000000000000000000"}}
        continue
    e = {"account_id": acct, "regions": regions, "external_id": ext[acct], "roles": roles_of(a),
         "kms_keys": [], "vpcs": [], "peerings": [], "drs": {}}
    keys = {}
    for k in a["kms_keys"]:
        seq += 1
        kid = "%08x-0000-4000-8000-%012x" % (int(acct[-8:]), seq)
        e["kms_keys"].append({"id": kid, "region": k["region"], "aliases": [k["alias"]],
                              "policy": load(k["policy"])})
        keys[(k["region"], k["alias"])] = "arn:aws:kms:%s:%s:key/%s" % (k["region"], acct, kid)
    for ri, r in enumerate(regions):
        seq += 1
        if (acct, r) in source_vpc:
            vpc, cidr = source_vpc[(acct, r)]
        else:
            vpc, cidr = hexid("vpc-", 0x200 + seq), "10.%d.0.0/16" % (100 + seq % 150)
        subnet, sg, rtb = hexid("subnet-", seq), hexid("sg-", seq), hexid("rtb-", seq)
        routes = [{"destination": cidr, "target": "local"}]
        if "target" in a["kinds"]:
            ingress, egress = sg_rules(acct, r)
        else:
            ingress = [{"protocol": "tcp", "from_port": 1500, "to_port": 1500, "cidr": cidr}]
            egress = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}]
        template = {"replicationConfigurationTemplateID": hexid("rct-", seq, 16),
                    "stagingAreaSubnetId": subnet, "replicationServersSecurityGroupsIDs": [sg],
                    "ebsEncryption": "DEFAULT", "dataPlaneRouting": "PRIVATE_IP"}
        drs = {"initialized": True, "replication_templates": [template]}
        if "target" in a["kinds"]:
            template["ebsEncryption"] = "CUSTOM"
            template["ebsEncryptionKeyArn"] = keys[(r, "alias/drs-target-key")]
            drs["source_servers"] = []
            for s in by_kind["source"]:
                svpc, scidr = source_vpc[(s["account_id"], r)]
                pcx = hexid("pcx-", seq)
                routes.append({"destination": scidr, "target": pcx})
                e["peerings"].append({"id": pcx, "region": r, "requester_vpc": vpc,
                                      "accepter_vpc": svpc, "accepter_account": s["account_id"],
                                      "status": "active"})
                drs["source_servers"].append(
                    {"id": hexid("s-", seq), "hostname": "app-%d" % seq,
                     "tags": {"App": "shop"},
                     "replication": {"state": "CONTINUOUS", "lag_seconds": 5},
                     "origin": {"account_id": s["account_id"], "region": r}})
        e["vpcs"].append({"id": vpc, "region": r, "cidr": cidr,
                          "subnets": [{"id": subnet, "cidr": cidr.replace(".0.0/16", ".1.0/24"),
                                       "az": r + "a"}],
                          "security_groups": [{"id": sg, "name": "drs-replication",
                                               "ingress": ingress, "egress": egress}],
                          "route_tables": [{"id": rtb, "routes": routes, "subnets": [subnet]}]})
        e["drs"][r] = drs
    estate["accounts"].append(e)

kind, _, who = edit.partition(":")
for e in estate["accounts"]:
    for role in e["roles"]:
        cond = role["trust_policy"]["Statement"][0].get("Condition", {})
        if kind == "source-account" and e["account_id"] == who and \
                role["name"] == "DRSStagingAccountRole":
            cond["StringEquals"]["aws:SourceAccount"] = ["222222222299"]
        if kind == "external-id" and e["account_id"] == who and role["name"] == "DroverSpokeRole":
            cond["StringEquals"]["sts:ExternalId"] = "not-the-registered-external-id"
    for k in e["kms_keys"]:
        if kind == "via-service" and e["account_id"] == who and k["region"] == "us-west-2":
            for st in k["policy"]["Statement"][1:]:
                st["Condition"]["StringEquals"]["kms:ViaService"] = [
                    "ec2.us-east-1.amazonaws.com", "drs.us-east-1.amazonaws.com"]
json.dump(estate, open(out, "w"), indent=1)
