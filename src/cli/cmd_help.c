/*
 * cmd_help.c - `drover help [COMMAND [SUBCOMMAND]]`.
 */
#include <stdio.h>

#include "cli/cmd.h"

static int help_exec(struct cmd_ctx *ctx)
{
    const struct cmd_entry *e, *sub;
    const char *amb;

    if (ctx->nargs == 0) {
        cmd_print_help(ctx->cmd, NULL);
        printf("\ncommands:\n");
        for (const struct cmd_entry *const *t = cmd_table; *t; t++)
            printf("  %-12s %s\n", (*t)->name, (*t)->summary);
        return EXIT_OK;
    }
    e = cmd_find(cmd_table, ctx->args[0], &amb);
    if (!e)
        return amb ? EXIT_USAGE : cmd_usage_error(ctx, "unknown command '%s'", ctx->args[0]);
    if (ctx->nargs > 1 && e->subs) {
        sub = cmd_find(e->subs, ctx->args[1], &amb);
        if (!sub)
            return amb ? EXIT_USAGE
                       : cmd_usage_error(ctx, "unknown subcommand '%s %s'", e->name, ctx->args[1]);
        cmd_print_help(sub, e->name);
        return EXIT_OK;
    }
    cmd_print_help(e, NULL);
    return EXIT_OK;
}

const struct cmd_entry cmd_help_entry = {
    .name = "help",
    .summary = "show help for drover or for one command",
    .usage = "drover help [COMMAND [SUBCOMMAND]]",
    .opts = (const struct cmd_opt[]){{0}},
    .min_args = 0,
    .max_args = 2,
    .exec = help_exec,
};
