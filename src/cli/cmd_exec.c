/*
 * cmd_exec.c - `drover exec start|status|watch|pause|resume|cancel|cleanup|list`:
 * executions of recovery plans (cli.md). The engine (src/engine/) does
 * the work; this file parses, prints and picks foreground or background.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "cli/execview.h"
#include "core/timeutil.h"
#include "engine/engine.h"

/* After creating an execution: run it (--wait) or say who will. */
static int run_or_hand_off(struct cmd_ctx *ctx, struct store *st, const char *id)
{
    struct store_exec_full f;
    struct dr_err err;
    int rc;

    dr_err_clear(&err);
    if (!cmd_flag(ctx, "wait")) {
        if (cmd_output_json(ctx)) {
            json_t *v = json_pack("{s:s}", "id", id);
            rc = cli_print_value(ctx, v);
            json_decref(v);
        } else {
            printf("%s\n", id);
            rc = EXIT_OK;
        }
        if (!execview_worker_running(ctx))
            fprintf(stderr,
                    "drover: %s is PENDING and no worker is running: start `drover worker` or "
                    "run it here with `drover exec resume %s --wait`\n",
                    id, id);
        return rc;
    }
    if (!cmd_output_json(ctx))
        fprintf(stderr, "execution %s\n", id);
    rc = execview_run(ctx, st, id, false, cmd_output_json(ctx), &err);
    if (rc < 0)
        return cli_fail(rc, &err);
    if ((rc = store_exec_get_full(st, id, &f, &err)) < 0)
        return cli_fail(rc, &err);
    rc = execview_print_status(ctx, &f);
    if (rc == EXIT_OK)
        rc = execview_exit_code(f.e.state);
    store_exec_full_cleanup(&f);
    return rc;
}

static int start_exec(struct cmd_ctx *ctx)
{
    bool drill = cmd_flag(ctx, "drill"), recovery = cmd_flag(ctx, "recovery");
    struct store *st = NULL;
    struct dr_err err;
    char *id = NULL;
    int rc;

    dr_err_clear(&err);
    if (drill == recovery)
        return cmd_usage_error(ctx, "kind: give exactly one of --drill or --recovery");
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    rc = engine_create(st, ctx->args[0], drill ? "DRILL" : "RECOVERY", &id, &err);
    if (rc < 0)
        rc = cli_fail(rc, &err);
    else
        rc = run_or_hand_off(ctx, st, id);
    free(id);
    store_close(st);
    return rc;
}

static int cleanup_exec(struct cmd_ctx *ctx)
{
    struct store *st = NULL;
    struct dr_err err;
    char *id = NULL;
    int rc;

    dr_err_clear(&err);
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    rc = engine_create_cleanup(st, ctx->args[0], &id, &err);
    if (rc < 0)
        rc = cli_fail(rc, &err);
    else
        rc = run_or_hand_off(ctx, st, id);
    free(id);
    store_close(st);
    return rc;
}

static int status_exec(struct cmd_ctx *ctx)
{
    return execview_get(ctx, ctx->args[0]);
}

static int watch_exec(struct cmd_ctx *ctx)
{
    struct store *st = NULL;
    struct store_exec_full f;
    struct dr_err err;
    int rc;

    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    rc = execview_watch(ctx, st, ctx->args[0], &err);
    if (rc < 0) {
        rc = cli_fail(rc, &err);
    } else if (store_exec_get_full(st, ctx->args[0], &f, &err) == 0) {
        if (rc == 1)
            fprintf(stderr, "drover: nothing drives %s any more: `drover exec resume %s --wait`\n",
                    f.e.id, f.e.id);
        rc = execview_print_status(ctx, &f);
        if (rc == EXIT_OK)
            rc = execview_exit_code(f.e.state);
        store_exec_full_cleanup(&f);
    }
    store_close(st);
    return rc;
}

/* pause / cancel: an operator request the driving process picks up. */
static int request_exec(struct cmd_ctx *ctx, const char *what)
{
    struct store *st = NULL;
    struct store_exec e;
    struct dr_err err;
    int rc;

    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    rc = store_exec_get(st, ctx->args[0], false, &e, &err);
    if (rc == 0 && engine_state_terminal(e.state))
        rc = dr_err_set(&err, DR_EINVAL, "execution %s already ended (%s)", e.id, e.state);
    if (rc == 0)
        rc = store_exec_set_request(st, ctx->args[0], what, &err);
    if (rc < 0) {
        rc = cli_fail(rc, &err);
    } else {
        printf("%s requested for %s%s\n", what, ctx->args[0],
               strcmp(what, "pause") == 0 ? ": no new wave starts; running waves finish"
                                          : ": no new job starts; running jobs are tracked to "
                                            "their end");
        if (!engine_lease_live(&e, time_now_ms()) && strcmp(e.state, "PENDING") != 0)
            fprintf(stderr,
                    "drover: no process drives %s now; the request applies when it "
                    "resumes\n",
                    e.id);
        rc = EXIT_OK;
    }
    store_exec_cleanup(&e);
    store_close(st);
    return rc;
}

static int pause_exec(struct cmd_ctx *ctx)
{
    return request_exec(ctx, "pause");
}

static int cancel_exec(struct cmd_ctx *ctx)
{
    return request_exec(ctx, "cancel");
}

static int resume_exec(struct cmd_ctx *ctx)
{
    const char *id = ctx->args[0];
    struct store *st = NULL;
    struct store_exec e;
    struct dr_err err;
    int rc, approved = 0;

    dr_err_clear(&err);
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    memset(&e, 0, sizeof(e));
    rc = store_exec_get(st, id, false, &e, &err);
    if (rc == 0 && e.request && strcmp(e.request, "pause") == 0)
        rc = store_exec_clear_request(st, id, "pause", &err);
    if (rc == 0)
        rc = store_exec_approve_waiting(st, id, &approved, &err);
    if (rc < 0) {
        rc = cli_fail(rc, &err);
        goto out;
    }
    if (engine_state_terminal(e.state)) {
        printf("%s already ended (%s)\n", id, e.state);
        rc = execview_exit_code(e.state);
        goto out;
    }
    if (!cmd_output_json(ctx))
        fprintf(stderr, "resuming %s%s\n", id, approved ? " (approval gate opened)" : "");
    if (!cmd_flag(ctx, "wait")) {
        if (!engine_lease_live(&e, time_now_ms()) && !execview_worker_running(ctx))
            fprintf(stderr,
                    "drover: no process drives %s and no worker is running: run `drover exec "
                    "resume %s --wait` or `drover worker`\n",
                    id, id);
        rc = EXIT_OK;
        goto out;
    }
    for (;;) {
        struct store_exec_full f;
        rc = execview_run(ctx, st, id, false, cmd_output_json(ctx), &err);
        if (rc == -DR_ECONFLICT) {
            /* a live process drives it: follow it, take over if it goes away */
            fprintf(stderr, "drover: %s\n", err.msg);
            if ((rc = execview_watch(ctx, st, id, &err)) == 1)
                continue;
        }
        if (rc < 0) {
            rc = cli_fail(rc, &err);
            goto out;
        }
        if ((rc = store_exec_get_full(st, id, &f, &err)) < 0) {
            rc = cli_fail(rc, &err);
            goto out;
        }
        rc = execview_print_status(ctx, &f);
        if (rc == EXIT_OK)
            rc = execview_exit_code(f.e.state);
        store_exec_full_cleanup(&f);
        break;
    }
out:
    store_exec_cleanup(&e);
    store_close(st);
    return rc;
}

static int list_exec(struct cmd_ctx *ctx)
{
    return execview_get(ctx, NULL);
}

static const struct cmd_opt wait_opts[] = {
    {"wait", 0, NULL, "run it here, with live progress, until it ends"},
    {0},
};
static const struct cmd_opt none_opts[] = {{0}};

static const struct cmd_entry exec_start_entry = {
    .name = "start",
    .summary = "start a drill or a recovery of a plan",
    .usage = "drover exec start PLAN (--drill|--recovery) [--wait] [-o json]",
    .help = "Resolves the plan's groups against the inventory and records the execution.\n"
            "Without --wait it stays PENDING for `drover worker` (or `exec resume ID --wait`).\n"
            "Exit code with --wait: 0 COMPLETED or PARTIAL, 1 FAILED or CANCELLED.",
    .opts =
        (const struct cmd_opt[]){
            {"drill", 0, NULL, "a drill: recovery instances are isolated test launches"},
            {"recovery", 0, NULL, "a real recovery (failover)"},
            {"wait", 0, NULL, "run it here, with live progress, until it ends"},
            {0},
        },
    .min_args = 1,
    .max_args = 1,
    .exec = start_exec,
};

static const struct cmd_entry exec_status_entry = {
    .name = "status",
    .summary = "show an execution: waves, servers, errors, measured RTO",
    .usage = "drover exec status ID [-o json|yaml]",
    .opts = none_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = status_exec,
};

static const struct cmd_entry exec_watch_entry = {
    .name = "watch",
    .summary = "follow an execution driven by another process until it ends",
    .usage = "drover exec watch ID",
    .opts = none_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = watch_exec,
};

static const struct cmd_entry exec_pause_entry = {
    .name = "pause",
    .summary = "stop before the next wave starts",
    .usage = "drover exec pause ID",
    .opts = none_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = pause_exec,
};

static const struct cmd_entry exec_resume_entry = {
    .name = "resume",
    .summary = "lift a pause, open approval gates; --wait drives it here (takes over)",
    .usage = "drover exec resume ID [--wait]",
    .help = "With --wait, continues an execution whose process died: at once when the\n"
            "owner was a dead process on this host, otherwise once its lease expires.",
    .opts = wait_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = resume_exec,
};

static const struct cmd_entry exec_cancel_entry = {
    .name = "cancel",
    .summary = "start no new job; running jobs are tracked to their end",
    .usage = "drover exec cancel ID",
    .opts = none_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = cancel_exec,
};

static const struct cmd_entry exec_cleanup_entry = {
    .name = "cleanup",
    .summary = "terminate a drill's recovery instances (and prove they are gone)",
    .usage = "drover exec cleanup DRILL_ID [--wait] [-o json]",
    .help = "Creates a CLEANUP execution. Only instances this drill launched are\n"
            "terminated: each is checked to be a drill instance of the drill's job first.",
    .opts = wait_opts,
    .min_args = 1,
    .max_args = 1,
    .exec = cleanup_exec,
};

static const struct cmd_entry exec_list_entry = {
    .name = "list",
    .summary = "list executions, newest first",
    .usage = "drover exec list [-o json|yaml]",
    .opts = none_opts,
    .min_args = 0,
    .max_args = 0,
    .exec = list_exec,
};

static const struct cmd_entry *const exec_subs[] = {
    &exec_start_entry,   &exec_status_entry, &exec_watch_entry,
    &exec_pause_entry,   &exec_resume_entry, &exec_cancel_entry,
    &exec_cleanup_entry, &exec_list_entry,   NULL,
};

const struct cmd_entry cmd_exec_entry = {
    .name = "exec",
    .summary = "run recovery plans: drills, recoveries, cleanups",
    .usage = "drover exec start|status|watch|pause|resume|cancel|cleanup|list ...",
    .subs = exec_subs,
};
