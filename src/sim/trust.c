/*
 * trust.c - the simulator's one AssumeRole decision, sim_trust_allows(),
 * made by drover's IAM policy engine (src/policy): the role's trust policy
 * is compiled and evaluated as a trust policy for sts:AssumeRole on the
 * role, with the request's condition keys (sts:ExternalId,
 * sts:SourceIdentity, aws:SourceAccount, aws:SourceArn, aws:PrincipalArn,
 * aws:PrincipalAccount, aws:PrincipalType). A denial carries the engine's
 * explanation. Estates do not model the callers' own permission policies,
 * so the caller's identity side is an allow of sts:AssumeRole (as for an
 * administrator); the trust policy alone decides. Also the small wildcard
 * matcher the EC2 filters use.
 * Depends on core/, policy/, jansson.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
#include "policy/policy.h"
#include "sim/internal.h"

static bool wild(const char *p, const char *s, bool icase)
{
    while (*p) {
        if (*p == '*') {
            while (*p == '*')
                p++;
            if (!*p)
                return true;
            for (; *s; s++)
                if (wild(p, s, icase))
                    return true;
            return false;
        }
        if (!*s)
            return false;
        char a = *p, b = *s;
        if (icase) {
            a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a);
            b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        if (a != '?' && a != b)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

bool sim_wildcard_match(const char *pat, const char *s)
{
    return pat && s && wild(pat, s, false);
}

/* Adds one single-valued context entry when the value is known. */
static void ctx_add(struct policy_ctx_entry *ctx, const char **vals, size_t *n, const char *key,
                    const char *val)
{
    if (!val)
        return;
    vals[*n] = val;
    ctx[*n].key = key;
    ctx[*n].vals = &vals[*n];
    ctx[*n].nvals = 1;
    ctx[*n].is_list = false;
    (*n)++;
}

bool sim_trust_allows(const json_t *trust_policy, const struct sim_trust_req *r, char *why,
                      size_t whylen)
{
    static const char caller_allow[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                                       "\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
                                       "\"Resource\":\"*\"}]}";
    struct policy *pol = NULL, *ident = NULL;
    const struct policy *idents[1];
    struct policy_ctx_entry ctx[8];
    const char *vals[8];
    struct policy_request req;
    struct policy_set set;
    struct dr_err err;
    enum policy_decision d;
    size_t n = 0;
    bool session = r->role_principal != NULL;

    dr_err_clear(&err);
    if (!json_is_object(trust_policy)) {
        snprintf(why, whylen, "the role has no trust policy");
        return false;
    }
    if (policy_compile_json(trust_policy, POLICY_TRUST, "trust policy", &pol, &err) < 0) {
        snprintf(why, whylen, "the role's trust policy is invalid: %s", err.msg);
        return false;
    }
    if (policy_compile(caller_allow, sizeof(caller_allow) - 1, POLICY_IDENTITY, "caller identity",
                       &ident, &err) < 0) {
        policy_free(pol);
        snprintf(why, whylen, "internal error: %s", err.msg);
        return false;
    }
    idents[0] = ident;
    ctx_add(ctx, vals, &n, "sts:ExternalId", r->external_id);
    ctx_add(ctx, vals, &n, "sts:SourceIdentity", r->source_identity);
    ctx_add(ctx, vals, &n, "aws:SourceAccount", r->source_account);
    ctx_add(ctx, vals, &n, "aws:SourceArn", r->source_arn);
    /* for a role session, aws:PrincipalArn is the role's ARN */
    ctx_add(ctx, vals, &n, "aws:PrincipalArn", session ? r->role_principal : r->principal_arn);
    ctx_add(ctx, vals, &n, "aws:PrincipalAccount", r->principal_account);
    ctx_add(ctx, vals, &n, "aws:PrincipalType",
            session ? "AssumedRole"
                    : (r->principal_arn && strstr(r->principal_arn, ":root") ? "Account" : "User"));
    memset(&req, 0, sizeof(req));
    req.principal = r->principal_arn;
    req.principal_account = r->principal_account;
    req.action = "sts:AssumeRole";
    req.resource = r->role_arn ? r->role_arn : "*";
    req.ctx = ctx;
    req.nctx = n;
    memset(&set, 0, sizeof(set));
    set.resource = pol;
    set.identity = idents;
    set.nidentity = 1;
    d = policy_evaluate(&set, &req);
    if (d != POLICY_ALLOWED) {
        struct buf text;
        enum policy_decision d2;
        buf_init(&text, 8192);
        if (policy_explain(&set, &req, &d2, &text, NULL, &err) == 0 && text.len) {
            /* the first line naming a failed condition is the most useful */
            const char *cond = strstr(text.p, "Condition ");
            const char *line = cond ? cond : text.p;
            const char *nl = strchr(line, '\n');
            snprintf(why, whylen, "%.*s", (int)(nl ? nl - line : (long)strlen(line)), line);
        } else {
            snprintf(why, whylen, "the trust policy does not allow it (%s)",
                     policy_decision_name(d));
        }
        buf_cleanup(&text);
    }
    policy_free(pol);
    policy_free(ident);
    return d == POLICY_ALLOWED;
}
