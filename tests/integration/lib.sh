# lib.sh - shared helpers for integration tests (git-style): each test is
# tests/integration/tNNNN-area-detail.sh, sources this file, and runs
# test_expect_success blocks. Servers a test starts listen on 127.0.0.1
# and are stopped by PID on exit.
set -u
DROVER=${DROVER:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/drover}
DROVER_SRC=${DROVER_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DROVER_SHARED=${DROVER_SHARED:-$DROVER_SRC/../shared}
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/drover-$TEST_NAME.XXXXXX")
export DROVER_HOME="$TRASH/home"
mkdir -p "$TRASH/work" && cd "$TRASH/work" || exit 1
export HOME="$TRASH"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export AWS_EC2_METADATA_DISABLED=true
_pids=()
_failed=0
_count=0

cleanup() {
    local p
    # PIDs tracked inside test subshells only reach the file
    if [ -f "$TRASH/pids" ]; then
        while read -r p; do _pids+=("$p"); done <"$TRASH/pids"
    fi
    for p in "${_pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$TRASH"
}
trap cleanup EXIT

# Register a background PID to stop at exit (also from a test's subshell).
track_pid() {
    _pids+=("$1")
    echo "$1" >>"$TRASH/pids"
}

say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

test_expect_success() {
    local desc=$1 body=$2
    _count=$((_count + 1))
    if (eval "$body") >"$TRASH/out.$_count" 2>&1; then
        say "ok $_count - $desc"
    else
        say "FAIL $_count - $desc"
        sed 's/^/    | /' "$TRASH/out.$_count"
        _failed=$((_failed + 1))
    fi
}

test_must_fail() {
    local want=${EXPECT_RC:-}
    "$@"
    local rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "expected failure, got success: $*"
        return 1
    fi
    if [ -n "$want" ] && [ "$rc" -ne "$want" ]; then
        echo "expected exit $want, got $rc: $*"
        return 1
    fi
    return 0
}

test_cmp() { diff -u "$1" "$2"; }

skip_all() {
    say "skipped: $*"
    exit 0
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [seconds]: waits until URL answers.
wait_http() {
    local url=$1 n=${2:-30} i
    for ((i = 0; i < n * 10; i++)); do
        curl -s -o /dev/null "$url" && return 0
        sleep 0.1
    done
    echo "timed out waiting for $url"
    return 1
}

# Starts moto on a free port; sets MOTO_URL.
start_moto() {
    python3 -c 'import moto' 2>/dev/null || skip_all "moto is not installed"
    MOTO_PORT=$(free_port)
    python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$TRASH/moto.log" 2>&1 &
    track_pid $!
    MOTO_URL="http://127.0.0.1:$MOTO_PORT"
    wait_http "$MOTO_URL/moto-api/" 60 || { cat "$TRASH/moto.log"; exit 1; }
}

# start_faultserver SCRIPT: starts tests/tools/faultserver.py (SCRIPT is a
# JSON file or inline JSON array); sets FAULT_URL and FAULT_LOG (JSON lines,
# one per request received).
start_faultserver() {
    local pf="$TRASH/fault.port.$$.$RANDOM" i
    FAULT_LOG="$TRASH/fault.$RANDOM.log"
    python3 "$DROVER_SRC/tests/tools/faultserver.py" --script "$1" --log "$FAULT_LOG" \
        --port-file "$pf" >"$TRASH/fault.out" 2>&1 &
    track_pid $!
    for ((i = 0; i < 100; i++)); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    [ -s "$pf" ] || { echo "faultserver did not start"; cat "$TRASH/fault.out"; return 1; }
    FAULT_URL="http://127.0.0.1:$(cat "$pf")"
}

test_done() {
    if [ "$_failed" -gt 0 ]; then
        say "$_failed of $_count failed"
        exit 1
    fi
    say "all $_count passed"
    exit 0
}

# jpath FILE EXPR: evaluates a Python expression over the JSON in FILE
# (bound to d) and prints the result; e.g. jpath out '"%d" % len(d["Vpcs"])'.
jpath() {
    python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (dict, list)) else r)
PY
}

# moto_env: hub credentials for moto (account 123456789012).
moto_env() {
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
    export AWS_REGION=us-east-1
    export AWS_ENDPOINT_URL="$MOTO_URL"
}

# sim_spawn LOG ARGS...: starts `drover sim` with ARGS on a port the kernel
# picks (--listen 127.0.0.1:0, so two tests never race for one port), logs to
# LOG, waits until it serves; sets SIM_PORT and SIM_PID.
sim_spawn() {
    local log=$1 i
    shift
    rm -f "$log" # a previous simulator's line must not be read as this one's
    "$DROVER" sim --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
    SIM_PID=$!
    track_pid $SIM_PID
    SIM_PORT=
    for ((i = 0; i < 300; i++)); do
        SIM_PORT=$(sed -n 's|^drover sim: listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log" 2>/dev/null)
        [ -n "$SIM_PORT" ] && break
        kill -0 $SIM_PID 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$SIM_PORT" ] || { echo "drover sim did not start"; cat "$log"; return 1; }
    wait_http "http://127.0.0.1:$SIM_PORT/_sim/health" 30 || { cat "$log"; return 1; }
}

# start_sim ARGS...: starts `drover sim` (sim_spawn) with ARGS (an estate
# or --generate, --time-scale, ...); sets SIM_URL, SIM_PID and the hub
# credentials (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_REGION); the estate is in $TRASH/estate.json.
start_sim() {
    sim_spawn "$TRASH/sim.log" --quiet "$@" || exit 1
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    curl -s "$SIM_URL/_sim/estate" >"$TRASH/estate.json"
    export AWS_ENDPOINT_URL="$SIM_URL" AWS_REGION=us-east-1
    AWS_ACCESS_KEY_ID=$(jpath "$TRASH/estate.json" 'd["hub"]["access_key_id"]')
    AWS_SECRET_ACCESS_KEY=$(jpath "$TRASH/estate.json" 'd["hub"]["secret_access_key"]')
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

# sim_register: registers every account of $TRASH/estate.json with drover.
sim_register() {
    python3 - "$TRASH/estate.json" <<'PY' | while read -r acct role xid regions; do
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["account_id"], a["role_arn"], a["external_id"], ",".join(a["regions"]))
PY
        "$DROVER" accounts add "$acct" --role-arn "$role" --external-id "$xid" \
            --regions "$regions" >/dev/null || return 1
    done
}

# sim_post PATH JSON: POST a control request to the simulator.
sim_post() {
    curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$SIM_URL$1" >/dev/null
}

# sim_metrics FILE: saves /_sim/metrics to FILE.
sim_metrics() { curl -s "$SIM_URL/_sim/metrics" >"$1"; }

# exec_latest: the newest execution's ID ("none" when there is none).
exec_latest() {
    "$DROVER" exec list -o json |
        python3 -c 'import json,sys; e=json.load(sys.stdin)["executions"]; print(e[0]["id"] if e else "none")'
}

# exec_new_id PREV: waits (up to 20 s) until an execution newer than PREV is
# recorded (started in the background) and prints its ID.
exec_new_id() {
    local i id
    for ((i = 0; i < 200; i++)); do
        id=$(exec_latest)
        [ "$id" != "$1" ] && [ "$id" != none ] && { echo "$id"; return 0; }
        sleep 0.1
    done
    echo "no new execution after $1" >&2
    return 1
}
