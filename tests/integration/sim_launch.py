#!/usr/bin/env python3
# sim_launch.py - the simulator's launch-template model in boto3 against
# examples/broken-launch-estate.yaml, every response checked against its
# botocore output shape (simshape.py): GetLaunchConfiguration names an EC2
# launch template whose $Default/$Latest version carries the estate's
# subnet, security groups, instance type and static IP;
# DescribeLaunchTemplateVersions/LaunchTemplates (by ID, by name, all
# $Default, pagination, the NotFound errors), DescribeInstanceTypeOfferings
# (the estate's per-region list, the built-in one elsewhere, filters, AZ
# locations) and DescribeNetworkInterfaces (estate ENIs and a recovery
# instance's). Used by t0705-doctor-launch.sh. Usage: sim_launch.py URL
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
acct = [a for a in estate["accounts"] if a["account_id"] == "222222222222"][0]
cr = client("sts", hub, "us-east-1").assume_role(
    RoleArn=acct["role_arn"], RoleSessionName="launch", ExternalId=acct["external_id"])["Credentials"]
sc = {
    "aws_access_key_id": cr["AccessKeyId"],
    "aws_secret_access_key": cr["SecretAccessKey"],
    "aws_session_token": cr["SessionToken"],
}
drs = client("drs", sc, "us-west-2")
ec2 = client("ec2", sc, "us-west-2")

# the launch configuration names the template; its $Default version is the estate's
lc = drs.get_launch_configuration(sourceServerID="s-0aaa00000000000a2")
lt = lc["ec2LaunchTemplateID"]
assert lt == "lt-0aaa00000000000a2", lc
vers = ec2.describe_launch_template_versions(LaunchTemplateId=lt, Versions=["$Default"])
v = vers["LaunchTemplateVersions"]
assert len(v) == 1 and v[0]["DefaultVersion"] and v[0]["VersionNumber"] == 1, v
data = v[0]["LaunchTemplateData"]
nic = data["NetworkInterfaces"][0]
assert data["InstanceType"] == "m5.large", data
assert nic["DeviceIndex"] == 0 and nic["SubnetId"] == "subnet-0bbb2222222222221", nic
assert nic["Groups"] == ["sg-0bbb2222222222221"], nic
assert nic["PrivateIpAddress"] == "10.2.0.40", nic
assert nic["PrivateIpAddresses"] == [{"PrivateIpAddress": "10.2.0.40", "Primary": True}], nic
latest = ec2.describe_launch_template_versions(LaunchTemplateId=lt, Versions=["$Latest", "$Default"])
assert latest["LaunchTemplateVersions"] == v, latest  # one version, listed once
byname = ec2.describe_launch_template_versions(LaunchTemplateName=v[0]["LaunchTemplateName"])
assert byname["LaunchTemplateVersions"] == v, byname

# broken settings reach the template as the estate says
def tdata(sid):
    t = drs.get_launch_configuration(sourceServerID=sid)["ec2LaunchTemplateID"]
    return ec2.describe_launch_template_versions(
        LaunchTemplateId=t, Versions=["$Default"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]


assert tdata("s-0bad000000000b001")["NetworkInterfaces"][0]["SubnetId"] == "subnet-0bbb2222222229999"
assert tdata("s-0bad000000000b002")["NetworkInterfaces"][0]["Groups"] == [
    "sg-0bbb2222222222221", "sg-0bbb2222222229999"]
assert tdata("s-0bad000000000b004")["InstanceType"] == "p4d.24xlarge"
assert "PrivateIpAddress" not in tdata("s-0aaa00000000000a1")["NetworkInterfaces"][0]

expect_error("InvalidLaunchTemplateId.VersionNotFound", ec2.describe_launch_template_versions,
             LaunchTemplateId=lt, Versions=["7"])
missing = drs.get_launch_configuration(sourceServerID="s-0bad000000000b009")["ec2LaunchTemplateID"]
expect_error("InvalidLaunchTemplateId.NotFound", ec2.describe_launch_template_versions,
             LaunchTemplateId=missing, Versions=["$Default"])
expect_error("InvalidLaunchTemplateName.NotFoundException", ec2.describe_launch_template_versions,
             LaunchTemplateName="no-such-template")
expect_error("MissingParameter", ec2.describe_launch_template_versions, Versions=["1"])

# every template's $Default, paginated: one per server but the one without a template
pages = list(ec2.get_paginator("describe_launch_template_versions").paginate(
    Versions=["$Default"], PaginationConfig={"PageSize": 4}))
allv = [x for p in pages for x in p["LaunchTemplateVersions"]]
assert len(pages) == 4 and len(allv) == 14, (len(pages), len(allv))
assert len({x["LaunchTemplateId"] for x in allv}) == 14 and missing not in {
    x["LaunchTemplateId"] for x in allv}

lts = ec2.describe_launch_templates(LaunchTemplateIds=[lt])["LaunchTemplates"]
assert len(lts) == 1 and lts[0]["DefaultVersionNumber"] == 1, lts
assert {"Key": "AWSElasticDisasterRecoverySourceServerID", "Value": "s-0aaa00000000000a2"} in lts[0]["Tags"]
pages = list(ec2.get_paginator("describe_launch_templates").paginate(PaginationConfig={"PageSize": 5}))
assert sum(len(p["LaunchTemplates"]) for p in pages) == 14 and len(pages) == 3, pages
expect_error("InvalidLaunchTemplateId.NotFound", ec2.describe_launch_templates,
             LaunchTemplateIds=[missing])

# instance type offerings: the estate's list in us-west-2, the built-in one elsewhere
offers = ec2.describe_instance_type_offerings(LocationType="region")["InstanceTypeOfferings"]
assert sorted(o["InstanceType"] for o in offers) == sorted(
    ["t3.micro", "t3.small", "m5.large", "m5.xlarge", "m5.2xlarge", "r5.2xlarge", "c5.4xlarge"]), offers
assert all(o["LocationType"] == "region" and o["Location"] == "us-west-2" for o in offers)
got = ec2.describe_instance_type_offerings(
    LocationType="region",
    Filters=[{"Name": "instance-type", "Values": ["m5.large", "p4d.24xlarge"]}])["InstanceTypeOfferings"]
assert [o["InstanceType"] for o in got] == ["m5.large"], got
az = ec2.describe_instance_type_offerings(
    LocationType="availability-zone", Filters=[{"Name": "location", "Values": ["us-west-2b"]}])
assert len(az["InstanceTypeOfferings"]) == 7, az
east = client("ec2", sc, "us-east-1").describe_instance_type_offerings(
    Filters=[{"Name": "instance-type", "Values": ["m5.large", "r6i.4xlarge", "p4d.24xlarge"]}])
assert sorted(o["InstanceType"] for o in east["InstanceTypeOfferings"]) == ["m5.large", "r6i.4xlarge"]
expect_error("InvalidParameterValue", ec2.describe_instance_type_offerings, LocationType="outpost")

# network interfaces: the estate's ENI, then a recovery instance's
enis = ec2.describe_network_interfaces(
    Filters=[{"Name": "addresses.private-ip-address", "Values": ["10.2.0.50", "10.2.0.51"]}])
e = enis["NetworkInterfaces"]
assert len(e) == 1 and e[0]["NetworkInterfaceId"] == "eni-0bbb22222222222e1", e
assert e[0]["SubnetId"] == "subnet-0bbb2222222222221" and e[0]["Status"] == "available", e
assert e[0]["VpcId"] == "vpc-0bbb2222222222222" and e[0]["Description"] == "a database VIP", e
assert ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0bbb22222222222e1"])[
    "NetworkInterfaces"] == e
expect_error("InvalidNetworkInterfaceID.NotFound", ec2.describe_network_interfaces,
             NetworkInterfaceIds=["eni-0000000000000dead"])

job = drs.start_recovery(isDrill=True, sourceServers=[{"sourceServerID": "s-0aaa00000000000a1"}])["job"]
deadline = time.time() + 60
while drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]["status"] != "COMPLETED":
    assert time.time() < deadline, "the drill did not complete"
    time.sleep(0.3)
ri = drs.describe_recovery_instances(filters={"sourceServerIDs": ["s-0aaa00000000000a1"]})["items"][0]
inst = ec2.describe_instances(InstanceIds=[ri["ec2InstanceID"]])["Reservations"][0]["Instances"][0]
mine = ec2.describe_network_interfaces(
    Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["NetworkInterfaces"]
assert len(mine) == 1 and mine[0]["PrivateIpAddress"] == inst["PrivateIpAddress"], mine
assert mine[0]["Attachment"]["Status"] == "attached" and mine[0]["Status"] == "in-use", mine
pages = list(ec2.get_paginator("describe_network_interfaces").paginate(PaginationConfig={"PageSize": 5}))
assert sum(len(p["NetworkInterfaces"]) for p in pages) == 2, pages

if problems:
    print("\n".join(problems[:50]))
    print(f"{len(problems)} shape problems in {len(calls)} calls")
    sys.exit(1)
print(f"ok: {len(calls)} calls, every response matched its output shape")
