#!/usr/bin/env bash
# make demo: the main job on the embedded simulator. Not built yet; it
# says so honestly and exits non-zero.
cat <<'MSG'
drover demo (not available yet)

When finished, `make demo` will:
  1. install missing dependencies (scripts/deps.sh) and build drover;
  2. start `drover sim` with a bundled estate: 3 spoke accounts, 2 regions,
     about 60 servers of a 3-tier shop (db, app, web) plus an independent batch tier;
  3. register the accounts and discover the estate;
  4. apply protection groups and a plan: db -> app -> web, batch in parallel;
  5. run `drover doctor`, then a drill with live progress;
  6. print the measured RTO per wave, clean up the drill, stop the simulator.

The simulator and the execution engine are not implemented yet.
MSG
exit 1
