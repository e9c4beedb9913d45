/*
 * cliutil.c - helpers shared by command files (see cliutil.h). CLI-only.
 */
#include "cli/cliutil.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonutil.h"
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
