/*
 * cmd_call.c - `drover call SERVICE OPERATION [JSON|-]`: one AWS API call
 * through drover's client, printing the response JSON, like a tiny aws CLI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/str.h"

static const struct cmd_opt call_opts[] = {
    {"account", 0, "ID", "assume the registered role of this spoke account"},
    {"role-arn", 0, "ARN", "assume this role first"},
    {"external-id", 0, "ID", "external ID for --role-arn"},
    {"session-name", 0, "NAME", "role session name for --role-arn"},
    {"source-identity", 0, "ID", "source identity for --role-arn"},
    {"duration", 0, "SECONDS", "session duration for --role-arn (900-43200)"},
    {"paginate", 0, NULL, "follow pagination tokens and merge every page"},
    {"page-size", 0, "N", "page size (the paginator's limit key)"},
    {0},
};

/* Reads the input JSON from an argument: inline text, "-" (stdin) or file://PATH. */
static int read_input(const char *arg, json_t **out, struct dr_err *err)
{
    if (strcmp(arg, "-") == 0 || strncmp(arg, "file://", 7) == 0)
        return json_load_path(strcmp(arg, "-") == 0 ? "-" : arg + 7, out, err);
    return json_parse(arg, strlen(arg), "input JSON", out, err);
}

/* The registered spoke role of an account (and its first region as a default). */
static int account_role(const struct cmd_ctx *ctx, const char *account_id, struct cred_role *role,
                        char **region)
{
    struct store *st = NULL;
    struct store_account a;
    struct dr_err err;
    int rc;

    memset(&a, 0, sizeof(a));
    dr_err_clear(&err);
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    rc = store_account_get(st, account_id, &a, &err);
    store_close(st);
    if (rc == -DR_ENOTFOUND) {
        fprintf(stderr,
                "drover: --account %s: the account is not registered (drover accounts add)\n",
                account_id);
        return EXIT_USAGE;
    }
    if (rc < 0)
        return cli_fail(rc, &err);
    memset(role, 0, sizeof(*role));
    role->role_arn = strdup(a.role_arn);
    role->external_id = a.external_id ? strdup(a.external_id) : NULL;
    role->session_name = strdup("drover-call");
    *region = a.nregions ? strdup(a.regions[0]) : NULL;
    store_account_cleanup(&a);
    if (!role->role_arn || !role->session_name) {
        cred_role_cleanup(role);
        fprintf(stderr, "drover: out of memory\n");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int call_exec(struct cmd_ctx *ctx)
{
    struct aws_client *c = NULL;
    struct aws_call_req r;
    struct cred_role role;
    json_t *input = NULL, *out = NULL;
    struct dr_err err;
    const char *v;
    int rc = EXIT_FAIL, page_size = 0;
    char *region = NULL;

    dr_err_clear(&err);
    memset(&r, 0, sizeof(r));
    memset(&role, 0, sizeof(role));
    if (ctx->nargs > 2) {
        if (read_input(ctx->args[2], &input, &err) < 0)
            return cmd_usage_error(ctx, "%s", err.msg);
        if (!json_is_object(input)) {
            json_decref(input);
            return cmd_usage_error(ctx, "input JSON must be an object");
        }
    }
    if ((v = cmd_opt(ctx, "page-size"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 1 || n > 100000) {
            json_decref(input);
            return cmd_usage_error(ctx, "--page-size must be a positive integer, not '%s'", v);
        }
        page_size = (int)n;
    }
    if (cli_role_from_opts(ctx, &role, &err) < 0) {
        json_decref(input);
        return cmd_usage_error(ctx, "%s", err.msg);
    }
    if (cmd_opt(ctx, "account")) {
        if (role.role_arn) {
            json_decref(input);
            cred_role_cleanup(&role);
            return cmd_usage_error(ctx, "--account and --role-arn exclude each other");
        }
        rc = account_role(ctx, cmd_opt(ctx, "account"), &role, &region);
        if (rc != EXIT_OK) {
            json_decref(input);
            return rc;
        }
        rc = EXIT_FAIL;
    }
    if (cli_client_new(ctx, &c, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        goto out;
    }
    r.service = ctx->args[0];
    r.operation = ctx->args[1];
    r.input = input;
    r.region = ctx->g.region ? ctx->g.region : region;
    if (role.role_arn) {
        r.roles = &role;
        r.nroles = 1;
    }
    if (cmd_flag(ctx, "paginate") || page_size)
        rc = aws_call_all(c, &r, page_size, &out, &err);
    else
        rc = aws_call(c, &r, &out, &err);
    if (rc < 0) {
        rc = cli_report_aws_error(r.operation, &err);
        goto out;
    }
    json_print(out);
    rc = EXIT_OK;
out:
    json_decref(out);
    json_decref(input);
    cred_role_cleanup(&role);
    aws_client_free(c);
    free(region);
    return rc;
}

const struct cmd_entry cmd_call_entry = {
    .name = "call",
    .summary = "make one AWS API call through drover's client and print the JSON response",
    .usage = "drover call SERVICE OPERATION [JSON|-|file://PATH] [options]",
    .help = "SERVICE is the aws CLI's service name (drs, sts, iam, kms, ec2, backup,\n"
            "organizations, service-quotas, cloudformation). OPERATION is the API name\n"
            "(DescribeSourceServers) or the CLI form (describe-source-servers). The input\n"
            "uses the API's member names, exactly as `aws ... --cli-input-json` takes them.",
    .opts = call_opts,
    .min_args = 2,
    .max_args = 3,
    .exec = call_exec,
};
