/*
 * cmd_discover.c - `drover discover [--accounts a,b] [--regions r1,r2]`:
 * refreshes the stored inventory of every registered account-region
 * concurrently (src/inventory/discover.c) and prints a table per
 * account-region, or the cli.md JSON with -o json. Exit 0 when every
 * account-region succeeded, 1 when some failed (partial), 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/str.h"
#include "inventory/accounts.h"
#include "inventory/discover.h"

#define MAX_SELECT 1024

struct progress_state {
    bool tty;
    bool shown;
};

static void on_progress(void *ud, const struct discover_progress *p)
{
    struct progress_state *ps = ud;

    if (!ps->tty)
        return;
    fprintf(stderr, "\rdiscover: %zu/%zu account-regions, %lld servers found", p->done, p->total,
            (long long)p->servers);
    fflush(stderr);
    ps->shown = true;
}

static int discover_exec(struct cmd_ctx *ctx)
{
    const char *accts[MAX_SELECT], *regs[MAX_SELECT];
    struct discover_opts o;
    struct discover_result r;
    struct progress_state ps = {false, false};
    struct aws_client *c = NULL;
    struct store *s = NULL;
    struct dr_err err;
    char *abuf = NULL, *rbuf = NULL;
    const char *v;
    int rc, exit_rc = EXIT_FAIL;

    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    dr_err_clear(&err);
    if ((v = cmd_opt(ctx, "accounts"))) {
        if (cli_split_csv(v, &abuf, accts, MAX_SELECT, &o.naccounts) < 0) {
            free(abuf);
            return cmd_usage_error(ctx, "accounts: expected a comma-separated list of IDs");
        }
        o.accounts = accts;
    }
    if ((v = cmd_opt(ctx, "regions"))) {
        if (cli_split_csv(v, &rbuf, regs, MAX_SELECT, &o.nregions) < 0) {
            free(abuf);
            free(rbuf);
            return cmd_usage_error(ctx, "regions: expected a comma-separated list of regions");
        }
        o.regions = regs;
    }
    if ((v = cmd_opt(ctx, "page-size"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 1 || n > DISCOVER_DRS_PAGE) {
            free(abuf);
            free(rbuf);
            return cmd_usage_error(ctx, "page-size: must be 1 to %d, not '%s'", DISCOVER_DRS_PAGE,
                                   v);
        }
        o.page_size = (int)n;
    }
    o.no_enrich = cmd_flag(ctx, "no-enrich");
    ps.tty = !ctx->g.quiet && isatty(STDERR_FILENO);
    o.progress = on_progress;
    o.progress_ud = &ps;
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        goto out_free;
    if (cli_client_new(ctx, &c, &err) < 0) {
        exit_rc = cli_fail(-(int)err.status, &err);
        goto out;
    }
    rc = inventory_discover(s, c, &o, &r, &err);
    if (ps.shown)
        fputc('\n', stderr);
    if (rc < 0) {
        exit_rc = cli_fail(rc, &err);
        goto out;
    }
    if (strcmp(cli_output(ctx), "table") == 0) {
        struct buf b;
        buf_init(&b, BUF_DEFAULT_MAX);
        rc = discover_render_table(&r, &b, &err);
        if (rc == 0)
            fwrite(b.p, 1, b.len, stdout);
        buf_cleanup(&b);
        if (rc < 0) {
            exit_rc = cli_fail(rc, &err);
            goto out;
        }
        if (!ctx->g.quiet)
            printf("%lld servers in %zu account-regions, %lld ms\n", (long long)r.servers_total,
                   r.n - r.failed, (long long)r.elapsed_ms);
    } else {
        json_t *j = discover_result_to_json(&r);
        if (!j) {
            dr_err_set(&err, DR_ENOMEM, "out of memory");
            exit_rc = cli_fail(-DR_ENOMEM, &err);
            goto out;
        }
        cli_print_value(ctx, j);
        json_decref(j);
    }
    if (r.failed) {
        fprintf(stderr,
                "drover: partial: %zu of %zu account-regions failed; they keep their previous "
                "snapshot, marked stale\n",
                r.failed, r.n);
        exit_rc = EXIT_FAIL;
    } else {
        exit_rc = EXIT_OK;
    }
out:
    discover_result_cleanup(&r);
    aws_client_free(c);
    store_close(s);
out_free:
    free(abuf);
    free(rbuf);
    return exit_rc;
}

const struct cmd_entry cmd_discover_entry = {
    .name = "discover",
    .summary = "refresh the DRS inventory of every registered account-region",
    .usage = "drover discover [--accounts a,b] [--regions r1,r2] [-o json|table|yaml]",
    .help = "Assumes each account's registered role once, then for every account-region at\n"
            "once pages DescribeSourceServers, DescribeRecoveryInstances and the last 7 days of\n"
            "DescribeJobs, enriches servers from EC2 in their origin account when it is\n"
            "registered, and stores one snapshot per account-region. A failed account-region\n"
            "keeps its previous snapshot, marked stale with the error; the exit code is then 1\n"
            "(partial). Progress is shown on a terminal.",
    .opts =
        (const struct cmd_opt[]){
            {"accounts", 0, "LIST", "only these registered accounts (comma-separated)"},
            {"regions", 0, "LIST", "only these regions of each account (comma-separated)"},
            {"page-size", 0, "N", "DescribeSourceServers page size (default 1000, the maximum)"},
            {"no-enrich", 0, NULL, "skip the EC2 DescribeInstances enrichment"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = discover_exec,
};
