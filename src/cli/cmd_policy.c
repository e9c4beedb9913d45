/*
 * cmd_policy.c - `drover policy eval [FILE|-] [-o json]` (one case: the
 * decision and its explanation) and `drover policy eval --cases FILE`
 * (an array of cases with expected.response; ends "N passed, M failed").
 * Exit 0 ok / all passed, 1 some failed, 2 bad input. Thin: the engine
 * is src/policy.
 */
#include <stdio.h>

#include "cli/cmd.h"
#include "core/jsonutil.h"
#include "policy/policy.h"

static int eval_one(struct cmd_ctx *ctx, const char *path)
{
    struct policy_case *c = NULL;
    struct dr_err err = {0};
    json_t *doc = NULL, *lines = NULL, *outj;
    enum policy_decision d;
    struct buf text;
    int rc = EXIT_USAGE;

    buf_init(&text, 0);
    if (json_load_path(path, &doc, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        goto out;
    }
    if (policy_case_compile(doc, path, &c, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        goto out;
    }
    if (policy_explain(policy_case_set(c), policy_case_request(c), &d,
                       cmd_output_json(ctx) ? NULL : &text, cmd_output_json(ctx) ? &lines : NULL,
                       &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        rc = EXIT_FAIL;
        goto out;
    }
    if (cmd_output_json(ctx)) {
        outj = json_pack("{s:s, s:o}", "response", policy_decision_name(d), "explain", lines);
        lines = NULL;
        if (outj)
            json_print(outj);
        json_decref(outj);
    } else {
        printf("%s\n%s", policy_decision_name(d), text.p);
    }
    rc = EXIT_OK;
out:
    json_decref(lines);
    json_decref(doc);
    policy_case_free(c);
    buf_cleanup(&text);
    return rc;
}

static int eval_cases(const char *path)
{
    struct dr_err err = {0};
    json_t *doc = NULL;
    size_t i, passed = 0, failed = 0, skipped = 0;
    char label[512];
    int rc = EXIT_USAGE;

    if (json_load_path(path, &doc, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        goto out;
    }
    if (!json_is_array(doc)) {
        fprintf(stderr, "drover: %s: --cases needs a JSON array of cases\n", path);
        goto out;
    }
    /* Compile everything first: bad input is exit 2 before any verdict. */
    for (i = 0; i < json_array_size(doc); i++) {
        struct policy_case *c;
        snprintf(label, sizeof(label), "%s[%zu]", path, i);
        if (policy_case_compile(json_array_get(doc, i), label, &c, &err) < 0) {
            fprintf(stderr, "drover: %s\n", err.msg);
            goto out;
        }
        if (policy_case_is_strict(c) && policy_case_expected(c) < 0) {
            fprintf(stderr, "drover: %s.expected.response: missing\n", label);
            policy_case_free(c);
            goto out;
        }
        policy_case_free(c);
    }
    for (i = 0; i < json_array_size(doc); i++) {
        struct policy_case *c;
        enum policy_decision got;
        snprintf(label, sizeof(label), "%s[%zu]", path, i);
        if (policy_case_compile(json_array_get(doc, i), label, &c, &err) < 0)
            goto out;
        if (!policy_case_is_strict(c)) {
            skipped++;
            policy_case_free(c);
            continue;
        }
        got = policy_case_run(c);
        if ((int)got == policy_case_expected(c)) {
            passed++;
        } else {
            struct buf text;
            buf_init(&text, 0);
            failed++;
            printf("FAIL %s: %s: expected %s, got %s\n", label, policy_case_name(c),
                   policy_decision_name((enum policy_decision)policy_case_expected(c)),
                   policy_decision_name(got));
            if (policy_explain(policy_case_set(c), policy_case_request(c), NULL, &text, NULL,
                               NULL) == 0)
                printf("%s", text.p);
            buf_cleanup(&text);
        }
        policy_case_free(c);
    }
    if (skipped)
        printf("(%zu Discovery-mode cases skipped)\n", skipped);
    printf("%zu passed, %zu failed\n", passed, failed);
    rc = failed ? EXIT_FAIL : EXIT_OK;
out:
    json_decref(doc);
    return rc;
}

static int policy_eval_exec(struct cmd_ctx *ctx)
{
    const char *cases = cmd_opt(ctx, "cases");

    if (cases) {
        if (ctx->nargs)
            return cmd_usage_error(ctx, "give either FILE or --cases FILE, not both");
        return eval_cases(cases);
    }
    return eval_one(ctx, ctx->nargs ? ctx->args[0] : "-");
}

static const struct cmd_entry policy_eval_entry = {
    .name = "eval",
    .summary = "decide one request case as AWS IAM would, and explain why",
    .usage = "drover policy eval [FILE|-] [-o json] | drover policy eval --cases FILE.json",
    .help = "A case is a JSON object: request {action, resource {resource, accountId},\n"
            "principal, context}, identityPolicies, resourcePolicy, permissionBoundaries,\n"
            "serviceControlPolicies, resourceControlPolicies, sessionPolicy, endpointPolicies.\n"
            "--cases runs an array of cases with expected.response and ends with\n"
            "'N passed, M failed' (exit 1 when any failed, 2 on bad input).",
    .opts =
        (const struct cmd_opt[]){
            {"cases", 0, "FILE", "run an array of cases and compare with expected.response"},
            {0},
        },
    .min_args = 0,
    .max_args = 1,
    .exec = policy_eval_exec,
};

const struct cmd_entry cmd_policy_entry = {
    .name = "policy",
    .summary = "IAM policy engine: evaluate requests against policies",
    .usage = "drover policy eval [FILE|-] [-o json]",
    .opts = (const struct cmd_opt[]){{0}},
    .subs = (const struct cmd_entry *const[]){&policy_eval_entry, NULL},
};
