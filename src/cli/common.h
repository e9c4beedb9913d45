/*
 * common.h - helpers shared by CLI commands: building the AWS client from
 * the global options, role options, and aws-CLI-style error reports.
 */
#ifndef DROVER_CLI_COMMON_H
#define DROVER_CLI_COMMON_H

#include "aws/client.h"
#include "aws/credentials.h"
#include "cli/cmd.h"
#include "core/err.h"

/* An AWS client configured from --region/--profile/--endpoint-url. */
int cli_client_new(const struct cmd_ctx *ctx, struct aws_client **out, struct dr_err *err);
/* Fills role from --role-arn/--external-id/--session-name/--source-identity/--duration
 * when the command has them; role->role_arn stays NULL when none was given. */
int cli_role_from_opts(const struct cmd_ctx *ctx, struct cred_role *role, struct dr_err *err);
/* Prints "An error occurred (Code) when calling the Op operation: msg"; returns the exit code. */
int cli_report_aws_error(const char *operation, const struct dr_err *err);

#endif
