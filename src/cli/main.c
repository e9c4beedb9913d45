/*
 * main.c - drover's entry point: global options, command lookup (unique
 * prefixes accepted, ambiguity reported), per-command option parsing from
 * the command's table, and dispatch. No command logic lives here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt */
#endif

#include "cli/cmd.h"
#include "core/log.h"

#define CMD(n) extern const struct cmd_entry cmd_##n##_entry;
#include "cli/commands.def"
#undef CMD

const struct cmd_entry *const cmd_table[] = {
#define CMD(n) &cmd_##n##_entry,
#include "cli/commands.def"
#undef CMD
    NULL,
};

static const struct cmd_opt global_opts[] = {
    {"home", 0, "DIR", "drover home holding drover.db (DROVER_HOME, default ~/.drover)"},
    {"output", 'o', "FMT", "output format: json, table or yaml"},
    {"region", 0, "REGION", "AWS region (AWS_REGION, AWS_DEFAULT_REGION)"},
    {"profile", 0, "NAME", "shared-config profile (AWS_PROFILE)"},
    {"endpoint-url", 0, "URL", "override every AWS endpoint (AWS_ENDPOINT_URL[_SERVICE])"},
    {"verbose", 'v', NULL, "more logging (repeat for debug)"},
    {"debug", 0, NULL, "debug logging (secrets are always redacted)"},
    {"quiet", 'q', NULL, "only errors on stderr"},
    {"help", 'h', NULL, "show help for the command"},
    {0},
};

const char *cmd_opt(const struct cmd_ctx *ctx, const char *name)
{
    const struct cmd_opt *o;
    int i = 0;

    for (o = ctx->cmd->opts; o && o->name; o++, i++) {
        if (strcmp(o->name, name) == 0)
            return ctx->vals[i];
    }
    return NULL;
}

int cmd_opt_values(const struct cmd_ctx *ctx, const char *name, const char **out, int max)
{
    int i, n = 0;

    for (i = 0; i < ctx->nall; i++) {
        if (strcmp(ctx->cmd->opts[ctx->all[i].opt].name, name) != 0)
            continue;
        if (n < max)
            out[n] = ctx->all[i].val;
        n++;
    }
    return n;
}

int cmd_count(const struct cmd_ctx *ctx, const char *name)
{
    const struct cmd_opt *o;
    int i = 0;

    for (o = ctx->cmd->opts; o && o->name; o++, i++) {
        if (strcmp(o->name, name) == 0)
            return ctx->counts[i];
    }
    return 0;
}

bool cmd_output_json(const struct cmd_ctx *ctx)
{
    return ctx->g.output && strcmp(ctx->g.output, "json") == 0;
}

int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    fputs("drover: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (ctx && ctx->cmd && ctx->cmd->usage)
        fprintf(stderr, "usage: %s\n", ctx->cmd->usage);
    return EXIT_USAGE;
}

static void print_opts(const struct cmd_opt *opts)
{
    const struct cmd_opt *o;
    char left[64];

    for (o = opts; o && o->name; o++) {
        if (o->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        printf("  %-30s %s\n", left, o->help);
    }
}

void cmd_print_help(const struct cmd_entry *e, const char *parent)
{
    printf("usage: %s\n\n", e->usage);
    if (e->summary)
        printf("%s\n", e->summary);
    if (e->help)
        printf("\n%s\n", e->help);
    if (e->subs) {
        const struct cmd_entry *const *s;
        printf("\nsubcommands:\n");
        for (s = e->subs; *s; s++)
            printf("  %-14s %s\n", (*s)->name, (*s)->summary);
        printf("\nRun 'drover help %s SUBCOMMAND' for details.\n", parent ? parent : e->name);
    }
    if (e->opts && e->opts[0].name) {
        printf("\noptions:\n");
        print_opts(e->opts);
    }
    printf("\nglobal options:\n");
    print_opts(global_opts);
}

const struct cmd_entry *cmd_find(const struct cmd_entry *const *table, const char *name,
                                 const char **ambiguous_msg)
{
    static const char amb[] = "ambiguous";
    const struct cmd_entry *const *e, *found = NULL;
    size_t n = strlen(name);
    int matches = 0;

    *ambiguous_msg = NULL;
    for (e = table; *e; e++) {
        if (strcmp((*e)->name, name) == 0)
            return *e;
    }
    for (e = table; *e; e++) {
        if (n && strncmp((*e)->name, name, n) == 0) {
            found = *e;
            matches++;
        }
    }
    if (matches == 1)
        return found;
    if (matches > 1) {
        fprintf(stderr, "drover: '%s' is ambiguous; it could be:", name);
        for (e = table; *e; e++) {
            if (strncmp((*e)->name, name, n) == 0)
                fprintf(stderr, " %s", (*e)->name);
        }
        fputc('\n', stderr);
        *ambiguous_msg = amb;
    }
    return NULL;
}

static void print_main_help(void)
{
    const struct cmd_entry *const *e;

    printf("usage: drover [global options] COMMAND [args]\n\n"
           "drover orchestrates AWS Elastic Disaster Recovery across accounts and regions.\n\n"
           "commands:\n");
    for (e = cmd_table; *e; e++)
        printf("  %-12s %s\n", (*e)->name, (*e)->summary);
    printf("\nglobal options:\n");
    print_opts(global_opts);
    printf("\nRun 'drover help COMMAND' for a command's options.\n");
}

static int find_opt(const struct cmd_opt *opts, const char *name, size_t n, char shortc)
{
    int i;

    for (i = 0; opts && opts[i].name; i++) {
        if (shortc ? opts[i].short_name == shortc
                   : (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0))
            return i;
    }
    return -1;
}

/* Applies a global option. Returns 0, or EXIT_USAGE after printing. */
static void set_global(struct cli_globals *g, const char *name, const char *val, int *want_help)
{
    if (strcmp(name, "home") == 0)
        g->home = val;
    else if (strcmp(name, "output") == 0)
        g->output = val;
    else if (strcmp(name, "region") == 0)
        g->region = val;
    else if (strcmp(name, "profile") == 0)
        g->profile = val;
    else if (strcmp(name, "endpoint-url") == 0)
        g->endpoint_url = val;
    else if (strcmp(name, "verbose") == 0)
        g->verbose++;
    else if (strcmp(name, "debug") == 0)
        g->verbose = 2;
    else if (strcmp(name, "quiet") == 0)
        g->quiet = true;
    else if (strcmp(name, "help") == 0)
        *want_help = 1;
}

/*
 * Parses argv[i..] against the command's and the global option tables.
 * Positional arguments are collected in order into ctx->args.
 */
static int parse_args(struct cmd_ctx *ctx, int argc, char **argv, int i, int *want_help)
{
    int only_pos = 0;

    ctx->args = calloc((size_t)argc + 1, sizeof(char *));
    if (!ctx->args)
        return EXIT_FAIL;
    for (; i < argc; i++) {
        char *a = argv[i];
        const char *name, *val = NULL;
        size_t n;
        char shortc = 0;
        int idx, gidx;
        const struct cmd_opt *opt;

        if (only_pos || a[0] != '-' || a[1] == '\0') {
            ctx->args[ctx->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *eq;
            name = a + 2;
            eq = strchr(name, '=');
            n = eq ? (size_t)(eq - name) : strlen(name);
            if (eq)
                val = eq + 1;
        } else {
            if (a[2] != '\0' && !(a[1] >= 'a' && a[1] <= 'z') && !(a[1] >= 'A' && a[1] <= 'Z'))
                return cmd_usage_error(ctx, "unknown option '%s'", a);
            name = a + 1;
            n = 1;
            shortc = a[1];
            if (a[2])
                val = a + 2;
        }
        idx = find_opt(ctx->cmd->opts, name, n, shortc);
        gidx = idx < 0 ? find_opt(global_opts, name, n, shortc) : -1;
        if (idx < 0 && gidx < 0)
            return cmd_usage_error(ctx, "unknown option '%s'", a);
        opt = idx >= 0 ? &ctx->cmd->opts[idx] : &global_opts[gidx];
        if (opt->arg && !val) {
            if (i + 1 >= argc)
                return cmd_usage_error(ctx, "option --%s needs a value (%s)", opt->name, opt->arg);
            val = argv[++i];
        } else if (!opt->arg && val) {
            return cmd_usage_error(ctx, "option --%s takes no value", opt->name);
        }
        if (idx >= 0) {
            if (ctx->nall >= CMD_MAX_VALUES)
                return cmd_usage_error(ctx, "too many options (at most %d)", CMD_MAX_VALUES);
            ctx->vals[idx] = val ? val : "1";
            ctx->counts[idx]++;
            ctx->all[ctx->nall].opt = idx;
            ctx->all[ctx->nall].val = val ? val : "1";
            ctx->nall++;
        } else {
            set_global(&ctx->g, opt->name, val, want_help);
        }
    }
    return 0;
}

static void init_globals(struct cli_globals *g)
{
    memset(g, 0, sizeof(*g));
    g->home = getenv("DROVER_HOME");
    g->region = getenv("AWS_REGION");
    if (!g->region || !*g->region)
        g->region = getenv("AWS_DEFAULT_REGION");
    g->profile = getenv("AWS_PROFILE");
    g->output = NULL;
}

int main(int argc, char **argv)
{
    struct cmd_ctx ctx;
    const struct cmd_entry *e;
    const char *amb;
    int i = 1, want_help = 0, rc;

#ifdef __GLIBC__
    /* No fastbins: drover frees big JSON trees (a DRS page is ~450 KB of
     * text) between large allocations, and glibc consolidates every fastbin
     * chunk on each large request or free; that was ~5% of a discovery's
     * CPU, and turning them off saved ~12% of it (bench/discovery). */
    mallopt(M_MXFAST, 0);
#endif
    memset(&ctx, 0, sizeof(ctx));
    init_globals(&ctx.g);

    /* global options before the command */
    while (i < argc && argv[i][0] == '-' && argv[i][1]) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("drover %s\n", DROVER_VERSION);
            return EXIT_OK;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_main_help();
            return EXIT_OK;
        }
        {
            const char *nm = a[1] == '-' ? a + 2 : a + 1;
            const char *eq = strchr(nm, '=');
            size_t n = eq ? (size_t)(eq - nm) : strlen(nm);
            int g = find_opt(global_opts, nm, a[1] == '-' ? n : 1, a[1] == '-' ? 0 : a[1]);
            const char *val = eq ? eq + 1 : NULL;
            if (g < 0) {
                fprintf(stderr, "drover: unknown option '%s'\nRun 'drover --help'.\n", a);
                return EXIT_USAGE;
            }
            if (a[1] != '-' && a[2])
                val = a + 2;
            if (global_opts[g].arg && !val) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "drover: option --%s needs a value\n", global_opts[g].name);
                    return EXIT_USAGE;
                }
                val = argv[++i];
            }
            set_global(&ctx.g, global_opts[g].name, val, &want_help);
        }
        i++;
    }
    if (i >= argc) {
        print_main_help();
        return want_help ? EXIT_OK : EXIT_USAGE;
    }
    e = cmd_find(cmd_table, argv[i], &amb);
    if (!e) {
        if (!amb)
            fprintf(stderr, "drover: unknown command '%s'\nRun 'drover --help'.\n", argv[i]);
        return EXIT_USAGE;
    }
    i++;
    if (e->subs) {
        const struct cmd_entry *sub;
        if (i >= argc || argv[i][0] == '-') {
            if (want_help ||
                (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0))) {
                cmd_print_help(e, NULL);
                return EXIT_OK;
            }
            fprintf(stderr, "drover: '%s' needs a subcommand\n", e->name);
            cmd_print_help(e, NULL);
            return EXIT_USAGE;
        }
        sub = cmd_find(e->subs, argv[i], &amb);
        if (!sub) {
            if (!amb)
                fprintf(stderr, "drover: unknown subcommand '%s %s'\nRun 'drover help %s'.\n",
                        e->name, argv[i], e->name);
            return EXIT_USAGE;
        }
        ctx.parent = e->name;
        e = sub;
        i++;
    }
    ctx.cmd = e;
    rc = parse_args(&ctx, argc, argv, i, &want_help);
    if (rc) {
        free(ctx.args);
        return rc;
    }
    if (want_help) {
        cmd_print_help(e, ctx.parent);
        free(ctx.args);
        return EXIT_OK;
    }
    if (ctx.g.output && strcmp(ctx.g.output, "json") != 0 && strcmp(ctx.g.output, "table") != 0 &&
        strcmp(ctx.g.output, "yaml") != 0 &&
        !(e->extra_output && strcmp(ctx.g.output, e->extra_output) == 0)) {
        free(ctx.args);
        return cmd_usage_error(&ctx, "--output must be json, table or yaml, not '%s'",
                               ctx.g.output);
    }
    if (ctx.nargs < e->min_args || (e->max_args >= 0 && ctx.nargs > e->max_args)) {
        rc = cmd_usage_error(&ctx, "%s: wrong number of arguments", e->name);
        free(ctx.args);
        return rc;
    }
    log_set_level(ctx.g.quiet ? LOG_ERROR : (enum log_level)(LOG_WARN + ctx.g.verbose));
    rc = e->exec(&ctx);
    free(ctx.args);
    return rc;
}
