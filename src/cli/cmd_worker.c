/*
 * cmd_worker.c - `drover worker [--once]`: runs every PENDING execution and
 * takes over orphaned ones (their lease expired, or their owner on this
 * host died). --once stops when none is left to run.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "cli/execview.h"
#include "core/timeutil.h"
#include "engine/engine.h"

static volatile sig_atomic_t worker_stop; /* CLI process state, set by the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

/* The next execution to run: PENDING, RUNNING or PAUSED without a live driver. */
static int next_runnable(struct store *st, char *id, size_t n, struct dr_err *err)
{
    struct store_exec_list l;
    int64_t now = time_now_ms();
    int rc, found = 0;

    if ((rc = store_exec_list(st, &l, err)) < 0)
        return rc;
    for (size_t i = l.n; i-- > 0 && !found;) { /* oldest first */
        const struct store_exec *e = &l.v[i];
        if (engine_state_terminal(e->state) || engine_lease_live(e, now))
            continue;
        if (strcmp(e->state, "PAUSED") == 0 && e->request && !strcmp(e->request, "pause"))
            continue; /* paused by the operator: waits for `exec resume` */
        snprintf(id, n, "%s", e->id);
        found = 1;
    }
    store_exec_list_cleanup(&l);
    return found;
}

static int worker_exec(struct cmd_ctx *ctx)
{
    bool once = cmd_flag(ctx, "once");
    struct store *st = NULL;
    struct dr_err err;
    char skip[64] = "";
    int rc, status = EXIT_OK;

    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    execview_worker_mark(ctx, true);
    fprintf(stderr, "drover worker: running (pid %ld)\n", (long)getpid());
    while (!worker_stop && !execview_interrupted()) {
        char id[64];
        rc = next_runnable(st, id, sizeof(id), &err);
        if (rc < 0) {
            status = cli_fail(rc, &err);
            break;
        }
        if (rc == 1 && strcmp(id, skip) != 0) {
            fprintf(stderr, "drover worker: running %s\n", id);
            rc = execview_run(ctx, st, id, true, true, &err);
            if (rc == 2) {
                fprintf(stderr, "drover worker: interrupted; %s is left for the next worker\n", id);
                break;
            }
            if (rc < 0) {
                fprintf(stderr, "drover worker: %s: %s\n", id, err.msg);
                snprintf(skip, sizeof(skip), "%s", id); /* do not spin on it */
                status = EXIT_FAIL;
            } else {
                struct store_exec e;
                if (store_exec_get(st, id, false, &e, NULL) == 0) {
                    fprintf(stderr, "drover worker: %s %s\n", id, e.state);
                    store_exec_cleanup(&e);
                }
                if (rc == 1)
                    snprintf(skip, sizeof(skip), "%s", id); /* paused at a gate */
            }
            continue;
        }
        if (once)
            break;
        skip[0] = 0;
        {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    execview_worker_mark(ctx, false);
    store_close(st);
    return status;
}

const struct cmd_entry cmd_worker_entry = {
    .name = "worker",
    .summary = "run pending executions and take over orphaned ones",
    .usage = "drover worker [--once]",
    .opts =
        (const struct cmd_opt[]){
            {"once", 0, NULL, "stop when no execution is left to run"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = worker_exec,
};
