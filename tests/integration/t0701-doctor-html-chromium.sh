#!/usr/bin/env bash
# t0701-doctor-html-chromium: the HTML report of the broken estate renders in
# headless Chromium (Debian chromium) to a non-empty PNG, and the page holds
# every finding ID. Skipped, saying so, when chromium is not installed
# (scripts/deps.sh installs it).
. "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip_all "chromium is not installed (apt-get install -y chromium)"

EX="$DROVER_SRC/examples"
PORT=$(free_port)
"$DROVER" sim --listen "127.0.0.1:$PORT" --estate "$EX/broken-estate.yaml" >"$TRASH/sim.log" 2>&1 &
track_pid $!
wait_http "http://127.0.0.1:$PORT/_sim/health" 20 || { cat "$TRASH/sim.log"; exit 1; }
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIASIMHUB000000DOCT AWS_SECRET_ACCESS_KEY=doctorsecret000000000000000000000000000

test_expect_success 'the HTML report renders to a non-empty PNG and names every finding' '
    "$DROVER" accounts add 222222222222 --role-arn arn:aws:iam::222222222222:role/DroverSpokeRole \
        --external-id clean-target-external-id-0002 --regions us-west-2 >/dev/null &&
    "$DROVER" accounts add 333333333333 --role-arn arn:aws:iam::333333333333:role/DroverSpokeRole \
        --external-id wrong-wrong-wrong-wrong --regions us-west-2 >/dev/null &&
    EXPECT_RC=1 test_must_fail "$DROVER" doctor -o html >report.html &&
    "$DROVER" doctor -o json >report.json || true &&
    for id in $(jpath report.json "\" \".join(sorted(set(f[\"id\"] for f in d[\"findings\"])))"); do
        grep -q ">$id<" report.html || return 1
    done &&
    test "$(jpath report.json "len(d[\"findings\"])")" -ge 10 &&
    HOME="$TRASH" timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1400,1200 --screenshot="$PWD/report.png" "file://$PWD/report.html" \
        >chrome.log 2>&1 &&
    test -s report.png &&
    test "$(head -c 8 report.png | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
    test "$(stat -c %s report.png)" -gt 10000
'
test_done
