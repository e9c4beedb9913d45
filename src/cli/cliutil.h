/*
 * cliutil.h - helpers shared by command files: opening the store from the
 * global options, printing a library error with the right exit code, and
 * printing a JSON value as JSON or YAML per -o. CLI-only.
 */
#ifndef DROVER_CLI_CLIUTIL_H
#define DROVER_CLI_CLIUTIL_H

#include <jansson.h>

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

#endif
