/*
 * cmd_apply.c - `drover apply -f FILE`: stores ProtectionGroup and
 * RecoveryPlan documents (all or nothing), reporting every problem with
 * its path and line.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/jsonutil.h"
#include "core/yamljson.h"
#include "plan/apply.h"

static const struct cmd_opt apply_opts[] = {
    {"file", 'f', "FILE", "YAML or JSON file with one or more documents ('-' for stdin)"},
    {0},
};

static int apply_exec(struct cmd_ctx *ctx)
{
    const char *file = cmd_opt(ctx, "file");
    json_t *docs = NULL, *lines = NULL, *res = NULL, *r;
    struct store *st = NULL;
    struct plan_issues is;
    struct dr_err err;
    size_t i;
    int rc;

    if (!file)
        return cmd_usage_error(ctx, "apply needs -f FILE");
    dr_err_clear(&err);
    if (yaml_load_path(file, &docs, &lines, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        return err.status == DR_EINVAL || err.status == DR_ENOTFOUND ? EXIT_USAGE : EXIT_FAIL;
    }
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK) {
        json_decref(docs);
        json_decref(lines);
        return rc;
    }
    plan_issues_init(&is, file);
    rc = plan_apply(st, docs, lines, &is, &res, &err);
    if (rc == -DR_EINVAL && is.errors) {
        plan_issues_print(&is);
        fprintf(stderr, "drover: %zu problem(s); nothing was applied\n", is.errors);
        rc = EXIT_USAGE;
    } else if (rc < 0) {
        rc = cli_fail(rc, &err);
    } else {
        if (cmd_output_json(ctx)) {
            json_t *o = json_pack("{s:O}", "applied", res);
            json_print(o);
            json_decref(o);
        } else {
            json_array_foreach(res, i, r)
            {
                printf("%s/%s %s (version %lld)\n", json_str_borrow(r, "kind"),
                       json_str_borrow(r, "name"),
                       json_is_true(json_object_get(r, "changed")) ? "configured" : "unchanged",
                       (long long)json_int_or(r, "version", 0));
            }
        }
        rc = EXIT_OK;
    }
    plan_issues_cleanup(&is);
    json_decref(res);
    json_decref(docs);
    json_decref(lines);
    store_close(st);
    return rc;
}

const struct cmd_entry cmd_apply_entry = {
    .name = "apply",
    .summary = "store protection groups and recovery plans from a YAML file",
    .usage = "drover apply -f FILE",
    .help = "Every document is validated first (with paths and line numbers); when any is\n"
            "invalid, nothing is stored. Each document keeps its version history.",
    .opts = apply_opts,
    .min_args = 0,
    .max_args = 0,
    .exec = apply_exec,
};
