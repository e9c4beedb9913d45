#!/usr/bin/env python3
"""faultserver.py - a scripted HTTP/1.1 server for retry integration tests.

It listens on 127.0.0.1 only and answers every request, whatever its method
or path, with the next response of a JSON script; once the script is used
up, the last response repeats. Every request is logged as one JSON line.
Python stdlib only; one thread per connection; keep-alive supported.

Usage:
    faultserver.py --script SCRIPT --log LOG [--port N] [--port-file F]

    --script   a JSON file, or inline JSON when the value starts with '['
    --log      requests are appended here as JSON lines (created/truncated)
    --port     port to listen on; 0 (the default) picks a free one
    --port-file  write the chosen port there (written atomically, after the
               socket is listening); the port is also printed on stdout as
               the first line, "PORT <n>"

Script: a JSON array of responses, each an object with optional fields
    status     HTTP status (default 200)
    headers    {"Name": "value", ...} sent as given (Content-Length is added)
    body       the body as a string (default "")
    json       an object/array to send as the body, serialised compactly
               (use with "headers": {"Content-Type": "application/x-amz-json-1.1"})
    delay_ms   wait this long before answering (default 0)
    repeat     serve this entry N times before moving on (default 1)
    close      true: close the connection after this response
    drop       true: close the connection without answering (the client
               sees a reset / empty reply: a transport error)

Examples:
    json-1.1 throttling, then success:
      [{"status": 400, "headers": {"Content-Type": "application/x-amz-json-1.1"},
        "json": {"__type": "ThrottlingException", "message": "Rate exceeded"}},
       {"status": 200, "headers": {"Content-Type": "application/x-amz-json-1.1"},
        "body": "{}"}]
    query/XML throttling (EC2 style), with Retry-After:
      [{"status": 503, "headers": {"Content-Type": "text/xml", "Retry-After": "1"},
        "body": "<Response><Errors><Error><Code>RequestLimitExceeded</Code>
                 <Message>slow down</Message></Error></Errors>
                 <RequestID>r-1</RequestID></Response>"},
       {"status": 200, "body": "<DescribeResponse/>"}]

Log line fields: seq (0-based), time (epoch seconds, float, at arrival),
method, path (without the query), query, headers ([[name, value], ...] as
received, case kept), body (text; undecodable bytes replaced), and
response (the script index answered, or null when the script was empty).

Stop it by PID (SIGTERM); it exits cleanly.
"""
import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time


class Script:
    def __init__(self, entries):
        expanded = []
        for i, e in enumerate(entries):
            if not isinstance(e, dict):
                raise ValueError("script entry %d is not an object" % i)
            n = int(e.get("repeat", 1))
            if n < 1:
                raise ValueError("script entry %d: repeat must be >= 1" % i)
            expanded.extend([(i, e)] * n)
        self._entries = expanded
        self._next = 0
        self._lock = threading.Lock()
        self._seq = 0

    def take(self):
        """Returns (seq, index, entry); the last entry repeats."""
        with self._lock:
            seq = self._seq
            self._seq += 1
            if not self._entries:
                return seq, None, {}
            k = min(self._next, len(self._entries) - 1)
            self._next += 1
            idx, entry = self._entries[k]
            return seq, idx, entry


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _handle(self):
        arrival = time.time()
        body = self._read_body()
        seq, idx, entry = self.server.script.take()
        path, _, query = self.path.partition("?")
        rec = {
            "seq": seq,
            "time": arrival,
            "method": self.command,
            "path": path,
            "query": query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", errors="replace"),
            "response": idx,
        }
        with self.server.log_lock:
            self.server.log.write(json.dumps(rec) + "\n")
            self.server.log.flush()

        delay = float(entry.get("delay_ms", 0)) / 1000.0
        if delay > 0:
            time.sleep(delay)
        if entry.get("drop"):
            self.close_connection = True
            return
        if "json" in entry:
            payload = json.dumps(entry["json"], separators=(",", ":")).encode()
        else:
            payload = str(entry.get("body", "")).encode()
        self.send_response_only(int(entry.get("status", 200)))
        for k, v in (entry.get("headers") or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(payload)))
        if entry.get("close"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


def main(argv):
    ap = argparse.ArgumentParser(description="scripted HTTP server for retry tests")
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    args = ap.parse_args(argv)

    if args.script.lstrip().startswith("["):
        entries = json.loads(args.script)
    else:
        with open(args.script) as f:
            entries = json.load(f)
    if not isinstance(entries, list):
        ap.error("the script must be a JSON array")

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.script = Script(entries)
    srv.log = open(args.log, "w")
    srv.log_lock = threading.Lock()
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
        srv.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
