#!/usr/bin/env bash
# t0690-demo: `make demo`'s script runs to the end on the simulator, leaves
# no process behind, and its output matches the transcript in README.md.
. "$(dirname "$0")/lib.sh"
cd "$TRASH" || exit 1

test_expect_success 'the demo runs and finishes' '
    DROVER_DEMO_SKIP_BUILD=1 bash "$DROVER_SRC/scripts/demo.sh" >demo.out 2>&1 ||
        { tail -40 demo.out; false; }
    grep -q "simulator stopped; demo finished" demo.out
'
test_expect_success 'the drill completed and the cleanup removed every instance' '
    grep -q "plan shop v1  DRILL  COMPLETED" demo.out &&
    grep -q "plan shop v1  CLEANUP  COMPLETED" demo.out &&
    grep -Eq "^cleanup +COMPLETED +72/72 +0$" demo.out
'
test_expect_success 'no simulator is left running' '
    ! pgrep -f "drover sim --listen 127.0.0.1:[0-9]+ --estate examples/demo-estate.yaml" >/dev/null
'
test_expect_success 'the README transcript matches the output' '
    python3 "$DROVER_SRC/tests/integration/exec/readme_demo.py" "$DROVER_SRC/README.md" demo.out
'
test_done
