/*
 * cases.c - conformance cases in the ../shared/testdata/iam-policy-cases
 * format: a request (action, resource {resource, accountId}, principal as
 * an ARN, a service principal or {"type":"Anonymous"}, context) with
 * identity, resource, boundary, SCP, RCP, session and endpoint policies
 * and expected.response. Compiles one case into a policy_set + request.
 * Every RCP level gets AWS's allow-all RCPFullAWSAccess added, as AWS
 * does. A resource policy is compiled as a trust policy for sts: actions
 * and a key policy for kms: actions. Depends on jansson and core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "policy/internal.h"

struct policy_case {
    struct arena arena;
    json_t *doc; /* strings in the request are borrowed from here */
    const char *name;
    bool strict;
    int expected;
    struct policy **owned; /* every compiled policy, freed with the case */
    size_t nowned, capowned;
    struct policy_request req;
    struct policy_set set;
};

static bool has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int own(struct policy_case *c, struct policy *p)
{
    if (c->nowned == c->capowned) {
        size_t cap = c->capowned ? c->capowned * 2 : 8;
        struct policy **n = realloc(c->owned, cap * sizeof(*n));
        if (!n)
            return -DR_ENOMEM;
        c->owned = n;
        c->capowned = cap;
    }
    c->owned[c->nowned++] = p;
    return 0;
}

static int compile_one(struct policy_case *c, const json_t *doc, enum policy_kind kind,
                       const char *label, const char *path, struct policy **out, struct dr_err *err)
{
    int rc = policy_compile_json(doc, kind, label, out, err);
    if (rc) {
        dr_err_prefix(err, "%s: ", path);
        return rc;
    }
    rc = own(c, *out);
    if (rc) {
        policy_free(*out);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    return 0;
}

/* An array of policies -> arena array of pointers. */
static int compile_list(struct policy_case *c, const json_t *arr, enum policy_kind kind,
                        const char *field, const char *path, size_t extra,
                        const struct policy ***out, size_t *n, struct dr_err *err)
{
    char label[64], sub[256];
    size_t i, m;
    const struct policy **ps;

    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return extra ? 0 : 0;
    if (!json_is_array(arr))
        return dr_err_set(err, DR_EINVAL, "%s.%s: must be an array of policies", path, field);
    m = json_array_size(arr);
    ps = arena_alloc(&c->arena, (m + extra + 1) * sizeof(*ps));
    if (!ps)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (i = 0; i < m; i++) {
        struct policy *p;
        int rc;
        snprintf(label, sizeof(label), "%s[%zu]", field, i);
        snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, field, i);
        rc = compile_one(c, json_array_get(arr, i), kind, label, sub, &p, err);
        if (rc)
            return rc;
        ps[extra + i] = p;
    }
    *out = ps;
    *n = m;
    return 0;
}

static int compile_levels(struct policy_case *c, const json_t *arr, enum policy_kind kind,
                          const char *field, const char *path, const struct policy_level **out,
                          size_t *n, struct dr_err *err)
{
    struct policy_level *lv;
    size_t i, m;
    char sub[256];

    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return dr_err_set(err, DR_EINVAL, "%s.%s: must be an array of {orgIdentifier, policies}",
                          path, field);
    m = json_array_size(arr);
    lv = arena_alloc(&c->arena, (m ? m : 1) * sizeof(*lv));
    if (!lv)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (i = 0; i < m; i++) {
        const json_t *l = json_array_get(arr, i);
        const struct policy **ps;
        size_t np, extra = kind == POLICY_RCP ? 1 : 0;
        int rc;
        snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, field, i);
        if (!json_is_object(l))
            return dr_err_set(err, DR_EINVAL, "%s: must be an object", sub);
        lv[i].org_id = json_str_borrow(l, "orgIdentifier");
        rc = compile_list(c, json_object_get(l, "policies"), kind, "policies", sub, extra, &ps, &np,
                          err);
        if (rc)
            return rc;
        if (kind == POLICY_RCP) {
            struct policy *def;
            if (!ps) {
                ps = arena_alloc(&c->arena, 2 * sizeof(*ps));
                if (!ps)
                    return dr_err_set(err, DR_ENOMEM, "out of memory");
            }
            rc = policy_default_rcp(&def, err);
            if (rc)
                return rc;
            if (own(c, def) < 0) {
                policy_free(def);
                return dr_err_set(err, DR_ENOMEM, "out of memory");
            }
            ps[0] = def;
            np += 1;
        }
        lv[i].policies = (const struct policy *const *)ps;
        lv[i].npolicies = np;
    }
    *out = lv;
    *n = m;
    return 0;
}

static int compile_context(struct policy_case *c, const json_t *ctx, const char *path,
                           struct dr_err *err)
{
    struct policy_ctx_entry *e;
    const char *key;
    json_t *v;
    size_t i = 0;

    if (!ctx || json_is_null(ctx))
        return 0;
    if (!json_is_object(ctx))
        return dr_err_set(err, DR_EINVAL, "%s.request.context: must be an object", path);
    e = arena_alloc(&c->arena, (json_object_size(ctx) + 1) * sizeof(*e));
    if (!e)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    json_object_foreach((json_t *)ctx, key, v)
    {
        size_t n = json_is_array(v) ? json_array_size(v) : 1, j;
        const char **vals = arena_alloc(&c->arena, (n + 1) * sizeof(*vals));
        if (!vals)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        for (j = 0; j < n; j++) {
            const json_t *x = json_is_array(v) ? json_array_get(v, j) : v;
            char num[64];
            if (json_is_string(x)) {
                vals[j] = json_string_value(x);
            } else if (json_is_boolean(x)) {
                vals[j] = json_is_true(x) ? "true" : "false";
            } else if (json_is_integer(x) || json_is_real(x)) {
                if (json_is_integer(x))
                    snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(x));
                else
                    snprintf(num, sizeof(num), "%.17g", json_real_value(x));
                vals[j] = arena_strndup(&c->arena, num, strlen(num));
                if (!vals[j])
                    return dr_err_set(err, DR_ENOMEM, "out of memory");
            } else {
                return dr_err_set(err, DR_EINVAL,
                                  "%s.request.context.%s: values must be strings or arrays of "
                                  "strings",
                                  path, key);
            }
        }
        e[i].key = key;
        e[i].vals = vals;
        e[i].nvals = n;
        e[i].is_list = json_is_array(v);
        i++;
    }
    c->req.ctx = e;
    c->req.nctx = i;
    return 0;
}

static int compile_request(struct policy_case *c, const json_t *rq, const char *path,
                           struct dr_err *err)
{
    const json_t *res, *pr;

    if (!json_is_object(rq))
        return dr_err_set(err, DR_EINVAL, "%s.request: missing or not an object", path);
    c->req.action = json_str_borrow(rq, "action");
    if (!c->req.action)
        return dr_err_set(err, DR_EINVAL, "%s.request.action: missing or not a string", path);
    if (strlen(c->req.action) >= EVAL_ACTION_MAX)
        return dr_err_set(err, DR_EINVAL, "%s.request.action: too long", path);
    res = json_object_get(rq, "resource");
    if (json_is_string(res)) {
        c->req.resource = json_string_value(res);
    } else if (json_is_object(res)) {
        c->req.resource = json_str_borrow(res, "resource");
        c->req.resource_account = json_str_borrow(res, "accountId");
    }
    if (!c->req.resource)
        return dr_err_set(err, DR_EINVAL, "%s.request.resource: missing resource", path);
    pr = json_object_get(rq, "principal");
    if (json_is_string(pr)) {
        c->req.principal = json_string_value(pr);
    } else if (json_is_object(pr)) {
        const char *t = json_str_borrow(pr, "type");
        if (!t || !dr_strcaseeq(t, "Anonymous"))
            return dr_err_set(err, DR_EINVAL,
                              "%s.request.principal: an object must be {\"type\":\"Anonymous\"}",
                              path);
        c->req.principal_type = POLICY_PRINCIPAL_ANONYMOUS;
    } else {
        return dr_err_set(err, DR_EINVAL, "%s.request.principal: missing", path);
    }
    return compile_context(c, json_object_get(rq, "context"), path, err);
}

int policy_case_compile(const json_t *cj, const char *path, struct policy_case **out,
                        struct dr_err *err)
{
    struct policy_case *c = calloc(1, sizeof(*c));
    const json_t *v, *sim, *exp;
    enum policy_kind rkind = POLICY_RESOURCE;
    struct policy *p;
    size_t n;
    int rc;

    *out = NULL;
    if (!c)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    c->expected = -1;
    c->strict = true;
    if (!json_is_object(cj)) {
        rc = dr_err_set(err, DR_EINVAL, "%s: a case must be an object", path);
        goto fail;
    }
    c->doc = json_incref((json_t *)cj);
    c->name = json_str_borrow(cj, "name");
    if (!c->name)
        c->name = "(unnamed)";
    sim = json_object_get(cj, "simulation");
    if (json_is_object(sim)) {
        const char *mode = json_str_borrow(sim, "mode");
        if (mode && strcmp(mode, "Strict") != 0)
            c->strict = false;
    }
    exp = json_object_get(cj, "expected");
    if (json_is_object(exp)) {
        const char *r = json_str_borrow(exp, "response");
        if (r && strcmp(r, "Allowed") == 0)
            c->expected = POLICY_ALLOWED;
        else if (r && strcmp(r, "ImplicitlyDenied") == 0)
            c->expected = POLICY_IMPLICIT_DENY;
        else if (r && strcmp(r, "ExplicitlyDenied") == 0)
            c->expected = POLICY_EXPLICIT_DENY;
        else if (r) {
            rc = dr_err_set(err, DR_EINVAL, "%s.expected.response: unknown '%s'", path, r);
            goto fail;
        }
    }
    rc = compile_request(c, json_object_get(cj, "request"), path, err);
    if (rc)
        goto fail;
    if (has_prefix_ci(c->req.action, "sts:"))
        rkind = POLICY_TRUST;
    else if (has_prefix_ci(c->req.action, "kms:"))
        rkind = POLICY_KEY;

    rc = compile_list(c, json_object_get(cj, "identityPolicies"), POLICY_IDENTITY,
                      "identityPolicies", path, 0, (const struct policy ***)&c->set.identity,
                      &c->set.nidentity, err);
    if (rc)
        goto fail;
    v = json_object_get(cj, "resourcePolicy");
    if (v && !json_is_null(v)) {
        char sub[256];
        snprintf(sub, sizeof(sub), "%s.resourcePolicy", path);
        rc = compile_one(c, v, rkind,
                         rkind == POLICY_TRUST ? "trust policy"
                         : rkind == POLICY_KEY ? "key policy"
                                               : "resource policy",
                         sub, &p, err);
        if (rc)
            goto fail;
        c->set.resource = p;
    }
    rc = compile_list(c, json_object_get(cj, "permissionBoundaries"), POLICY_BOUNDARY,
                      "permissionBoundaries", path, 0, (const struct policy ***)&c->set.boundary,
                      &c->set.nboundary, err);
    if (rc)
        goto fail;
    v = json_object_get(cj, "sessionPolicy");
    if (v && !json_is_null(v)) {
        char sub[256];
        snprintf(sub, sizeof(sub), "%s.sessionPolicy", path);
        rc = compile_one(c, v, POLICY_SESSION, "session policy", sub, &p, err);
        if (rc)
            goto fail;
        c->set.session = p;
    }
    rc = compile_list(c, json_object_get(cj, "endpointPolicies"), POLICY_ENDPOINT,
                      "endpointPolicies", path, 0, (const struct policy ***)&c->set.endpoint,
                      &c->set.nendpoint, err);
    if (rc)
        goto fail;
    rc = compile_levels(c, json_object_get(cj, "serviceControlPolicies"), POLICY_SCP,
                        "serviceControlPolicies", path, &c->set.scp, &c->set.nscp, err);
    if (rc)
        goto fail;
    rc = compile_levels(c, json_object_get(cj, "resourceControlPolicies"), POLICY_RCP,
                        "resourceControlPolicies", path, &c->set.rcp, &c->set.nrcp, err);
    if (rc)
        goto fail;
    (void)n;
    *out = c;
    return 0;
fail:
    policy_case_free(c);
    return rc;
}

void policy_case_free(struct policy_case *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->nowned; i++)
        policy_free(c->owned[i]);
    free(c->owned);
    arena_free(&c->arena);
    json_decref(c->doc);
    free(c);
}

const char *policy_case_name(const struct policy_case *c)
{
    return c->name;
}

bool policy_case_is_strict(const struct policy_case *c)
{
    return c->strict;
}

int policy_case_expected(const struct policy_case *c)
{
    return c->expected;
}

const struct policy_set *policy_case_set(const struct policy_case *c)
{
    return &c->set;
}

const struct policy_request *policy_case_request(const struct policy_case *c)
{
    return &c->req;
}

enum policy_decision policy_case_run(const struct policy_case *c)
{
    return policy_evaluate(&c->set, &c->req);
}
