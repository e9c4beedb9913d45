#!/usr/bin/env bash
# t0095-faultserver-script: tests/tools/faultserver.py serves its script in
# order, repeats the last entry, honours repeat/delay/drop, and logs every
# request (method, path, query, headers, body) as JSON lines.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"
cd "$TRASH" || exit 1

cat >"$TRASH/script.json" <<'JSON'
[{"status": 400, "repeat": 2, "headers": {"Content-Type": "application/x-amz-json-1.1"},
  "json": {"__type": "ThrottlingException", "message": "Rate exceeded"}},
 {"status": 503, "headers": {"Content-Type": "text/xml", "Retry-After": "1"},
  "body": "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>"},
 {"status": 200, "body": "{}", "delay_ms": 50}]
JSON

test_expect_success 'serves the script in order, then repeats the last entry' '
    start_faultserver "$TRASH/script.json" &&
    for i in 1 2 3 4 5; do
        curl -s -o "body.$i" -w "%{http_code}\n" -H "X-Amz-Target: Svc.Op" \
            --data-binary "{\"n\":$i}" "$FAULT_URL/p?a=$i" >>codes || return 1
    done &&
    printf "400\n400\n503\n200\n200\n" >want && test_cmp want codes &&
    grep -q "\"__type\":\"ThrottlingException\"" body.1 &&
    grep -q "<Code>RequestLimitExceeded</Code>" body.3 &&
    python3 - "$FAULT_LOG" <<PY
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 5, recs
assert [r["response"] for r in recs] == [0, 0, 1, 2, 2], recs
for i, r in enumerate(recs, 1):
    assert r["method"] == "POST" and r["path"] == "/p" and r["query"] == "a=%d" % i, r
    assert r["body"] == "{\"n\":%d}" % i, r
    assert ["X-Amz-Target", "Svc.Op"] in r["headers"], r
assert all(b["time"] >= a["time"] for a, b in zip(recs, recs[1:]))
PY
'

test_expect_success 'a drop entry closes the connection without an answer' '
    start_faultserver "[{\"drop\": true}]" &&
    test_must_fail curl -sf "$FAULT_URL/" &&
    test "$(wc -l <"$FAULT_LOG")" -eq 1
'
test_done
