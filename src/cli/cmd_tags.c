/*
 * cmd_tags.c - `drover tags sync [--dry-run]`: copies origin EC2 instance
 * tags (plus drover:source-account/-region/-instance-type) onto the DRS
 * source servers; the logic is in src/inventory/tagsync.c. Exit 0 when
 * every account-region was read and every TagResource succeeded, else 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "inventory/tagsync.h"

#define MAX_SELECT 256

static int sync_exec(struct cmd_ctx *ctx)
{
    const char *accts[MAX_SELECT], *regs[MAX_SELECT];
    struct discover_opts o;
    struct tagsync_result r;
    struct aws_client *c = NULL;
    struct store *s = NULL;
    struct dr_err err;
    char *abuf = NULL, *rbuf = NULL;
    bool dry = cmd_flag(ctx, "dry-run");
    int rc, exit_rc = EXIT_FAIL;

    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    dr_err_clear(&err);
    if (cmd_opt(ctx, "accounts")) {
        if (cli_split_csv(cmd_opt(ctx, "accounts"), &abuf, accts, MAX_SELECT, &o.naccounts) < 0) {
            exit_rc = cmd_usage_error(ctx, "accounts: expected a comma-separated list of IDs");
            goto out;
        }
        o.accounts = accts;
    }
    if (cmd_opt(ctx, "regions")) {
        if (cli_split_csv(cmd_opt(ctx, "regions"), &rbuf, regs, MAX_SELECT, &o.nregions) < 0) {
            exit_rc = cmd_usage_error(ctx, "regions: expected a comma-separated list of regions");
            goto out;
        }
        o.regions = regs;
    }
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK) {
        exit_rc = rc;
        goto out;
    }
    if (cli_client_new(ctx, &c, &err) < 0) {
        exit_rc = cli_fail(-(int)err.status, &err);
        goto out;
    }
    rc = tags_sync(s, c, &o, dry, &r, &err);
    if (rc < 0) {
        exit_rc = cli_fail(rc, &err);
        goto out;
    }
    if (strcmp(cli_output(ctx), "table") == 0) {
        struct buf b;
        buf_init(&b, BUF_DEFAULT_MAX);
        rc = tagsync_render_table(&r, dry, &b, &err);
        if (rc == 0 && r.n)
            fwrite(b.p, 1, b.len, stdout);
        buf_cleanup(&b);
        if (rc < 0) {
            exit_rc = cli_fail(rc, &err);
            goto out;
        }
        printf("%zu servers %s, %zu already up to date, %zu failed, %zu skipped (over %d tags)\n",
               r.n - r.failed, dry ? "would be tagged" : "tagged", r.unchanged, r.failed, r.skipped,
               TAGSYNC_MAX_TAGS);
    } else {
        json_t *v = tagsync_to_json(&r, dry);
        if (!v) {
            exit_rc = EXIT_FAIL;
            goto out;
        }
        cli_print_value(ctx, v);
        json_decref(v);
    }
    if (r.disc.failed)
        fprintf(stderr, "drover: partial: %zu account-regions could not be read\n", r.disc.failed);
    exit_rc = r.failed || r.disc.failed ? EXIT_FAIL : EXIT_OK;
out:
    tagsync_result_cleanup(&r);
    aws_client_free(c);
    store_close(s);
    free(abuf);
    free(rbuf);
    return exit_rc;
}

static const struct cmd_entry tags_sync_entry = {
    .name = "sync",
    .summary = "copy EC2 instance tags onto the matching DRS source servers",
    .usage = "drover tags sync [--dry-run] [--accounts a,b] [--regions r1,r2] [-o json|table|yaml]",
    .help = "Discovers the selected account-regions, then for each source server adds the\n"
            "tags of its origin EC2 instance (found in the origin account when that account\n"
            "is registered) plus drover:source-account, drover:source-region and\n"
            "drover:source-instance-type, through DRS TagResource. Only missing or changed\n"
            "tags are written; aws:* tags are skipped; nothing is removed.",
    .opts =
        (const struct cmd_opt[]){
            {"dry-run", 0, NULL, "only report what would change"},
            {"accounts", 0, "LIST", "only these registered accounts"},
            {"regions", 0, "LIST", "only these regions"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = sync_exec,
};

static const struct cmd_entry *const tags_subs[] = {&tags_sync_entry, NULL};

const struct cmd_entry cmd_tags_entry = {
    .name = "tags",
    .summary = "manage tags on DRS resources",
    .usage = "drover tags sync ...",
    .subs = tags_subs,
};
