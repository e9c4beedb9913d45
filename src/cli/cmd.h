/*
 * cmd.h - the CLI's command model: each command is one declarative
 * `const struct cmd_entry` (name, usage, option table, exec function) in
 * its own src/cli/cmd_<name>.c, listed once in commands.def. Option
 * tables generate --help. Commands with subcommands (accounts add, exec
 * start) carry a table of sub-entries with their own options.
 *
 * Command files stay thin: they parse and print; logic lives in modules.
 */
#ifndef DROVER_CLI_CMD_H
#define DROVER_CLI_CMD_H

#include <stdbool.h>

#define CMD_MAX_OPTS   48
#define CMD_MAX_VALUES 64 /* option occurrences kept in order, for repeatable options */

/* Exit codes (cli.md): 0 ok, 1 failed or denied, 2 bad usage or input. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cmd_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 when none */
    const char *arg;  /* metavar when the option takes a value, NULL for a flag */
    const char *help;
};

/* Options every command accepts (cli.md "Global options"). */
struct cli_globals {
    const char *home;         /* --home / DROVER_HOME */
    const char *output;       /* -o json|table|yaml, default "table" */
    const char *region;       /* --region / AWS_REGION / AWS_DEFAULT_REGION */
    const char *profile;      /* --profile / AWS_PROFILE */
    const char *endpoint_url; /* --endpoint-url */
    int verbose;              /* -v (repeatable), --debug */
    bool quiet;
};

struct cmd_entry;

struct cmd_ctx {
    struct cli_globals g;
    const struct cmd_entry *cmd;    /* the entry being run (a sub-entry for subcommands) */
    const char *parent;             /* the parent command's name for subcommands, else NULL */
    const char *vals[CMD_MAX_OPTS]; /* last value (or "1" for flags) per opt index */
    int counts[CMD_MAX_OPTS];
    struct {
        int opt; /* index into cmd->opts */
        const char *val;
    } all[CMD_MAX_VALUES]; /* every option occurrence, in command-line order */
    int nall;
    char **args; /* positional arguments */
    int nargs;
};

struct cmd_entry {
    const char *name;
    const char *summary;        /* one line for the command list */
    const char *usage;          /* "drover call SERVICE OPERATION [JSON|-] [options]" */
    const char *help;           /* longer description, may be NULL */
    const struct cmd_opt *opts; /* terminated by {0} */
    int min_args, max_args;     /* positional counts; max -1 = unlimited */
    int (*exec)(struct cmd_ctx *ctx);
    const struct cmd_entry *const *subs; /* NULL-terminated sub-entries, or NULL */
    const char *extra_output;            /* another -o format it accepts ("html"), or NULL */
};

/* Value of option `name` (last occurrence), or NULL. */
const char *cmd_opt(const struct cmd_ctx *ctx, const char *name);
/*
 * Every value of a repeatable option (--tag K=V --tag K2=V2), in order.
 * Fills up to max entries of out and returns how many were given.
 */
int cmd_opt_values(const struct cmd_ctx *ctx, const char *name, const char **out, int max);
/* Number of times option `name` was given (flags and values). */
int cmd_count(const struct cmd_ctx *ctx, const char *name);
static inline bool cmd_flag(const struct cmd_ctx *ctx, const char *name)
{
    return cmd_count(ctx, name) > 0;
}
/* True when -o json was requested. */
bool cmd_output_json(const struct cmd_ctx *ctx);
/* Prints "drover: <fmt>" to stderr; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the help text of an entry to stdout. */
void cmd_print_help(const struct cmd_entry *e, const char *parent);

/* The command table, built from commands.def. */
extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const struct cmd_entry *const *table, const char *name,
                                 const char **ambiguous_msg);

#endif
