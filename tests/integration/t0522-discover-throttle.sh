#!/usr/bin/env bash
# t0522-discover-throttle: with the simulator throttling every (account,
# region, operation) at 5 requests/s (burst 5), discovery still completes
# with no error, and fewer than 5% of the calls made after the first
# second are throttled (measured from /_sim/metrics snapshots): the
# adaptive rate limiter slows down and retries are not throttled again.
# Small pages (--page-size 25, 6 pages per account-region: one more than
# the burst) make the throttle bite. Longer throttled runs settle at ~7%
# throttled calls with botocore's CUBIC limiter at 5 rps (docs/discovery.md),
# so the run is kept short to stay deterministic on a loaded machine.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=4,regions=2,servers=150 --seed 5
sim_register || exit 1

test_expect_success 'throttled at 5 rps: completes, no error, <5% throttled after 1 s' '
    curl -s -XPOST -d "{\"throttle\":{\"rate\":5,\"burst\":5}}" "$SIM_URL/_sim/faults" | grep -q "\"ok\":true" &&
    { "$DROVER" discover -o json --page-size 25 >out.json 2>err; echo $? >rc; } &
    dpid=$!
    sleep 1 && sim_metrics m1.json && wait $dpid &&
    test "$(cat rc)" = 0 &&
    sim_metrics m2.json &&
    python3 - out.json m1.json m2.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["account_regions"]:
    assert a["error"] is None and a["servers"] == 150, a
assert d["servers_total"] == 1200
def tot(f):
    c = t = 0
    for r in json.load(open(f))["requests"]:
        c += r["count"]; t += r["throttled"]
    return c, t
c1, t1 = tot(sys.argv[2]); c2, t2 = tot(sys.argv[3])
print("first second: %d calls, %d throttled; after: %d calls, %d throttled" % (c1, t1, c2 - c1, t2 - t1))
assert t2 > 0, "the throttle never bit: the test proves nothing"
assert c2 - c1 >= 4, "too few calls after the first second"
assert (t2 - t1) < 0.05 * (c2 - c1), "%d of %d calls throttled after the first second" % (t2 - t1, c2 - c1)
PY
'
test_done
