/*
 * trust.c - the simulator's one AssumeRole decision, sim_trust_allows():
 * an interim evaluator of a role's trust policy covering what estates
 * need (Allow/Deny statements; Principal "*", account IDs, :root, user,
 * role and assumed-role ARNs, Service principals never match a caller;
 * Action sts:AssumeRole with wildcards; conditions StringEquals/NotEquals/
 * Like/NotLike/EqualsIgnoreCase, ArnEquals/Like/NotEquals/NotLike, Null,
 * with ...IfExists, on sts:ExternalId, sts:SourceIdentity,
 * aws:SourceAccount, aws:SourceArn, aws:PrincipalArn, aws:PrincipalAccount).
 * Replace the body with drover's policy engine (src/policy) when it lands.
 * Depends on core/str.h, jansson.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
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

/* Calls fn on each string of a string-or-array value; true when any returns true. */
static bool any_str(const json_t *v, bool (*fn)(const char *, const void *), const void *arg)
{
    if (json_is_string(v))
        return fn(json_string_value(v), arg);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (json_is_string(x) && fn(json_string_value(x), arg))
            return true;
    }
    return false;
}

static bool action_match(const char *pat, const void *arg)
{
    (void)arg;
    return wild(pat, "sts:AssumeRole", true);
}

static bool principal_match(const char *p, const void *arg)
{
    const struct sim_trust_req *r = arg;
    char root[64];
    if (strcmp(p, "*") == 0)
        return true;
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", r->principal_account);
    if (strcmp(p, r->principal_account) == 0 || strcmp(p, root) == 0)
        return true;
    if (r->principal_arn && strcmp(p, r->principal_arn) == 0)
        return true;
    return r->role_principal && strcmp(p, r->role_principal) == 0;
}

static bool principals_match(const json_t *pr, const struct sim_trust_req *r)
{
    if (json_is_string(pr))
        return strcmp(json_string_value(pr), "*") == 0;
    json_t *aws = json_object_get(pr, "AWS");
    return aws && any_str(aws, principal_match, r);
}

static const char *key_value(const struct sim_trust_req *r, const char *key)
{
    if (strcasecmp(key, "sts:ExternalId") == 0)
        return r->external_id;
    if (strcasecmp(key, "sts:SourceIdentity") == 0)
        return r->source_identity;
    if (strcasecmp(key, "aws:SourceAccount") == 0)
        return r->source_account;
    if (strcasecmp(key, "aws:SourceArn") == 0)
        return r->source_arn;
    if (strcasecmp(key, "aws:PrincipalArn") == 0)
        return r->role_principal ? r->role_principal : r->principal_arn;
    if (strcasecmp(key, "aws:PrincipalAccount") == 0)
        return r->principal_account;
    return NULL;
}

struct cmp {
    const char *val;
    int how; /* 0 equals, 1 like, 2 equals ignoring case */
};

static bool cmp_one(const char *pat, const void *arg)
{
    const struct cmp *c = arg;
    switch (c->how) {
    case 1:
        return wild(pat, c->val, false);
    case 2:
        return strcasecmp(pat, c->val) == 0;
    default:
        return strcmp(pat, c->val) == 0;
    }
}

/* One operator block: {"sts:ExternalId": "x", ...}; all keys must hold. */
static bool op_holds(const char *op, const json_t *block, const struct sim_trust_req *r, char *why,
                     size_t whylen)
{
    char base[64];
    dr_strlcpy(base, op, sizeof base);
    size_t bl = strlen(base);
    bool if_exists = bl > 8 && strcmp(base + bl - 8, "IfExists") == 0;
    if (if_exists)
        base[bl - 8] = '\0';
    bool negate = false;
    int how = 0;
    if (!strcmp(base, "StringEquals") || !strcmp(base, "ArnEquals"))
        how = 0;
    else if (!strcmp(base, "StringLike") || !strcmp(base, "ArnLike"))
        how = 1;
    else if (!strcmp(base, "StringEqualsIgnoreCase"))
        how = 2;
    else if (!strcmp(base, "StringNotEquals") || !strcmp(base, "ArnNotEquals"))
        negate = true;
    else if (!strcmp(base, "StringNotLike") || !strcmp(base, "ArnNotLike")) {
        negate = true;
        how = 1;
    } else if (!strcmp(base, "StringNotEqualsIgnoreCase")) {
        negate = true;
        how = 2;
    } else if (strcmp(base, "Null") != 0) {
        snprintf(why, whylen, "unsupported condition operator %s", op);
        return false;
    }
    const char *key;
    json_t *want;
    json_object_foreach((json_t *)block, key, want)
    {
        const char *have = key_value(r, key);
        if (!strcmp(base, "Null")) {
            bool want_null = json_is_true(want) ||
                             (json_is_string(want) && !strcmp(json_string_value(want), "true"));
            if (want_null != (have == NULL)) {
                snprintf(why, whylen, "condition Null on %s failed", key);
                return false;
            }
            continue;
        }
        if (!have) {
            if (if_exists || negate)
                continue;
            snprintf(why, whylen, "condition %s on %s: the key is absent", op, key);
            return false;
        }
        struct cmp c = {.val = have, .how = how};
        bool m = any_str(want, cmp_one, &c);
        if (m == negate) {
            snprintf(why, whylen, "condition %s on %s does not match", op, key);
            return false;
        }
    }
    return true;
}

static bool stmt_applies(const json_t *st, const struct sim_trust_req *r, char *why, size_t whylen)
{
    json_t *act = json_object_get(st, "Action");
    if (!act || !any_str(act, action_match, NULL)) {
        snprintf(why, whylen, "no statement allows sts:AssumeRole");
        return false;
    }
    json_t *pr = json_object_get(st, "Principal");
    if (!pr || !principals_match(pr, r)) {
        snprintf(why, whylen, "the principal %s is not trusted", r->principal_arn);
        return false;
    }
    const char *op;
    json_t *block;
    json_object_foreach(json_object_get(st, "Condition"), op, block)
    {
        if (!json_is_object(block) || !op_holds(op, block, r, why, whylen))
            return false;
    }
    return true;
}

bool sim_trust_allows(const json_t *trust_policy, const struct sim_trust_req *r, char *why,
                      size_t whylen)
{
    json_t *sts = json_object_get(trust_policy, "Statement");
    json_t *one = NULL;
    if (json_is_object(sts)) {
        one = json_array();
        json_array_append(one, sts);
        sts = one;
    }
    bool allowed = false, denied = false;
    char tmp[256] = "no statement allows sts:AssumeRole";
    snprintf(why, whylen, "%s", tmp);
    size_t i;
    json_t *st;
    json_array_foreach(sts, i, st)
    {
        const char *eff = json_string_value(json_object_get(st, "Effect"));
        if (!eff || json_object_get(st, "NotPrincipal") || json_object_get(st, "NotAction"))
            continue;
        bool applies = stmt_applies(st, r, tmp, sizeof tmp);
        if (!strcmp(eff, "Deny") && applies) {
            denied = true;
            snprintf(why, whylen, "an explicit Deny in the trust policy applies");
        } else if (!strcmp(eff, "Allow")) {
            if (applies)
                allowed = true;
            else if (!allowed)
                snprintf(why, whylen, "%s", tmp);
        }
    }
    json_decref(one);
    return allowed && !denied;
}
