/*
 * cliutil.c - helpers shared by command files (see cliutil.h). CLI-only.
 */
#include "cli/cliutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/yamlout.h"

int cli_store_open(const struct cmd_ctx *ctx, struct store **out)
{
    struct dr_err err;
    struct buf home;
    int rc;

    dr_err_clear(&err);
    buf_init(&home, 4096);
    rc = store_home_resolve(ctx->g.home, &home, &err);
    if (rc == 0)
        rc = store_open(home.p, out, &err);
    buf_cleanup(&home);
    return rc < 0 ? cli_fail(rc, &err) : EXIT_OK;
}

int cli_fail(int rc, const struct dr_err *err)
{
    fprintf(stderr, "drover: %s\n",
            err && err->msg[0] ? err->msg : dr_strerror((enum dr_status) - rc));
    return rc == -DR_EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

const char *cli_output(const struct cmd_ctx *ctx)
{
    return ctx->g.output ? ctx->g.output : "table";
}

int cli_print_value(const struct cmd_ctx *ctx, const json_t *v)
{
    struct dr_err err;

    if (strcmp(cli_output(ctx), "yaml") == 0) {
        dr_err_clear(&err);
        if (yamlout_print(v, &err) < 0)
            return cli_fail(-err.status, &err);
        return EXIT_OK;
    }
    json_print(v);
    return EXIT_OK;
}

int cli_client_new(const struct cmd_ctx *ctx, struct aws_client **out, struct dr_err *err)
{
    struct aws_client_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.region = ctx->g.region;
    cfg.profile = ctx->g.profile;
    cfg.endpoint_url = ctx->g.endpoint_url;
    return aws_client_new(&cfg, out, err);
}

static int opt_dup(const struct cmd_ctx *ctx, const char *name, char **slot, struct dr_err *err)
{
    const char *v = cmd_opt(ctx, name);
    if (!v)
        return 0;
    *slot = strdup(v);
    return *slot ? 0 : dr_err_set(err, DR_ENOMEM, "out of memory");
}

int cli_role_from_opts(const struct cmd_ctx *ctx, struct cred_role *role, struct dr_err *err)
{
    const char *v;

    memset(role, 0, sizeof(*role));
    if (!cmd_opt(ctx, "role-arn")) {
        if (cmd_opt(ctx, "external-id") || cmd_opt(ctx, "session-name") ||
            cmd_opt(ctx, "source-identity") || cmd_opt(ctx, "duration"))
            return dr_err_set(err, DR_EINVAL,
                              "--external-id, --session-name, "
                              "--source-identity and --duration need --role-arn");
        return 0;
    }
    if (opt_dup(ctx, "role-arn", &role->role_arn, err) < 0 ||
        opt_dup(ctx, "external-id", &role->external_id, err) < 0 ||
        opt_dup(ctx, "session-name", &role->session_name, err) < 0 ||
        opt_dup(ctx, "source-identity", &role->source_identity, err) < 0) {
        cred_role_cleanup(role);
        return -DR_ENOMEM;
    }
    if ((v = cmd_opt(ctx, "duration"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 900 || n > 43200) {
            cred_role_cleanup(role);
            return dr_err_set(err, DR_EINVAL, "--duration must be 900..43200 seconds, not '%s'", v);
        }
        role->duration_seconds = (int)n;
    }
    return 0;
}

int cli_report_aws_error(const char *operation, const struct dr_err *err)
{
    if (err->status == DR_EAWS) {
        fprintf(stderr, "drover: An error occurred (%s) when calling the %s operation: %s\n",
                err->code[0] ? err->code : "Unknown", operation, err->msg);
        return EXIT_FAIL;
    }
    return cli_fail(-(int)err->status, err);
}

int cli_split_csv(const char *csv, char **buf, const char **v, size_t max, size_t *n)
{
    char *p, *save = NULL, *tok;

    *n = 0;
    if (!(*buf = strdup(csv)))
        return -1;
    for (p = *buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        if (*n == max)
            return -1;
        v[(*n)++] = tok;
    }
    return *n ? 0 : -1;
}
