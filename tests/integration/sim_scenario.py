#!/usr/bin/env python3
# sim_scenario.py - the issue #3 acceptance scenario against `drover sim`
# in boto3, with every response checked against its botocore output
# shape: types, enums, string patterns and lengths, required members, and
# (for JSON protocols) no member the model does not define. Used by
# t0302-sim-boto3.sh. Usage: sim_scenario.py ENDPOINT_URL
import json
import sys
import time
import urllib.request

import simshape
from simshape import calls, client, expect_error, problems

simshape.URL = URL = sys.argv[1]

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

# a second drill, so that EC2 has enough instances to paginate
job2 = drs.start_recovery(isDrill=True, sourceServers=[{"sourceServerID": i} for i in ids[-6:]])["job"]


def wait_job(job_id):
    deadline = time.time() + 60
    while True:
        j = drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]
        if j["status"] == "COMPLETED":
            return j
        assert time.time() < deadline, "the job did not complete"
        time.sleep(0.5)


wait_job(job2["jobID"])
j = wait_job(job["jobID"])
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
# EC2 pagination and instance status checks (initializing, then ok)
pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
assert len(pages) == 2 and sum(len(r["Instances"]) for p in pages for r in p["Reservations"]) == 9, pages
expect_error("InvalidParameterValue", ec2.describe_instances, MaxResults=3)
expect_error("InvalidParameterCombination", ec2.describe_instances, MaxResults=5,
             InstanceIds=[inst[0]["InstanceId"]])
expect_error("InvalidInstanceID.NotFound", ec2.describe_instance_status,
             InstanceIds=["i-0000000000000dead"])
mine = [r["ec2InstanceID"] for r in ris]
deadline = time.time() + 30
while True:
    st = ec2.describe_instance_status(InstanceIds=mine)["InstanceStatuses"]
    assert sorted(x["InstanceId"] for x in st) == sorted(mine), st
    assert all(x["InstanceState"]["Name"] == "running" and x["AvailabilityZone"] for x in st), st
    assert {x["InstanceStatus"]["Status"] for x in st} <= {"initializing", "ok"}, st
    if all(x["InstanceStatus"]["Status"] == "ok" and x["SystemStatus"]["Status"] == "ok" for x in st):
        break
    assert time.time() < deadline, "status checks did not pass"
    time.sleep(0.2)
assert all(x["InstanceStatus"]["Details"] == [{"Name": "reachability", "Status": "passed"}] for x in st), st
pages = list(ec2.get_paginator("describe_instance_status").paginate(PaginationConfig={"PageSize": 5}))
assert [len(p["InstanceStatuses"]) for p in pages] == [5, 4], pages
# every instance passes its checks in time (others launched later than mine may still
# be initializing for a moment on a loaded machine): the filter converges on all 9
deadline = time.time() + 30
while True:
    ok = ec2.describe_instance_status(Filters=[{"Name": "instance-status.status", "Values": ["ok"]},
                                               {"Name": "instance-state-code", "Values": ["16"]}])
    assert len(ok["InstanceStatuses"]) <= 9, ok
    if len(ok["InstanceStatuses"]) == 9:
        break
    assert time.time() < deadline, ("not every instance passed its checks", ok)
    time.sleep(0.2)
src = drs.describe_source_servers(filters={"sourceServerIDs": [ids[0]]})["items"][0]
assert src["lastLaunchResult"] == "SUCCEEDED" and src["lifeCycle"]["lastLaunch"]["status"] == "LAUNCHED"

term = drs.terminate_recovery_instances(recoveryInstanceIDs=[r["recoveryInstanceID"] for r in ris])
assert term.get("job", {}).get("type") == "TERMINATE", term
deadline = time.time() + 30
while True:
    st = ec2.describe_instance_status(IncludeAllInstances=True, InstanceIds=mine)["InstanceStatuses"]
    if all(x["InstanceState"]["Name"] == "terminated" for x in st):
        break
    assert time.time() < deadline, "the instances were not terminated"
    time.sleep(0.2)
assert all(x["InstanceStatus"] == {"Status": "not-applicable"} for x in st), st
assert len(ec2.describe_instance_status()["InstanceStatuses"]) == 6
assert len(ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]) == 9

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

# failback: a recovery, reverse replication, the failback client syncs, then StartFailbackLaunch
rjob = drs.start_recovery(sourceServers=[{"sourceServerID": ids[10]}])["job"]
wait_job(rjob["jobID"])
rec = drs.describe_recovery_instances(filters={"sourceServerIDs": [ids[10]]})["items"][0]
assert not rec["isDrill"] and rec["failback"]["state"] == "FAILBACK_NOT_STARTED", rec
fid = rec["recoveryInstanceID"]
e = expect_error("ConflictException", drs.start_failback_launch, recoveryInstanceIDs=[fid])
expect_error("ValidationException", drs.start_failback_launch, recoveryInstanceIDs=["i-0000000000000dead"])
cfg = drs.get_failback_replication_configuration(recoveryInstanceID=fid)
assert cfg["recoveryInstanceID"] == fid and cfg["internetProtocol"] == "IPV4", cfg
drs.update_failback_replication_configuration(recoveryInstanceID=fid, bandwidthThrottling=50,
                                              usePrivateIP=True)
cfg = drs.get_failback_replication_configuration(recoveryInstanceID=fid)
assert cfg["bandwidthThrottling"] == 50 and cfg["usePrivateIP"] is True, cfg
expect_error("ResourceNotFoundException", drs.get_failback_replication_configuration,
             recoveryInstanceID="i-0000000000000dead")
drs.reverse_replication(recoveryInstanceID=fid)
deadline = time.time() + 30
while True:
    st = drs.describe_recovery_instances(filters={"recoveryInstanceIDs": [fid]})["items"][0]["failback"]["state"]
    if st == "FAILBACK_READY_FOR_LAUNCH":
        break
    assert st == "FAILBACK_IN_PROGRESS" and time.time() < deadline, st
    time.sleep(0.2)
fjob = drs.start_failback_launch(recoveryInstanceIDs=[fid], tags={"Purpose": "failback"})["job"]
assert fjob["initiatedBy"] == "FAILBACK" and fjob["type"] == "LAUNCH" and fjob["tags"] == {"Purpose": "failback"}, fjob
expect_error("ConflictException", drs.start_failback_launch, recoveryInstanceIDs=[fid])
fj = wait_job(fjob["jobID"])
assert [p["launchStatus"] for p in fj["participatingServers"]] == ["LAUNCHED"], fj
fb = drs.describe_recovery_instances(filters={"recoveryInstanceIDs": [fid]})["items"][0]["failback"]
assert fb["state"] == "FAILBACK_COMPLETED" and fb["failbackJobID"] == fjob["jobID"], fb

# RetryDataReplication: refused while replication is healthy, restarts it once stopped
expect_error("ValidationException", drs.retry_data_replication, sourceServerID=ids[11])
drs.stop_replication(sourceServerID=ids[11])
rs = drs.retry_data_replication(sourceServerID=ids[11])
assert rs["dataReplicationInfo"]["dataReplicationState"] == "INITIAL_SYNC", rs
expect_error("ResourceNotFoundException", drs.retry_data_replication, sourceServerID="s-00000000000000000")

# launch configuration templates
lct = drs.create_launch_configuration_template(copyPrivateIp=True, launchDisposition="STOPPED",
                                               tags={"Team": "dr"})["launchConfigurationTemplate"]
lid = lct["launchConfigurationTemplateID"]
assert lct["copyPrivateIp"] is True and lct["launchDisposition"] == "STOPPED" and lct["tags"] == {"Team": "dr"}, lct
drs.create_launch_configuration_template()
assert len(drs.describe_launch_configuration_templates()["items"]) == 2
lpages = list(drs.get_paginator("describe_launch_configuration_templates").paginate(
    PaginationConfig={"PageSize": 1}))
assert len(lpages) == 2, lpages
one = drs.describe_launch_configuration_templates(launchConfigurationTemplateIDs=[lid])["items"]
assert [x["launchConfigurationTemplateID"] for x in one] == [lid], one
up = drs.update_launch_configuration_template(launchConfigurationTemplateID=lid,
                                              targetInstanceTypeRightSizingMethod="NONE",
                                              licensing={"osByol": False})["launchConfigurationTemplate"]
assert up["targetInstanceTypeRightSizingMethod"] == "NONE" and up["licensing"] == {"osByol": False}, up
expect_error("ValidationException", drs.update_launch_configuration_template,
             launchConfigurationTemplateID=lid, launchDisposition="SOMETIMES")
drs.tag_resource(resourceArn=lct["arn"], tags={"Owner": "ops"})
assert drs.list_tags_for_resource(resourceArn=lct["arn"])["tags"] == {"Team": "dr", "Owner": "ops"}
drs.delete_launch_configuration_template(launchConfigurationTemplateID=lid)
expect_error("ResourceNotFoundException", drs.describe_launch_configuration_templates,
             launchConfigurationTemplateIDs=[lid])
expect_error("ResourceNotFoundException", drs.delete_launch_configuration_template,
             launchConfigurationTemplateID=lid)

if problems:
    print("\n".join(problems[:50]))
    print(f"{len(problems)} shape problems in {len(calls)} calls")
    sys.exit(1)
print(f"ok: {len(calls)} calls, every response matched its output shape")
