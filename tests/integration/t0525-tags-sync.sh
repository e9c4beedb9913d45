#!/usr/bin/env bash
# t0525-tags-sync: `drover tags sync` adds drover:source-account and
# drover:source-region (the simulator's servers have an AWS origin but no
# EC2 instance to copy tags from) through DRS TagResource; --dry-run
# changes nothing; a second run finds nothing to do; the DRS tags are
# visible to boto3 and in the refreshed inventory. (Copying EC2 tags is
# covered by tests/unit/test_tagsync.c.)
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

start_sim --generate accounts=2,regions=2,servers=4 --seed 8
sim_register || exit 1

test_expect_success '--dry-run reports 16 servers and writes nothing' '
    "$DROVER" tags sync --dry-run -o json >dry.json &&
    test "$(jpath dry.json "len(d[\"changes\"])")" = 16 &&
    test "$(jpath dry.json "d[\"dry_run\"]")" = True &&
    sim_metrics m.json &&
    test "$(jpath m.json "sum(r[\"count\"] for r in d[\"requests\"] if r[\"operation\"]==\"TagResource\")")" = 0 &&
    python3 - dry.json "$TRASH/estate.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
accts = {a["account_id"] for a in json.load(open(sys.argv[2]))["accounts"]}
for c in d["changes"]:
    t = c["tags"]
    assert set(t) == {"drover:source-account", "drover:source-region"}, t
    assert t["drover:source-account"] in accts and t["drover:source-region"] != c["region"], c
PY
'
test_expect_success 'sync tags every server once; boto3 sees the tags' '
    "$DROVER" tags sync >out &&
    grep -q "^16 servers tagged, 0 already up to date, 0 failed" out &&
    sim_metrics m2.json &&
    test "$(jpath m2.json "sum(r[\"count\"] for r in d[\"requests\"] if r[\"operation\"]==\"TagResource\")")" = 16 &&
    python3 "$DROVER_SRC/tests/integration/estate_servers.py" "$SIM_URL" >all &&
    python3 "$DROVER_SRC/tests/integration/estate_servers.py" "$SIM_URL" drover:source-region=us-west-2 >w &&
    python3 "$DROVER_SRC/tests/integration/estate_servers.py" "$SIM_URL" drover:source-region=us-east-1 >e &&
    test "$(cat w e | sort)" = "$(sort all)" && test "$(wc -l <all)" = 16
'
test_expect_success 'a second sync has nothing to do; the inventory shows the tags' '
    "$DROVER" tags sync -o json >again.json &&
    test "$(jpath again.json "[len(d[\"changes\"]), d[\"unchanged\"]]")" = "[0, 16]" &&
    test "$("$DROVER" servers -o json --tag drover:source-region=us-west-2 | python3 -c "import json,sys; print(len(json.load(sys.stdin)[\"servers\"]))")" = "$(wc -l <w)"
'
test_done
