/*
 * cmd_accounts.c - `drover accounts add|list|remove`: the registry of
 * spoke accounts. Thin: parsing and printing only; the logic is in
 * src/inventory/accounts.c. New subcommands (validate, import) are one
 * more entry in accounts_subs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "inventory/accounts.h"

static int add_exec(struct cmd_ctx *ctx)
{
    struct accounts_add_req req;
    struct store *s = NULL;
    struct dr_err err;
    char *generated = NULL;
    int rc;

    memset(&req, 0, sizeof(req));
    dr_err_clear(&err);
    req.account_id = ctx->args[0];
    req.role_arn = cmd_opt(ctx, "role-arn");
    req.external_id = cmd_opt(ctx, "external-id");
    req.regions = cmd_opt(ctx, "regions");
    req.name = cmd_opt(ctx, "name");
    req.update = cmd_flag(ctx, "update");
    if (!req.role_arn)
        return cmd_usage_error(ctx, "role_arn: --role-arn is required");
    if (!req.regions)
        return cmd_usage_error(ctx, "regions: --regions is required");
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        return rc;
    rc = accounts_add(s, &req, &generated, &err);
    store_close(s);
    if (rc < 0)
        return cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") != 0) {
        /* {"account_id", "external_id" (only when generated: shown this once)} */
        json_t *v = json_pack("{s:s}", "account_id", req.account_id);
        if (v && generated)
            json_object_set_new(v, "external_id", json_string(generated));
        if (v)
            rc = cli_print_value(ctx, v);
        else
            rc = EXIT_FAIL;
        json_decref(v);
    } else if (generated) {
        printf("registered %s\nexternal ID: %s\n", req.account_id, generated);
        rc = EXIT_OK;
    } else {
        printf("registered %s\n", req.account_id);
        rc = EXIT_OK;
    }
    if (generated) {
        fprintf(stderr,
                "note: put this external ID in the trust policy of %s "
                "(condition sts:ExternalId); it is shown only once (or with "
                "'accounts list --show-secrets').\n",
                req.role_arn);
        explicit_bzero(generated, strlen(generated));
        free(generated);
    }
    return rc;
}

static int list_exec(struct cmd_ctx *ctx)
{
    struct store_account_list l;
    struct store *s = NULL;
    struct dr_err err;
    bool secrets = cmd_flag(ctx, "show-secrets");
    int rc;

    dr_err_clear(&err);
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        return rc;
    rc = store_account_list(s, &l, &err);
    store_close(s);
    if (rc < 0)
        return cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") == 0) {
        struct buf out;
        buf_init(&out, BUF_DEFAULT_MAX);
        rc = accounts_render_table(&l, secrets, &out, &err);
        if (rc == 0)
            fwrite(out.p, 1, out.len, stdout);
        explicit_bzero(out.p, out.len);
        buf_cleanup(&out);
        rc = rc < 0 ? cli_fail(rc, &err) : EXIT_OK;
    } else {
        json_t *v = accounts_to_json(&l, secrets);
        if (!v) {
            dr_err_set(&err, DR_ENOMEM, "out of memory");
            rc = cli_fail(-DR_ENOMEM, &err);
        } else {
            rc = cli_print_value(ctx, v);
            json_decref(v);
        }
    }
    store_account_list_cleanup(&l);
    return rc;
}

static int remove_exec(struct cmd_ctx *ctx)
{
    struct store *s = NULL;
    struct dr_err err;
    int rc;

    dr_err_clear(&err);
    rc = accounts_check_id(ctx->args[0], &err);
    if (rc < 0)
        return cli_fail(rc, &err);
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        return rc;
    rc = accounts_remove(s, ctx->args[0], &err);
    store_close(s);
    if (rc < 0)
        return cli_fail(rc, &err);
    printf("removed %s and its inventory\n", ctx->args[0]);
    return EXIT_OK;
}

static const struct cmd_entry accounts_add_entry = {
    .name = "add",
    .summary = "register a spoke account and the role drover assumes in it",
    .usage = "drover accounts add ACCOUNT_ID --role-arn ARN [--external-id ID] --regions r1,r2 "
             "[--name N] [--update] [-o json|yaml]",
    .help = "Without --external-id, a 128-bit external ID is generated and printed once:\n"
            "put it in the spoke role's trust policy (sts:ExternalId). With --update an\n"
            "existing registration is replaced, keeping its external ID unless one is given.",
    .opts =
        (const struct cmd_opt[]){
            {"role-arn", 0, "ARN", "the spoke role: arn:aws:iam::ACCOUNT_ID:role/NAME"},
            {"external-id", 0, "ID", "the sts:ExternalId the role's trust policy requires"},
            {"regions", 0, "LIST", "comma-separated regions to discover (us-east-1,eu-west-1)"},
            {"name", 0, "NAME", "a display name"},
            {"update", 0, NULL, "replace an existing registration"},
            {0},
        },
    .min_args = 1,
    .max_args = 1,
    .exec = add_exec,
};

static const struct cmd_entry accounts_list_entry = {
    .name = "list",
    .summary = "list registered accounts (external IDs masked)",
    .usage = "drover accounts list [-o json|table|yaml] [--show-secrets]",
    .opts =
        (const struct cmd_opt[]){
            {"show-secrets", 0, NULL, "show external IDs in full"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = list_exec,
};

static const struct cmd_entry accounts_remove_entry = {
    .name = "remove",
    .summary = "unregister an account and delete its stored inventory",
    .usage = "drover accounts remove ACCOUNT_ID",
    .opts = (const struct cmd_opt[]){{0}},
    .min_args = 1,
    .max_args = 1,
    .exec = remove_exec,
};

static const struct cmd_entry *const accounts_subs[] = {
    &accounts_add_entry,
    &accounts_list_entry,
    &accounts_remove_entry,
    NULL,
};

const struct cmd_entry cmd_accounts_entry = {
    .name = "accounts",
    .summary = "manage the spoke accounts drover works in",
    .usage = "drover accounts add|list|remove ...",
    .subs = accounts_subs,
};
