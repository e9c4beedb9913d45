#!/usr/bin/env python3
# estate_servers.py - the simulator estate's DRS source servers, listed
# independently of drover: boto3 assumes each spoke role from
# /_sim/estate and pages DescribeSourceServers in each of its regions.
# Prints "ACCOUNT REGION SERVER_ID" lines, sorted, for servers that carry
# every KEY=VALUE tag given (none: all servers).
# Usage: estate_servers.py ENDPOINT_URL [KEY=VALUE ...]
import json
import sys
import urllib.request

import boto3

url = sys.argv[1]
want = dict(a.split("=", 1) for a in sys.argv[2:])
estate = json.load(urllib.request.urlopen(url + "/_sim/estate"))
hub = estate["hub"]
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id=hub["access_key_id"],
                   aws_secret_access_key=hub["secret_access_key"])
rows = []
for a in estate["accounts"]:
    c = sts.assume_role(RoleArn=a["role_arn"], RoleSessionName="expect",
                        ExternalId=a["external_id"])["Credentials"]
    for region in a["regions"]:
        drs = boto3.client("drs", endpoint_url=url, region_name=region,
                           aws_access_key_id=c["AccessKeyId"],
                           aws_secret_access_key=c["SecretAccessKey"],
                           aws_session_token=c["SessionToken"])
        for page in drs.get_paginator("describe_source_servers").paginate():
            for s in page["items"]:
                tags = s.get("tags", {})
                if all(tags.get(k) == v for k, v in want.items()):
                    rows.append("%s %s %s" % (a["account_id"], region, s["sourceServerID"]))
print("\n".join(sorted(rows)))
