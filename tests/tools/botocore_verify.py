#!/usr/bin/env python3
"""botocore_verify.py - recomputes captured requests' SigV4 signatures with
botocore.auth.SigV4Auth, the real library, over the same request, time and
signed headers, and checks that they equal drover's.

Usage: botocore_verify.py LOGFILE ACCESS_KEY SECRET TOKEN
Prints one line per request; exits 1 if any signature differs.
"""
import json
import re
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

log, akid, secret, token = sys.argv[1:5]
creds = Credentials(akid, secret, token)
bad = 0
n = 0
for line in open(log):
    r = json.loads(line)
    h = dict((k.lower(), v) for k, v in r["headers"])
    auth = h["authorization"]
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", auth)
    if not m:
        print("malformed Authorization:", auth.split("Signature=")[0])
        bad += 1
        continue
    _, _, region, service, signed, sig = m.groups()
    signed_set = signed.split(";")
    url = "http://%s%s" % (h["host"], r["path"])
    req = AWSRequest(method=r["method"], url=url,
                     data=r["body"].encode() if r["body"] else b"",
                     headers={k: v for k, v in r["headers"]
                              if k.lower() in signed_set and k.lower() != "authorization"})
    req.context["timestamp"] = h["x-amz-date"]

    class Restricted(SigV4Auth):
        def headers_to_sign(self, request):
            hs = super().headers_to_sign(request)
            for k in list(hs.keys()):
                if k not in signed_set:
                    del hs[k]
            return hs

    a = Restricted(creds, service, region)
    cr = a.canonical_request(req)
    sts = a.string_to_sign(req, cr)
    mine = a.signature(sts, req)
    n += 1
    ok = mine == sig
    print("%s %s %s %s signature %s" % (service, r["method"], r["path"].split("?")[0],
                                         h.get("x-amz-target", ""), "matches" if ok else "DIFFERS"))
    if not ok:
        bad += 1
        print(cr)
if n == 0:
    print("no requests captured")
    sys.exit(1)
sys.exit(1 if bad else 0)
