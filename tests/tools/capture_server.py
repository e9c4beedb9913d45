#!/usr/bin/env python3
"""capture_server.py - records raw HTTP requests for client tests.

Usage: capture_server.py LOGFILE PORTFILE
Listens on 127.0.0.1 (an ephemeral port, written to PORTFILE), appends each
request to LOGFILE as one JSON line {"method","path","headers":[[k,v]...],
"body"} and answers 200 with a minimal body for the request's protocol
(JSON for X-Amz-Target / rest-json, XML for form-encoded query/ec2).
Scripted fault responses are tests/tools/faultserver.py's job.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": [[k, v] for k, v in self.headers.items()],
                                "body": body.decode("utf-8", "replace")}) + "\n")
        ctype = self.headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype:
            action = "Unknown"
            for part in body.decode().split("&"):
                if part.startswith("Action="):
                    action = part[7:]
            out = ("<%sResponse><%sResult></%sResult><ResponseMetadata><RequestId>r-1"
                   "</RequestId></ResponseMetadata></%sResponse>" % ((action,) * 4)).encode()
            if "Version=2016-11-15" in body.decode():
                out = ("<%sResponse><requestId>r-1</requestId></%sResponse>"
                       % (action, action)).encode()
            rtype = "text/xml"
        else:
            out = b"{}"
            rtype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", rtype)
        self.send_header("Content-Length", str(len(out)))
        self.send_header("x-amzn-RequestId", "r-1")
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
