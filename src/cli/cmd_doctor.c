/*
 * cmd_doctor.c - `drover doctor [--plan NAME] [--account ID] [--region R]
 * [-o json|table|html]`: runs the readiness checks (src/doctor) over the
 * registered accounts and prints the findings; exit 1 when any finding is
 * above WARNING. Thin: loads the accounts and the plan from the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/jsonutil.h"
#include "doctor/doctor.h"

static const struct cmd_opt doctor_opts[] = {
    {"plan", 0, "NAME", "also check this recovery plan: its servers, launch and quotas"},
    {"account", 0, "ID", "only this registered account"},
    {"region", 0, "REGION", "only this region"},
    {"verbose-table", 0, NULL, "table output with each finding's evidence and fix"},
    {0},
};

/* The plan and its groups (object name -> group) from the store. */
static int load_plan(const struct cmd_ctx *ctx, struct store *st, const char *name, json_t **plan,
                     json_t **groups)
{
    struct store_doc doc;
    struct store_doc_list l = {0};
    struct dr_err err;
    int rc;
    dr_err_clear(&err);
    memset(&doc, 0, sizeof doc);
    rc = store_doc_get(st, "RecoveryPlan", name, 0, &doc, &err);
    if (rc == -DR_ENOTFOUND) {
        fprintf(stderr, "drover: --plan %s: no such recovery plan (drover apply -f FILE)\n", name);
        return EXIT_USAGE;
    }
    if (rc < 0)
        return cli_fail(rc, &err);
    *plan = json_incref(doc.body);
    store_doc_cleanup(&doc);
    if ((rc = store_doc_list(st, "ProtectionGroup", &l, &err)) < 0) {
        json_decref(*plan);
        return cli_fail(rc, &err);
    }
    *groups = json_object();
    for (size_t i = 0; i < l.n; i++)
        json_object_set(*groups, l.v[i].name, l.v[i].body);
    store_doc_list_cleanup(&l);
    (void)ctx;
    return EXIT_OK;
}

static int print_report(const struct cmd_ctx *ctx, const json_t *report)
{
    const char *o = cli_output(ctx);
    struct buf b;
    struct dr_err err;
    int rc = 0;
    dr_err_clear(&err);
    if (!strcmp(o, "json") || !strcmp(o, "yaml"))
        return cli_print_value(ctx, report);
    buf_init(&b, (size_t)256 << 20);
    if (!strcmp(o, "html"))
        rc = doctor_render_html(report, &b, &err);
    else if (!strcmp(o, "table"))
        rc = doctor_render_table(report, cmd_flag(ctx, "verbose-table"), &b, &err);
    else
        rc = dr_err_set(&err, DR_EINVAL, "-o %s: doctor prints json, yaml, table or html", o);
    if (rc == 0)
        fwrite(b.p, 1, b.len, stdout);
    buf_cleanup(&b);
    return rc < 0 ? cli_fail(rc, &err) : EXIT_OK;
}

static int doctor_exec(struct cmd_ctx *ctx)
{
    struct store *st = NULL;
    struct store_account_list l = {0};
    struct doctor_account *accts = NULL;
    struct doctor_opts o;
    struct aws_client *c = NULL;
    json_t *plan = NULL, *groups = NULL, *report = NULL;
    struct dr_err err;
    const char *only = cmd_opt(ctx, "account");
    const char *o_fmt = cli_output(ctx);
    int rc;

    dr_err_clear(&err);
    memset(&o, 0, sizeof o);
    if (strcmp(o_fmt, "json") && strcmp(o_fmt, "yaml") && strcmp(o_fmt, "table") &&
        strcmp(o_fmt, "html"))
        return cmd_usage_error(ctx, "-o %s: doctor prints json, yaml, table or html", o_fmt);
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    if ((rc = store_account_list(st, &l, &err)) < 0) {
        rc = cli_fail(rc, &err);
        goto out;
    }
    accts = calloc(l.n ? l.n : 1, sizeof(*accts));
    if (!accts) {
        rc = EXIT_FAIL;
        goto out;
    }
    for (size_t i = 0; i < l.n; i++) {
        if (only && strcmp(only, l.v[i].account_id) != 0)
            continue;
        struct doctor_account *a = &accts[o.naccounts++];
        a->account_id = l.v[i].account_id;
        a->role_arn = l.v[i].role_arn;
        a->external_id = l.v[i].external_id;
        a->regions = (const char *const *)l.v[i].regions;
        a->nregions = l.v[i].nregions;
    }
    if (only && o.naccounts == 0) {
        fprintf(stderr,
                "drover: --account %s: the account is not registered (drover accounts "
                "add)\n",
                only);
        rc = EXIT_USAGE;
        goto out;
    }
    if (l.n == 0) {
        fprintf(stderr, "drover: no accounts are registered (drover accounts add)\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (cmd_opt(ctx, "plan") &&
        (rc = load_plan(ctx, st, cmd_opt(ctx, "plan"), &plan, &groups)) != EXIT_OK)
        goto out;
    o.accounts = accts;
    o.region = cmd_opt(ctx, "region");
    o.plan = plan;
    o.groups = groups;
    if (cli_client_new(ctx, &c, &err) < 0) {
        rc = cli_fail(-DR_ECRED, &err);
        goto out;
    }
    if ((rc = doctor_run(c, &o, &report, &err)) < 0) {
        rc = cli_fail(rc, &err);
        goto out;
    }
    rc = print_report(ctx, report);
    if (rc == EXIT_OK && doctor_report_failed(report))
        rc = EXIT_FAIL;
out:
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
    aws_client_free(c);
    free(accts);
    store_account_list_cleanup(&l);
    store_close(st);
    return rc;
}

const struct cmd_entry cmd_doctor_entry = {
    .name = "doctor",
    .summary = "prove that a recovery will work: trust, KMS, DRS, network, launch and quota checks",
    .usage = "drover doctor [--plan NAME] [--account ID] [--region R] [-o json|table|html]",
    .help = "Reads the real configuration of every registered account-region through AWS APIs\n"
            "(assuming each spoke role) and reports findings with a stable check ID, severity,\n"
            "evidence and fix. Exit 0 when nothing is above WARNING, else 1. Check IDs:\n"
            "docs/doctor.md.",
    .opts = doctor_opts,
    .min_args = 0,
    .max_args = 0,
    .exec = doctor_exec,
    .extra_output = "html",
};
