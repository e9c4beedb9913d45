/*
 * fuzz_policy.c - libFuzzer target for the IAM policy engine: compiles the
 * input as a policy of a kind chosen by the first byte, evaluates it in
 * that role against fixed requests (fast path and explained), and also
 * compiles and runs the input as a conformance case when it parses as one.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

static void run_requests(const struct policy_set *set)
{
    static const char *const tags[] = {"a", "b*", "${aws:username}"};
    static const char *const one[] = {"alice"};
    static const char *const ext[] = {"a1b2c3d4"};
    static const char *const ip[] = {"10.1.2.3"};
    const struct policy_ctx_entry ctx[] = {
        {"aws:username", one, 1, false},          {"sts:ExternalId", ext, 1, false},
        {"aws:SourceIp", ip, 1, false},           {"aws:TagKeys", tags, 3, true},
        {"aws:PrincipalTag/team", one, 1, false},
    };
    const struct policy_request reqs[] = {
        {.principal = "arn:aws:iam::111111111111:role/DRS",
         .action = "sts:AssumeRole",
         .resource = "arn:aws:iam::222222222222:role/Target",
         .ctx = ctx,
         .nctx = 5},
        {.principal = "arn:aws:sts::111111111111:assumed-role/DRS/s1",
         .action = "s3:GetObject",
         .resource = "arn:aws:s3:::bucket/*",
         .resource_account = "111111111111",
         .ctx = ctx,
         .nctx = 5},
        {.principal = "drs.amazonaws.com",
         .action = "kms:CreateGrant",
         .resource = "arn:aws:kms:us-east-1:111111111111:key/k",
         .ctx = ctx,
         .nctx = 5},
        {.principal = NULL, .action = "s3:ListAllMyBuckets", .resource = "*"},
    };
    size_t i;

    for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        struct buf text;
        json_t *lines = NULL;
        enum policy_decision d;
        (void)policy_evaluate(set, &reqs[i]);
        buf_init(&text, 0);
        if (policy_explain(set, &reqs[i], &d, &text, &lines, NULL) == 0)
            json_decref(lines);
        buf_cleanup(&text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policy *p = NULL;
    enum policy_kind kind;
    json_t *doc;

    if (size < 1)
        return 0;
    kind = (enum policy_kind)(data[0] % 9);
    if (policy_compile((const char *)data + 1, size - 1, kind, "fuzz", &p, NULL) == 0) {
        const struct policy *one[] = {p};
        const struct policy_level lv = {"o-fuzz", one, 1};
        struct policy_set set = {0};
        switch (kind) {
        case POLICY_IDENTITY:
            set.identity = one;
            set.nidentity = 1;
            break;
        case POLICY_BOUNDARY:
            set.boundary = one;
            set.nboundary = 1;
            break;
        case POLICY_SESSION:
            set.session = p;
            break;
        case POLICY_ENDPOINT:
            set.endpoint = one;
            set.nendpoint = 1;
            break;
        case POLICY_SCP:
            set.scp = &lv;
            set.nscp = 1;
            break;
        case POLICY_RCP:
            set.rcp = &lv;
            set.nrcp = 1;
            break;
        default:
            set.resource = p;
            set.identity = one;
            set.nidentity = 1;
            break;
        }
        run_requests(&set);
        policy_free(p);
    }
    /* The same bytes as a whole case. */
    doc = json_loadb((const char *)data + 1, size - 1, 0, NULL);
    if (doc) {
        struct policy_case *c = NULL;
        if (json_is_object(doc) && policy_case_compile(doc, "fuzz", &c, NULL) == 0) {
            struct buf text;
            (void)policy_case_run(c);
            buf_init(&text, 0);
            (void)policy_explain(policy_case_set(c), policy_case_request(c), NULL, &text, NULL,
                                 NULL);
            buf_cleanup(&text);
            policy_case_free(c);
        }
        json_decref(doc);
    }
    return 0;
}
