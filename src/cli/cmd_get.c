/*
 * cmd_get.c - `drover get groups|plans [NAME] [--history]`: stored groups
 * and plans, as a table or as the normalized documents (-o json|yaml);
 * `drover get executions [ID]` (the same as exec list / exec status).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "cli/execview.h"
#include "core/jsonutil.h"

static const struct cmd_opt get_opts[] = {
    {"history", 0, NULL, "with NAME: every version of the document"},
    {0},
};

static const char *kind_of(const char *what)
{
    if (strcmp(what, "groups") == 0 || strcmp(what, "group") == 0)
        return "ProtectionGroup";
    if (strcmp(what, "plans") == 0 || strcmp(what, "plan") == 0)
        return "RecoveryPlan";
    return NULL;
}

static json_t *doc_json(const struct store_doc *d)
{
    json_t *o = json_deep_copy(d->body);
    json_object_set_new(o, "version", json_integer(d->version));
    return o;
}

static int get_exec(struct cmd_ctx *ctx)
{
    const char *kind = kind_of(ctx->args[0]);
    struct store *st = NULL;
    struct store_doc_list l;
    struct dr_err err;
    json_t *out;
    size_t i;
    int rc;

    if (strcmp(ctx->args[0], "executions") == 0 || strcmp(ctx->args[0], "execution") == 0)
        return execview_get(ctx, ctx->nargs > 1 ? ctx->args[1] : NULL);
    if (!kind)
        return cmd_usage_error(ctx, "get: '%s' is not one of groups, plans, executions",
                               ctx->args[0]);
    if (cmd_flag(ctx, "history") && ctx->nargs < 2)
        return cmd_usage_error(ctx, "--history needs a NAME");
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    dr_err_clear(&err);
    memset(&l, 0, sizeof(l));
    if (ctx->nargs > 1 && !cmd_flag(ctx, "history")) {
        struct store_doc d;
        memset(&d, 0, sizeof(d));
        rc = store_doc_get(st, kind, ctx->args[1], 0, &d, &err);
        store_close(st);
        if (rc == -DR_ENOTFOUND) {
            fprintf(stderr, "drover: %s '%s' not found\n", kind, ctx->args[1]);
            return EXIT_FAIL;
        }
        if (rc < 0)
            return cli_fail(rc, &err);
        out = doc_json(&d);
        store_doc_cleanup(&d);
        rc = cli_print_value(ctx, out);
        json_decref(out);
        return rc;
    }
    rc = ctx->nargs > 1 ? store_doc_history(st, kind, ctx->args[1], &l, &err)
                        : store_doc_list(st, kind, &l, &err);
    store_close(st);
    if (rc < 0)
        return cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") != 0) {
        json_t *arr = json_array();
        for (i = 0; i < l.n; i++)
            json_array_append_new(arr, doc_json(&l.v[i]));
        out = json_pack("{s:o}", strcmp(kind, "RecoveryPlan") == 0 ? "plans" : "groups", arr);
        rc = cli_print_value(ctx, out);
        json_decref(out);
    } else {
        for (i = 0; i < l.n; i++) {
            json_t *b = l.v[i].body;
            if (strcmp(kind, "RecoveryPlan") == 0)
                printf("%-24s version %-4lld %zu wave(s)%s\n", l.v[i].name,
                       (long long)l.v[i].version, json_array_size(json_object_get(b, "waves")),
                       l.v[i].deleted ? " (deleted)" : "");
            else
                printf("%-24s version %-4lld %s%s\n", l.v[i].name, (long long)l.v[i].version,
                       json_object_get(b, "selector") ? "selector" : "explicit servers",
                       l.v[i].deleted ? " (deleted)" : "");
        }
        rc = EXIT_OK;
    }
    store_doc_list_cleanup(&l);
    return rc;
}

const struct cmd_entry cmd_get_entry = {
    .name = "get",
    .summary = "show stored protection groups, recovery plans and executions",
    .usage = "drover get groups|plans|executions [NAME|ID] [--history] [-o json|yaml]",
    .opts = get_opts,
    .min_args = 1,
    .max_args = 2,
    .exec = get_exec,
};
