/*
 * cmd_servers.c - `drover servers`: lists and filters the stored DRS
 * inventory offline (no AWS calls). Thin: filters are parsed and rendered
 * by src/inventory/servers.c, the query runs in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "inventory/accounts.h"
#include "inventory/servers.h"

static int servers_exec(struct cmd_ctx *ctx)
{
    struct store_server_filter f = {.lag_over = -1};
    struct store_tag_filter tags[CMD_MAX_VALUES];
    const char *tagv[CMD_MAX_VALUES];
    struct store_server_list l = {0};
    char state[SERVERS_STATE_MAX];
    struct store *s = NULL;
    struct dr_err err;
    int i, ntags, rc = EXIT_OK, r;

    dr_err_clear(&err);
    memset(tags, 0, sizeof(tags));
    ntags = cmd_opt_values(ctx, "tag", tagv, CMD_MAX_VALUES);
    for (i = 0; i < ntags; i++) {
        char *k, *v;
        if ((r = servers_parse_tag(tagv[i], &k, &v, &err)) < 0) {
            rc = cli_fail(r, &err);
            goto out;
        }
        tags[i].key = k;
        tags[i].value = v;
        f.ntags = (size_t)i + 1;
    }
    f.tags = tags;
    f.account_id = cmd_opt(ctx, "account");
    if (f.account_id && (r = accounts_check_id(f.account_id, &err)) < 0) {
        rc = cli_fail(r, &err);
        goto out;
    }
    f.region = cmd_opt(ctx, "region");
    if (f.region && (r = accounts_check_region(f.region, &err)) < 0) {
        rc = cli_fail(r, &err);
        goto out;
    }
    if (cmd_opt(ctx, "state")) {
        if ((r = servers_parse_state(cmd_opt(ctx, "state"), state, &err)) < 0) {
            rc = cli_fail(r, &err);
            goto out;
        }
        f.replication_state = state;
    }
    if (cmd_opt(ctx, "lag-over") &&
        (r = servers_parse_lag(cmd_opt(ctx, "lag-over"), &f.lag_over, &err)) < 0) {
        rc = cli_fail(r, &err);
        goto out;
    }
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        goto out;
    r = store_servers_query(s, &f, &l, &err);
    store_close(s);
    if (r < 0) {
        rc = cli_fail(r, &err);
        goto out;
    }
    if (strcmp(cli_output(ctx), "table") == 0) {
        struct buf b;
        buf_init(&b, BUF_DEFAULT_MAX);
        r = servers_render_table(&l, &b, &err);
        if (r == 0)
            fwrite(b.p, 1, b.len, stdout);
        if (r == 0 && l.n == 0 && !ctx->g.quiet)
            fprintf(stderr, "drover: no servers match (the inventory is filled by 'drover "
                            "discover')\n");
        buf_cleanup(&b);
        rc = r < 0 ? cli_fail(r, &err) : EXIT_OK;
    } else {
        json_t *v = servers_to_json(&l);
        if (!v) {
            dr_err_set(&err, DR_ENOMEM, "out of memory");
            rc = cli_fail(-DR_ENOMEM, &err);
        } else {
            rc = cli_print_value(ctx, v);
            json_decref(v);
        }
    }
out:
    for (i = 0; i < (int)f.ntags; i++) {
        free((char *)tags[i].key);
        free((char *)tags[i].value);
    }
    store_server_list_cleanup(&l);
    return rc;
}

const struct cmd_entry cmd_servers_entry = {
    .name = "servers",
    .summary = "list the discovered DRS source servers (offline, from the store)",
    .usage = "drover servers [--account A] [--region R] [--tag K=V ...] [--state S] "
             "[--lag-over SECONDS] [-o json|table|yaml]",
    .help = "Reads the inventory that 'drover discover' stored. Filters combine with AND;\n"
            "--tag may be repeated. STALE marks servers whose account-region failed its\n"
            "last refresh (the previous snapshot is shown).",
    .opts =
        (const struct cmd_opt[]){
            {"account", 0, "ACCOUNT_ID", "only this account"},
            {"region", 0, "REGION", "only this region"},
            {"tag", 0, "K=V", "only servers with this tag (repeatable)"},
            {"state", 0, "STATE", "only this replication state (CONTINUOUS, STALLED, ...)"},
            {"lag-over", 0, "SECONDS", "only servers lagging more than this (or PT5M)"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = servers_exec,
};
