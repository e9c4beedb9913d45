#!/usr/bin/env python3
"""baseline_discovery.py - DRS discovery written the way the existing tools
do it (the baseline for bench/discovery.sh): Python boto3, a thread pool
per account, a new AssumeRole for every client (one per account-region and
service), and botocore paginators with their default page size. It reads
the accounts from the simulator's /_sim/estate, pages
DescribeSourceServers, DescribeRecoveryInstances and DescribeJobs in every
account-region and prints one JSON line: {"servers", "account_regions",
"elapsed_s", "errors"}.

Usage: baseline_discovery.py ENDPOINT_URL [--workers N]
"""
import concurrent.futures
import json
import sys
import time
import urllib.request

import boto3


def client_for(url, hub, acct, service, region):
    # what the seeds do: assume the role again for every client
    sts = boto3.client("sts", endpoint_url=url, region_name=region,
                       aws_access_key_id=hub["access_key_id"],
                       aws_secret_access_key=hub["secret_access_key"])
    c = sts.assume_role(RoleArn=acct["role_arn"], RoleSessionName="baseline",
                        ExternalId=acct["external_id"])["Credentials"]
    return boto3.client(service, endpoint_url=url, region_name=region,
                        aws_access_key_id=c["AccessKeyId"],
                        aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"])


def discover_region(url, hub, acct, region):
    drs = client_for(url, hub, acct, "drs", region)
    servers = [s for p in drs.get_paginator("describe_source_servers").paginate()
               for s in p["items"]]
    drs2 = client_for(url, hub, acct, "drs", region)
    ris = [r for p in drs2.get_paginator("describe_recovery_instances").paginate()
           for r in p["items"]]
    jobs = [j for p in drs2.get_paginator("describe_jobs").paginate() for j in p["items"]]
    return len(servers), len(ris), len(jobs)


def discover_account(url, hub, acct, workers):
    # one pool per account, one worker per region
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futs = [pool.submit(discover_region, url, hub, acct, r) for r in acct["regions"]]
        return [f.result() for f in futs]


def main():
    url = sys.argv[1]
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 4
    estate = json.load(urllib.request.urlopen(url + "/_sim/estate"))
    hub = estate["hub"]
    t0 = time.monotonic()
    total = ars = errors = 0
    # accounts one after another, each with its own pool, as the seeds do
    for acct in estate["accounts"]:
        try:
            for n, _, _ in discover_account(url, hub, acct, workers):
                total += n
                ars += 1
        except Exception as e:  # noqa: BLE001 - count and go on, like the tools
            errors += 1
            print("baseline: %s: %s" % (acct["account_id"], e), file=sys.stderr)
    print(json.dumps({"servers": total, "account_regions": ars,
                      "elapsed_s": round(time.monotonic() - t0, 3), "errors": errors}))


if __name__ == "__main__":
    main()
