/*
 * cliutil.h - helpers shared by command files: opening the store and the
 * AWS client from the global options, role options, printing a library or
 * AWS error with the right exit code, and printing a JSON value as JSON or
 * YAML per -o. CLI-only.
 */
#ifndef DROVER_CLI_CLIUTIL_H
#define DROVER_CLI_CLIUTIL_H

#include <jansson.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "cli/cmd.h"
#include "core/err.h"
#include "store/store.h"

/* Opens the store in --home / DROVER_HOME / ~/.drover. Returns EXIT_OK or prints and fails. */
int cli_store_open(const struct cmd_ctx *ctx, struct store **out);
/* Prints "drover: <msg>" and returns the exit code for rc: 2 for bad input, else 1. */
int cli_fail(int rc, const struct dr_err *err);
/* The -o format: "table" (default), "json" or "yaml". */
const char *cli_output(const struct cmd_ctx *ctx);
/* Prints v per -o json or -o yaml (anything else: JSON). Returns an exit code. */
int cli_print_value(const struct cmd_ctx *ctx, const json_t *v);

/* An AWS client configured from --region/--profile/--endpoint-url. */
int cli_client_new(const struct cmd_ctx *ctx, struct aws_client **out, struct dr_err *err);
/* Fills role from --role-arn/--external-id/--session-name/--source-identity/--duration
 * when the command has them; role->role_arn stays NULL when none was given. */
int cli_role_from_opts(const struct cmd_ctx *ctx, struct cred_role *role, struct dr_err *err);
/* AWS errors print "An error occurred (Code) when calling the Op operation: msg"
 * (exit 1); anything else goes through cli_fail. Returns the exit code. */
int cli_report_aws_error(const char *operation, const struct dr_err *err);

/*
 * Splits "a,b" into up to max non-empty items: *buf gets a writable copy
 * (the caller frees it) and v[] points into it. -1 when empty, over max
 * or out of memory.
 */
int cli_split_csv(const char *csv, char **buf, const char **v, size_t max, size_t *n);

#endif
