#!/usr/bin/env python3
# sim_scenario.py - the issue #3 acceptance scenario against `drover sim`
# in boto3, with every response checked against its botocore output
# shape: types, enums, string patterns and lengths, required members, and
# (for JSON protocols) no member the model does not define. Used by
# t0302-sim-boto3.sh. Usage: sim_scenario.py ENDPOINT_URL
import datetime
import json
import re
import sys
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

URL = sys.argv[1]
problems = []
calls = []


def check(shape, value, path):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected structure, got {type(value).__name__}")
            return
        for req in shape.required_members:
            if req not in value:
                problems.append(f"{path}: missing required member {req}")
        for k, v in value.items():
            if k == "ResponseMetadata" and path.count(".") == 0:
                continue
            if k not in shape.members:
                problems.append(f"{path}: unknown member {k}")
                continue
            check(shape.members[k], v, f"{path}.{k}")
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected list")
            return
        for i, v in enumerate(value):
            check(shape.member, v, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected map")
            return
        for k, v in value.items():
            check(shape.key, k, f"{path}<key>")
            check(shape.value, v, f"{path}[{k}]")
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected string, got {type(value).__name__}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not in the enum")
        meta = shape.metadata
        matched = None
        if "pattern" in meta:
            try:
                matched = re.fullmatch(meta["pattern"], value) is not None
            except re.error:
                pass
            if matched is False:
                problems.append(f"{path}: {value!r} does not match {meta['pattern']}")
        # Where the model's length bounds contradict its own pattern (EbsVolumeID:
        # max 19 but vol- + 17 hex, as real volume IDs are), the pattern wins.
        if not matched:
            if "min" in meta and len(value) < meta["min"]:
                problems.append(f"{path}: shorter than {meta['min']}")
            if "max" in meta and len(value) > meta["max"]:
                problems.append(f"{path}: longer than {meta['max']}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected integer")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)):
            problems.append(f"{path}: expected number")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean")
    elif t == "timestamp":
        if not isinstance(value, datetime.datetime):
            problems.append(f"{path}: expected timestamp")


def raw_keys(shape, value, path):
    """JSON bodies: every key the server sent must be a member of the shape."""
    if shape.type_name == "structure" and isinstance(value, dict):
        names = {m.serialization.get("name", k): m for k, m in shape.members.items()}
        for k, v in value.items():
            if k not in names:
                problems.append(f"{path}: the server sent unknown key {k}")
            else:
                raw_keys(names[k], v, f"{path}.{k}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            raw_keys(shape.member, v, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            raw_keys(shape.value, v, f"{path}[{k}]")


def after_call(http_response, parsed, model, **kw):
    calls.append(model.name)
    if http_response.status_code >= 300 or model.output_shape is None:
        return
    check(model.output_shape, parsed, model.name)
    proto = model.metadata["protocol"]
    if proto in ("json", "rest-json") and http_response.content:
        raw_keys(model.output_shape, json.loads(http_response.content), model.name + "(raw)")


def client(svc, creds, region):
    c = boto3.client(
        svc,
        endpoint_url=URL,
        region_name=region,
        config=botocore.config.Config(retries={"max_attempts": 1}),
        **creds,
    )
    c.meta.events.register("after-call.*", after_call)
    return c


def expect_error(code, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        return e
    raise AssertionError(f"expected {code}, the call succeeded")


estate = json.load(urllib.request.urlopen(URL + "/_sim/estate"))
hub = {
    "aws_access_key_id": estate["hub"]["access_key_id"],
    "aws_secret_access_key": estate["hub"]["secret_access_key"],
}
spoke = estate["accounts"][0]
region = spoke["regions"][0]

sts = client("sts", hub, "us-east-1")
ident = sts.get_caller_identity()
assert ident["Account"] == estate["hub"]["account_id"], ident

expect_error("AccessDenied", sts.assume_role, RoleArn=spoke["role_arn"], RoleSessionName="boto",
             ExternalId="definitely-wrong")
cr = sts.assume_role(RoleArn=spoke["role_arn"], RoleSessionName="boto",
                     ExternalId=spoke["external_id"])["Credentials"]
sc = {
    "aws_access_key_id": cr["AccessKeyId"],
    "aws_secret_access_key": cr["SecretAccessKey"],
    "aws_session_token": cr["SessionToken"],
}
assert client("sts", sc, region).get_caller_identity()["Account"] == spoke["account_id"]

drs = client("drs", sc, region)
pages = list(drs.get_paginator("describe_source_servers").paginate(PaginationConfig={"PageSize": 7}))
servers = [s for p in pages for s in p["items"]]
assert len(pages) > 1, "expected several pages"
assert len({s["sourceServerID"] for s in servers}) == len(servers)
ids = [s["sourceServerID"] for s in servers]

job = drs.start_recovery(isDrill=True, tags={"Purpose": "boto3"},
                         sourceServers=[{"sourceServerID": i} for i in ids[:3]])["job"]
assert job["status"] == "PENDING" and job["tags"] == {"Purpose": "boto3"}, job
e = expect_error("ConflictException", drs.start_recovery,
                 sourceServers=[{"sourceServerID": ids[0]}])
assert e.response["Error"]["Message"]
if len(ids) >= 101:
    expect_error("ServiceQuotaExceededException", drs.start_recovery,
                 sourceServers=[{"sourceServerID": i} for i in ids[3:104]])

deadline = time.time() + 60
while True:
    j = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    if j["status"] == "COMPLETED":
        break
    assert time.time() < deadline, "the job did not complete"
    time.sleep(0.5)
assert all(p["launchStatus"] == "LAUNCHED" for p in j["participatingServers"]), j
events = [x["event"] for x in drs.describe_job_log_items(jobID=job["jobID"])["items"]]
for ev in ("JOB_START", "SNAPSHOT_START", "SNAPSHOT_END", "CONVERSION_START", "CONVERSION_END",
           "LAUNCH_START", "JOB_END"):
    assert ev in events, (ev, events)

ris = drs.describe_recovery_instances(filters={"sourceServerIDs": ids[:3]})["items"]
assert len(ris) == 3 and all(r["isDrill"] for r in ris), ris
ec2 = client("ec2", sc, region)
inst = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
assert {r["ec2InstanceID"] for r in ris} <= {i["InstanceId"] for i in inst}
src = drs.describe_source_servers(filters={"sourceServerIDs": [ids[0]]})["items"][0]
assert src["lastLaunchResult"] == "SUCCEEDED" and src["lifeCycle"]["lastLaunch"]["status"] == "LAUNCHED"

term = drs.terminate_recovery_instances(recoveryInstanceIDs=[r["recoveryInstanceID"] for r in ris])
assert term.get("job", {}).get("type") == "TERMINATE", term

# the other reads drover and a CLI user make, all shape-checked
drs.get_launch_configuration(sourceServerID=ids[0])
drs.get_replication_configuration(sourceServerID=ids[0])
drs.describe_replication_configuration_templates()
drs.describe_recovery_snapshots(sourceServerID=ids[0])
drs.list_tags_for_resource(resourceArn=servers[0]["arn"])
drs.tag_resource(resourceArn=servers[0]["arn"], tags={"Owner": "dr"})
assert drs.list_tags_for_resource(resourceArn=servers[0]["arn"])["tags"]["Owner"] == "dr"
drs.untag_resource(resourceArn=servers[0]["arn"], tagKeys=["Owner"])
drs.list_staging_accounts()
ec2.describe_vpcs()
ec2.describe_subnets()
ec2.describe_security_groups()
ec2.describe_route_tables()
iam = client("iam", sc, "us-east-1")
iam.list_roles()
iam.get_role(RoleName=spoke["role_arn"].rsplit("/", 1)[1])
kms = client("kms", sc, region)
kms.list_aliases()
client("organizations", hub, "us-east-1").list_accounts()
client("service-quotas", sc, region).list_service_quotas(ServiceCode="drs")
expect_error("UnrecognizedClientException", client("drs", {"aws_access_key_id": "AKIANOSUCHKEY0000000",
                                                          "aws_secret_access_key": "x"}, region)
             .describe_source_servers)
expect_error("SignatureDoesNotMatch", client("sts", dict(hub, aws_secret_access_key="wrong"),
                                             "us-east-1").get_caller_identity)

if problems:
    print("\n".join(problems[:50]))
    print(f"{len(problems)} shape problems in {len(calls)} calls")
    sys.exit(1)
print(f"ok: {len(calls)} calls, every response matched its output shape")
