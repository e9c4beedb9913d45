/*
 * execview.h - what `drover exec` and `drover worker` share: driving an
 * execution in the foreground with live progress (one redrawn line per
 * wave on a TTY, one line per state change otherwise), the status table
 * with measured RTO, and the worker's presence file. CLI-only.
 */
#ifndef DROVER_CLI_EXECVIEW_H
#define DROVER_CLI_EXECVIEW_H

#include <stdbool.h>

#include "cli/cmd.h"
#include "store/exec.h"

/* Runs execution `id` to its end (or, stop_when_paused, until it pauses) with progress on
 * stderr (unless quiet). SIGINT/SIGTERM stop it cleanly (lease released). Returns 0
 * terminal, 1 paused, 2 interrupted, <0 with err set. */
int execview_run(const struct cmd_ctx *ctx, struct store *st, const char *id, bool stop_when_paused,
                 bool quiet, struct dr_err *err);
/* Whether SIGINT or SIGTERM arrived during execview_run. */
bool execview_interrupted(void);
/* Follows an execution driven by another process until it ends or its lease lapses.
 * Returns 0 when it ended, 1 when its driver is gone (the lease expired or died). */
int execview_watch(const struct cmd_ctx *ctx, struct store *st, const char *id, struct dr_err *err);
/* Prints the status of an execution per -o (json: cli.md; table: waves with RTO). */
int execview_print_status(const struct cmd_ctx *ctx, const struct store_exec_full *f);
/* `exec list` (id NULL) or one execution's status, per -o. Returns an exit code. */
int execview_get(const struct cmd_ctx *ctx, const char *id);
/* Exit code for a terminal state: 0 COMPLETED or PARTIAL, 1 otherwise. */
int execview_exit_code(const char *state);

/* The worker's presence file $HOME/worker.pid. */
int execview_worker_mark(const struct cmd_ctx *ctx, bool present);
bool execview_worker_running(const struct cmd_ctx *ctx);

#endif
