#!/usr/bin/env bash
# t0704-doctor-plan-inventory: after `drover discover`, `doctor --plan`
# resolves the plan's groups against the stored inventory: a server the
# inventory holds but DRS no longer returns is LAUNCH-001 (evidence names
# the inventory); without an inventory the groups are resolved live and the
# same estate is clean.
. "$(dirname "$0")/lib.sh"
EX="$DROVER_SRC/examples"

python3 - "$EX/clean-estate.yaml" gone.json <<'PY' || exit 1
import json, sys, yaml
e = yaml.safe_load(open(sys.argv[1]))
for a in e["accounts"]:
    for r in a.get("drs", {}).values():
        r["source_servers"] = [s for s in r.get("source_servers", [])
                               if s["id"] != "s-0aaa00000000000a4"]
json.dump(e, open(sys.argv[2], "w"))
PY

# sim ESTATE: starts a sim, prints its URL
sim() {
    local port
    port=$(free_port)
    "$DROVER" sim --listen "127.0.0.1:$port" --estate "$1" >"$TRASH/sim-$port.log" 2>&1 &
    track_pid $!
    wait_http "http://127.0.0.1:$port/_sim/health" 20 >/dev/null || { cat "$TRASH/sim-$port.log" >&2; exit 1; }
    echo "http://127.0.0.1:$port"
}
FULL=$(sim "$EX/clean-estate.yaml") && GONE=$(sim gone.json) || exit 1
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIASIMHUB000000DOCT
export AWS_SECRET_ACCESS_KEY=doctorsecret000000000000000000000000000

register() {
    "$DROVER" accounts add 111111111111 --role-arn arn:aws:iam::111111111111:role/DroverSpokeRole \
        --external-id clean-source-external-id-0001 --regions us-east-1 >/dev/null &&
    "$DROVER" accounts add 222222222222 --role-arn arn:aws:iam::222222222222:role/DroverSpokeRole \
        --external-id clean-target-external-id-0002 --regions us-west-2 >/dev/null &&
    "$DROVER" apply -f "$EX/readiness-plan.yaml" >/dev/null
}

test_expect_success 'with an inventory: a server DRS lost is LAUNCH-001, named from the inventory' '
    export DROVER_HOME="$TRASH/home-inv" &&
    register &&
    AWS_ENDPOINT_URL=$FULL "$DROVER" discover -o json >disc.json &&
    test "$(jpath disc.json "d[\"servers_total\"]")" = 4 &&
    AWS_ENDPOINT_URL=$FULL "$DROVER" doctor --plan shop-dr -o json >full.json &&
    EXPECT_RC=1 test_must_fail env AWS_ENDPOINT_URL=$GONE "$DROVER" doctor --plan shop-dr -o json >gone.json &&
    python3 - gone.json <<PY
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["id"], f["account_id"], f["region"], f["resource"]) for f in d["findings"]
       if f["severity"] != "INFO"]
assert got == [("LAUNCH-001", "222222222222", "us-west-2", "s-0aaa00000000000a4")], got
assert "stored inventory" in d["findings"][0]["evidence"], d["findings"][0]
PY
'
test_expect_success 'without an inventory the groups are resolved live: clean' '
    export DROVER_HOME="$TRASH/home-live" &&
    register &&
    AWS_ENDPOINT_URL=$GONE "$DROVER" doctor --plan shop-dr -o json >live.json &&
    test "$(jpath live.json "len([f for f in d[\"findings\"] if f[\"severity\"] != \"INFO\"])")" = 0
'
test_done
