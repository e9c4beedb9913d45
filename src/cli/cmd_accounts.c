/*
 * cmd_accounts.c - `drover accounts add|list|remove|validate|import`: the registry of
 * spoke accounts. Thin: parsing and printing only; the logic is in
 * src/inventory/accounts.c; validate and import (AWS calls) in
 * src/inventory/acctcheck.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "inventory/accounts.h"
#include "inventory/acctcheck.h"

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

static int validate_exec(struct cmd_ctx *ctx)
{
    struct acctcheck_result r;
    struct aws_client *c = NULL;
    struct store *s = NULL;
    struct dr_err err;
    const char *id = ctx->nargs ? ctx->args[0] : NULL;
    int rc;

    dr_err_clear(&err);
    if (id && (rc = accounts_check_id(id, &err)) < 0)
        return cli_fail(rc, &err);
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        return rc;
    if (cli_client_new(ctx, &c, &err) < 0) {
        store_close(s);
        return cli_fail(-(int)err.status, &err);
    }
    rc = accounts_validate(s, c, id, &r, &err);
    aws_client_free(c);
    store_close(s);
    if (rc == -DR_ENOTFOUND && id)
        return cli_fail(-DR_EINVAL, &err);
    if (rc < 0)
        return cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") == 0) {
        struct buf b;
        buf_init(&b, BUF_DEFAULT_MAX);
        rc = acctcheck_render_table(&r, &b, &err);
        if (rc == 0)
            fwrite(b.p, 1, b.len, stdout);
        buf_cleanup(&b);
        rc = rc < 0 ? cli_fail(rc, &err) : EXIT_OK;
    } else {
        json_t *v = acctcheck_to_json(&r);
        rc = v ? cli_print_value(ctx, v) : EXIT_FAIL;
        json_decref(v);
    }
    if (rc == EXIT_OK && r.failed) {
        fprintf(stderr, "drover: %zu of %zu account-regions failed validation\n", r.failed, r.n);
        rc = EXIT_FAIL;
    }
    acctcheck_result_cleanup(&r);
    return rc;
}

static int import_exec(struct cmd_ctx *ctx)
{
    struct accounts_import_req req;
    struct accounts_import_result r;
    struct aws_client *c = NULL;
    struct store *s = NULL;
    struct dr_err err;
    size_t i;
    int rc;

    memset(&req, 0, sizeof(req));
    dr_err_clear(&err);
    if (!cmd_flag(ctx, "organization"))
        return cmd_usage_error(ctx, "organization: --organization is required (the only source "
                                    "of accounts so far)");
    req.role_name = cmd_opt(ctx, "role-name");
    req.regions = cmd_opt(ctx, "regions");
    req.external_id = cmd_opt(ctx, "external-id");
    req.update = cmd_flag(ctx, "update");
    req.dry_run = cmd_flag(ctx, "dry-run");
    if (!req.regions)
        return cmd_usage_error(ctx, "regions: --regions is required");
    if (req.role_name && (strlen(req.role_name) > 64 || !*req.role_name ||
                          strspn(req.role_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                                "XYZ0123456789+=,.@_-") != strlen(req.role_name)))
        return cmd_usage_error(ctx, "role-name: '%.80s' is not an IAM role name", req.role_name);
    if ((rc = cli_store_open(ctx, &s)) != EXIT_OK)
        return rc;
    if (cli_client_new(ctx, &c, &err) < 0) {
        store_close(s);
        return cli_fail(-(int)err.status, &err);
    }
    rc = accounts_import_org(s, c, &req, &r, &err);
    aws_client_free(c);
    store_close(s);
    if (rc < 0)
        return err.status == DR_EAWS ? cli_report_aws_error("ListAccounts", &err)
                                     : cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") == 0) {
        for (i = 0; i < r.n; i++)
            printf("%s  %-22s  %s%s%s\n", r.v[i].account_id, r.v[i].action, r.v[i].role_arn,
                   r.v[i].external_id ? "  external ID: " : "",
                   r.v[i].external_id ? r.v[i].external_id : "");
        rc = EXIT_OK;
    } else {
        json_t *v = accounts_import_to_json(&r);
        rc = v ? cli_print_value(ctx, v) : EXIT_FAIL;
        json_decref(v);
    }
    for (i = 0; i < r.n && !r.v[i].external_id; i++)
        ;
    if (i < r.n)
        fprintf(stderr, "note: put each generated external ID in that spoke role's trust policy "
                        "(sts:ExternalId); they are shown only once (or with 'accounts list "
                        "--show-secrets').\n");
    accounts_import_result_cleanup(&r);
    return rc;
}

static const struct cmd_entry accounts_validate_entry = {
    .name = "validate",
    .summary = "check each account-region: AssumeRole, GetCallerIdentity, DRS access",
    .usage = "drover accounts validate [ACCOUNT_ID] [-o json|table|yaml]",
    .help = "For every registered account (or ACCOUNT_ID) and each of its regions: assumes\n"
            "the role through that region's STS, calls GetCallerIdentity and DRS\n"
            "DescribeSourceServers (maxResults 1). Prints OK or the failed step, the exact\n"
            "error and what to fix. Exit 1 when any account-region failed.",
    .opts = (const struct cmd_opt[]){{0}},
    .min_args = 0,
    .max_args = 1,
    .exec = validate_exec,
};

static const struct cmd_entry accounts_import_entry = {
    .name = "import",
    .summary = "register the organization's member accounts (Organizations ListAccounts)",
    .usage = "drover accounts import --organization --regions r1,r2 [--role-name NAME] "
             "[--external-id ID] [--update] [--dry-run] [-o json|yaml]",
    .help = "Lists every account of the hub's organization and registers each ACTIVE one\n"
            "except the hub itself, with role arn:aws:iam::ID:role/NAME (default\n"
            "DroverSpokeRole). Without --external-id each gets a generated one, printed once.\n"
            "Accounts already registered are left as they are unless --update.",
    .opts =
        (const struct cmd_opt[]){
            {"organization", 0, NULL, "import from AWS Organizations (required)"},
            {"regions", 0, "LIST", "regions to discover in every imported account"},
            {"role-name", 0, "NAME", "the spoke role's name in each account (DroverSpokeRole)"},
            {"external-id", 0, "ID", "one external ID for every account (default: generate)"},
            {"update", 0, NULL, "replace existing registrations"},
            {"dry-run", 0, NULL, "only list what would be registered"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = import_exec,
};

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
    &accounts_add_entry,      &accounts_list_entry,   &accounts_remove_entry,
    &accounts_validate_entry, &accounts_import_entry, NULL,
};

const struct cmd_entry cmd_accounts_entry = {
    .name = "accounts",
    .summary = "manage the spoke accounts drover works in",
    .usage = "drover accounts add|list|remove|validate|import ...",
    .subs = accounts_subs,
};
