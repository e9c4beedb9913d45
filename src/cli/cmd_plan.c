/*
 * cmd_plan.c - `drover plan validate NAME|-f FILE`: checks a recovery plan
 * against its groups and the stored inventory, prints every problem as
 * FILE-or-plan:LINE: PATH: message and the DRS job split per wave. Thin:
 * the checks are plan_validate (src/plan/validate.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/buf.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/table.h"
#include "core/yamljson.h"
#include "plan/apply.h"
#include "plan/validate.h"

/* What the command validates: documents from a file and the plan chosen. */
struct target {
    json_t *docs, *lines; /* the file's documents, or NULL */
    json_t *groups;       /* stored groups overlaid with the file's */
    json_t *plan;         /* normalized plan, NULL when it did not normalize */
    const json_t *plan_lines;
    char label[96]; /* "RecoveryPlan/NAME" for a stored plan */
    bool from_file;
};

static int int_opt(struct cmd_ctx *ctx, const char *name, int64_t *v)
{
    const char *s = cmd_opt(ctx, name);
    if (!s)
        return 0;
    if (dr_parse_i64(s, v) < 0 || *v < 1)
        return cmd_usage_error(ctx, "--%s must be a positive integer, not '%s'", name, s);
    return 0;
}

static int parse_opts(struct cmd_ctx *ctx, struct plan_validate_opts *o)
{
    const char *age = cmd_opt(ctx, "max-inventory-age");

    plan_validate_opts_default(o);
    if (int_opt(ctx, "max-servers-per-job", &o->quotas.servers_per_job) ||
        int_opt(ctx, "max-active-jobs", &o->quotas.active_jobs) ||
        int_opt(ctx, "max-active-servers", &o->quotas.active_servers))
        return EXIT_USAGE;
    if (age) {
        json_t *v = json_string(age);
        long s = strcmp(age, "0") == 0 ? 0 : plan_parse_duration(v);
        json_decref(v);
        if (s < 0)
            return cmd_usage_error(ctx,
                                   "--max-inventory-age must be a duration (90s, 30m, 2h) or 0, "
                                   "not '%s'",
                                   age);
        o->max_inventory_age_seconds = s;
    }
    return EXIT_OK;
}

/* Normalizes the file's documents; groups overlay the stored ones. Picks the plan. */
static int load_file(struct cmd_ctx *ctx, const char *file, const char *name, struct target *t,
                     struct plan_issues *docs_is)
{
    json_t *d;
    size_t i, nplans = 0;
    ssize_t pick = -1;
    struct dr_err err;

    dr_err_clear(&err);
    if (yaml_load_path(file, &t->docs, &t->lines, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        return err.status == DR_ENOMEM ? EXIT_FAIL : EXIT_USAGE; /* unreadable or not YAML */
    }
    json_array_foreach(t->docs, i, d)
    {
        const char *kind = json_str_borrow(d, "kind"), *dn = json_str_borrow(d, "name");
        json_t *o = NULL;
        enum plan_kind k;
        char prefix[32] = "";
        bool is_plan = kind && strcmp(kind, "RecoveryPlan") == 0;

        if (json_array_size(t->docs) > 1)
            snprintf(prefix, sizeof(prefix), "document %zu", i + 1);
        if (is_plan) {
            nplans++;
            if (name ? (dn && strcmp(dn, name) == 0) : pick < 0)
                pick = (ssize_t)i;
        }
        if (plan_normalize(d, json_array_get(t->lines, i), prefix, docs_is, &o, &k) < 0)
            continue;
        if (k == PLAN_KIND_GROUP)
            json_object_set(t->groups, json_str_borrow(o, "name"), o);
        else if ((ssize_t)i == pick)
            t->plan = json_incref(o);
        json_decref(o);
    }
    if (json_array_size(t->docs) == 0)
        return cmd_usage_error(ctx, "%s holds no documents", file);
    if (!name && nplans != 1)
        return cmd_usage_error(ctx,
                               "%s holds %zu RecoveryPlan documents; name the plan to validate "
                               "(drover plan validate NAME -f FILE)",
                               file, nplans);
    if (pick >= 0) {
        t->from_file = true;
        t->plan_lines = json_array_get(t->lines, (size_t)pick);
    }
    return EXIT_OK;
}

static int load_stored_plan(struct cmd_ctx *ctx, struct store *st, const char *name,
                            struct target *t)
{
    struct store_doc doc;
    struct dr_err err;
    int rc;

    memset(&doc, 0, sizeof(doc));
    dr_err_clear(&err);
    rc = store_doc_get(st, "RecoveryPlan", name, 0, &doc, &err);
    if (rc == -DR_ENOTFOUND)
        return cmd_usage_error(ctx, "RecoveryPlan '%s' not found (drover get plans)", name);
    if (rc < 0)
        return cli_fail(rc, &err);
    t->plan = json_incref(doc.body);
    store_doc_cleanup(&doc);
    return EXIT_OK;
}

static void print_split(const json_t *waves)
{
    static const struct table_col cols[] = {
        {"WAVE", TABLE_LEFT},     {"ACCOUNT", TABLE_LEFT}, {"REGION", TABLE_LEFT},
        {"SERVERS", TABLE_RIGHT}, {"JOBS", TABLE_RIGHT},
    };
    struct table tb;
    struct buf out;
    const json_t *w, *j;
    size_t i, k;
    long long servers = 0, jobs = 0;

    table_init(&tb, cols, 5);
    json_array_foreach(waves, i, w)
    {
        const char *wn = json_str_borrow(w, "name");
        if (json_array_size(json_object_get(w, "jobs")) == 0) {
            const char *row[5] = {wn, NULL, NULL, "0", "0"};
            (void)table_add_row(&tb, row, NULL);
        }
        json_array_foreach(json_object_get(w, "jobs"), k, j)
        {
            char n[24], m[24];
            const char *row[5] = {wn, json_str_borrow(j, "account_id"),
                                  json_str_borrow(j, "region"), n, m};
            snprintf(n, sizeof(n), "%lld", (long long)json_int_or(j, "servers", 0));
            snprintf(m, sizeof(m), "%lld", (long long)json_int_or(j, "jobs", 0));
            servers += json_int_or(j, "servers", 0);
            jobs += json_int_or(j, "jobs", 0);
            (void)table_add_row(&tb, row, NULL);
        }
    }
    buf_init(&out, 1 << 24);
    if (table_render(&tb, &out, NULL) == 0)
        fputs(out.p, stdout);
    printf("%zu wave(s), %lld server(s), %lld job(s)\n", json_array_size(waves), servers, jobs);
    buf_cleanup(&out);
    table_cleanup(&tb);
}

static int print_result(struct cmd_ctx *ctx, const struct target *t, struct plan_issues *docs_is,
                        struct plan_issues *plan_is, json_t *report)
{
    size_t errors = docs_is->errors + plan_is->errors;
    size_t warnings = docs_is->n + plan_is->n - errors;
    const char *pname = json_str_borrow(t->plan, "name");
    json_t *waves = json_object_get(report, "waves"), *w;
    size_t i;

    json_array_foreach(waves, i, w) json_object_del(w, "members");
    if (cmd_output_json(ctx)) {
        json_t *issues = plan_issues_json(docs_is), *o;
        json_t *more = plan_issues_json(plan_is);
        json_array_extend(issues, more);
        json_decref(more);
        o = json_pack("{s:s?,s:b,s:o,s:o}", "plan", pname, "valid", errors == 0, "issues", issues,
                      "waves", waves ? json_incref(waves) : json_array());
        json_print(o);
        json_decref(o);
    } else {
        plan_issues_print(docs_is);
        plan_issues_print(plan_is);
        if (t->plan) {
            printf("RecoveryPlan/%s: %s, %zu error(s), %zu warning(s)\n", pname ? pname : "?",
                   errors ? "invalid" : "valid", errors, warnings);
            print_split(waves);
        }
        if (errors)
            fprintf(stderr, "drover: %zu problem(s); the plan is invalid\n", errors);
    }
    return errors ? EXIT_FAIL : EXIT_OK;
}

static int validate_exec(struct cmd_ctx *ctx)
{
    const char *file = cmd_opt(ctx, "file"), *name = ctx->nargs ? ctx->args[0] : NULL;
    struct plan_validate_opts opts;
    struct plan_issues docs_is, plan_is;
    struct target t;
    struct store *st = NULL;
    struct dr_err err;
    json_t *report = NULL;
    int rc;

    if (!file && !name)
        return cmd_usage_error(ctx, "plan validate needs a plan NAME or -f FILE");
    if ((rc = parse_opts(ctx, &opts)) != EXIT_OK)
        return rc;
    memset(&t, 0, sizeof(t));
    dr_err_clear(&err);
    plan_issues_init(&docs_is, file);
    plan_issues_init(&plan_is, file);
    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        goto out;
    if (plan_load_groups(st, &t.groups, &err) < 0) {
        rc = cli_fail(-(int)err.status, &err);
        goto out;
    }
    if (file && (rc = load_file(ctx, file, name, &t, &docs_is)) != EXIT_OK)
        goto out;
    if (!t.from_file) { /* NAME is set: load_file insists on it otherwise */
        if ((rc = load_stored_plan(ctx, st, name, &t)) != EXIT_OK)
            goto out;
        snprintf(t.label, sizeof(t.label), "RecoveryPlan/%s", name);
        plan_is.file = t.label;
    } else if (!t.plan) {
        rc = print_result(ctx, &t, &docs_is, &plan_is, NULL);
        goto out;
    }
    opts.lines = t.plan_lines;
    if (plan_validate(st, t.plan, t.groups, &opts, &plan_is, &report, &err) < 0) {
        rc = cli_fail(-(int)err.status, &err);
        goto out;
    }
    rc = print_result(ctx, &t, &docs_is, &plan_is, report);
out:
    json_decref(report);
    json_decref(t.plan);
    json_decref(t.groups);
    json_decref(t.docs);
    json_decref(t.lines);
    plan_issues_cleanup(&docs_is);
    plan_issues_cleanup(&plan_is);
    store_close(st);
    return rc;
}

static const struct cmd_entry plan_validate_entry = {
    .name = "validate",
    .summary = "check a plan: references, cycles, overlaps, inventory, replication, DRS quotas",
    .usage = "drover plan validate NAME|-f FILE [NAME] [-o json] [--max-servers-per-job N]\n"
             "       [--max-active-jobs N] [--max-active-servers N] [--max-inventory-age D]",
    .help = "NAME validates the stored plan against the stored groups. -f FILE validates\n"
            "the file's documents: its groups overlay the stored ones and nothing is stored;\n"
            "the plan is the file's only RecoveryPlan, or NAME (from the file, else stored).\n"
            "Every problem is printed as FILE-or-plan:LINE: PATH: message, then the DRS job\n"
            "split of each wave per account and region. Exit 0 valid (warnings allowed),\n"
            "1 invalid, 2 bad usage or unreadable file. See docs/plan-format.md.",
    .opts =
        (const struct cmd_opt[]){
            {"file", 'f', "FILE", "YAML or JSON documents to validate ('-' for stdin)"},
            {"max-servers-per-job", 0, "N", "DRS quota: servers per recovery job (100)"},
            {"max-active-jobs", 0, "N", "DRS quota: jobs in progress per account-region (20)"},
            {"max-active-servers", 0, "N",
             "DRS quota: servers in active jobs per account-region (500)"},
            {"max-inventory-age", 0, "D", "older inventory is a warning (24h; 0: no check)"},
            {0},
        },
    .min_args = 0,
    .max_args = 1,
    .exec = validate_exec,
};

static const struct cmd_entry *const plan_subs[] = {
    &plan_validate_entry,
    NULL,
};

const struct cmd_entry cmd_plan_entry = {
    .name = "plan",
    .summary = "work with recovery plans (validate)",
    .usage = "drover plan validate ...",
    .subs = plan_subs,
};
