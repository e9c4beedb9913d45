/*
 * parse.c - compiles IAM policy documents (JSON) into the engine's
 * in-memory form: Version, Statement as object or array, Sid, Effect,
 * Action/NotAction, Resource/NotResource, Principal/NotPrincipal (AWS,
 * Service, Federated, CanonicalUser, "*") and Condition. Strings and
 * arrays are interchangeable where AWS allows it. Errors name the path
 * ("Statement[2].Condition.StringLike: ...") and say what is wrong.
 * Rejects documents over POLICY_MAX_BYTES and nesting over
 * POLICY_MAX_DEPTH before parsing. Depends on jansson and core.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "policy/internal.h"

struct pctx {
    struct policy *p;
    struct dr_err *err;
    char path[160];
};

static int fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct pctx *c, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dr_err_set(c->err, DR_EINVAL, "policy '%s': %s: %s", c->p->name, c->path, msg);
}

static int nomem(struct pctx *c)
{
    return dr_err_set(c->err, DR_ENOMEM, "policy '%s': out of memory", c->p->name);
}

/* A scalar condition value as text: strings, numbers and booleans. */
static int scalar_text(const json_t *v, char *buf, size_t n, const char **out)
{
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return 0;
    }
    if (json_is_true(v) || json_is_false(v)) {
        *out = json_is_true(v) ? "true" : "false";
        return 0;
    }
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        *out = buf;
        return 0;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%.17g", json_real_value(v));
        *out = buf;
        return 0;
    }
    return -1;
}

/* String or array of strings -> count (checks the types). */
static int string_list(struct pctx *c, const json_t *v, const char *elem, size_t *n)
{
    size_t i;
    if (json_is_string(v)) {
        *n = 1;
        return 0;
    }
    if (!json_is_array(v))
        return fail(c, "%s must be a string or an array of strings", elem);
    for (i = 0; i < json_array_size(v); i++) {
        if (!json_is_string(json_array_get(v, i)))
            return fail(c, "%s[%zu] must be a string", elem, i);
    }
    *n = json_array_size(v);
    return 0;
}

static const char *list_at(const json_t *v, size_t i)
{
    return json_is_string(v) ? json_string_value(v) : json_string_value(json_array_get(v, i));
}

static int compile_actions(struct pctx *c, struct stmt *s, const json_t *v, const char *elem)
{
    size_t n, i, j;
    int rc = string_list(c, v, elem, &n);

    if (rc)
        return rc;
    s->actions = arena_alloc(&c->p->arena, (n ? n : 1) * sizeof(*s->actions));
    if (!s->actions)
        return nomem(c);
    for (i = 0; i < n; i++) {
        const char *a = list_at(v, i);
        size_t len = strlen(a);
        char *low = arena_strndup(&c->p->arena, a, len);
        if (!low)
            return nomem(c);
        for (j = 0; j < len; j++)
            low[j] = (char)tolower((unsigned char)low[j]);
        s->actions[i].s = low;
        s->actions[i].len = (uint32_t)len;
        s->actions[i].raw = low;
        pat_classify(&s->actions[i]);
    }
    s->nactions = n;
    return 0;
}

static int compile_resources(struct pctx *c, struct stmt *s, const json_t *v, const char *elem)
{
    size_t n, i;
    int rc = string_list(c, v, elem, &n);

    if (rc)
        return rc;
    s->resources = arena_alloc(&c->p->arena, (n ? n : 1) * sizeof(*s->resources));
    if (!s->resources)
        return nomem(c);
    for (i = 0; i < n; i++) {
        const char *r = list_at(v, i);
        size_t len = strlen(r), outlen;
        bool has_var;
        char *src = var_compile(&c->p->arena, r, len, true, c->p->v2012, &has_var, &outlen);
        if (!src)
            return nomem(c);
        s->resources[i].s = src;
        s->resources[i].len = (uint32_t)outlen;
        s->resources[i].has_var = has_var;
        s->resources[i].raw = arena_strndup(&c->p->arena, r, len);
        if (!s->resources[i].raw)
            return nomem(c);
        pat_classify(&s->resources[i]);
    }
    s->nresources = n;
    s->has_resource = true;
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return n > 0;
}

static void classify_aws(struct principal_ent *e)
{
    struct arn_parts ap;
    struct str svc, res;
    size_t k;

    e->kind = PR_ARN;
    if (e->len == 1 && e->val[0] == '*') {
        e->kind = PR_ANY;
        return;
    }
    if (e->len == 12 && all_digits(e->val, 12)) {
        e->kind = PR_ACCOUNT;
        memcpy(e->account, e->val, 12);
        e->account_len = 12;
        return;
    }
    if (arn_split(e->val, e->len, &ap) < 0)
        return;
    svc = (struct str){ap.p[2], ap.n[2]};
    res = (struct str){ap.p[5], ap.n[5]};
    if (!str_eq_cstr(svc, "iam"))
        return;
    if (str_eq_cstr(res, "root") && ap.n[4] < sizeof(e->account)) {
        e->kind = PR_ACCOUNT;
        memcpy(e->account, ap.p[4], ap.n[4]);
        e->account_len = ap.n[4];
        return;
    }
    if (str_starts_with(res, "role/"))
        e->iam_kind = 1;
    else if (str_starts_with(res, "user/"))
        e->iam_kind = 2;
    else
        return;
    e->part = ap.p[1];
    e->part_len = ap.n[1];
    e->acct = ap.p[4];
    e->acct_len = ap.n[4];
    for (k = res.len; k > 0 && res.p[k - 1] != '/'; k--)
        ;
    e->name = res.p + k;
    e->name_len = res.len - k;
}

static int compile_principal(struct pctx *c, struct stmt *s, const json_t *v, const char *elem)
{
    static const struct {
        const char *name;
        enum pr_kind kind;
    } types[] = {{"AWS", PR_ARN},
                 {"Service", PR_SERVICE},
                 {"Federated", PR_FEDERATED},
                 {"CanonicalUser", PR_CANONICAL}};
    size_t total = 0, k = 0, i, t, n;
    const char *key;
    json_t *val;
    int rc;

    if (json_is_string(v)) {
        /* "*" or (leniently) a bare AWS principal. */
        s->princ = arena_alloc(&c->p->arena, sizeof(*s->princ));
        if (!s->princ)
            return nomem(c);
        s->princ->val = json_string_value(v);
        s->princ->len = strlen(s->princ->val);
        s->princ->val = arena_strndup(&c->p->arena, s->princ->val, s->princ->len);
        if (!s->princ->val)
            return nomem(c);
        classify_aws(s->princ);
        s->nprinc = 1;
        return 0;
    }
    if (!json_is_object(v))
        return fail(c, "%s must be \"*\" or an object of AWS/Service/Federated/CanonicalUser",
                    elem);
    json_object_foreach((json_t *)v, key, val)
    {
        for (t = 0; t < 4; t++) {
            if (strcmp(key, types[t].name) == 0)
                break;
        }
        if (t == 4)
            return fail(c, "%s.%s: unknown principal type (AWS, Service, Federated, CanonicalUser)",
                        elem, key);
        rc = string_list(c, val, elem, &n);
        if (rc)
            return rc;
        total += n;
    }
    if (!total)
        return fail(c, "%s is empty", elem);
    s->princ = arena_alloc(&c->p->arena, total * sizeof(*s->princ));
    if (!s->princ)
        return nomem(c);
    json_object_foreach((json_t *)v, key, val)
    {
        for (t = 0; t < 4 && strcmp(key, types[t].name) != 0; t++)
            ;
        n = json_is_string(val) ? 1 : json_array_size(val);
        for (i = 0; i < n; i++, k++) {
            struct principal_ent *e = &s->princ[k];
            const char *pv = list_at(val, i);
            e->len = strlen(pv);
            e->val = arena_strndup(&c->p->arena, pv, e->len);
            if (!e->val)
                return nomem(c);
            e->kind = types[t].kind;
            if (e->kind == PR_ARN)
                classify_aws(e);
            else if (e->len == 1 && e->val[0] == '*')
                e->kind = PR_ANY;
        }
    }
    s->nprinc = total;
    return 0;
}

static int compile_conditions(struct pctx *c, struct stmt *s, const json_t *v, size_t plen)
{
    const char *opname, *key;
    json_t *keys, *vals;
    size_t total = 0, k = 0;
    char num[64];

    if (!json_is_object(v))
        return fail(c, "Condition must be an object of operators");
    json_object_foreach((json_t *)v, opname, keys)
    {
        enum cond_op op;
        enum cond_set set;
        bool ifx;
        snprintf(c->path + plen, sizeof(c->path) - plen, ".Condition.%s", opname);
        if (cond_op_parse(opname, &op, &set, &ifx) < 0)
            return fail(c, "unknown condition operator");
        if (!json_is_object(keys))
            return fail(c, "must be an object of condition keys to values");
        total += json_object_size(keys);
    }
    s->conds = arena_alloc(&c->p->arena, (total ? total : 1) * sizeof(*s->conds));
    if (!s->conds)
        return nomem(c);
    json_object_foreach((json_t *)v, opname, keys)
    {
        json_object_foreach(keys, key, vals)
        {
            struct cond *cd = &s->conds[k++];
            size_t i, n;
            snprintf(c->path + plen, sizeof(c->path) - plen, ".Condition.%s.%s", opname, key);
            cond_op_parse(opname, &cd->op, &cd->set, &cd->if_exists);
            cd->op_name = arena_strndup(&c->p->arena, opname, strlen(opname));
            cd->keylen = strlen(key);
            cd->key = arena_strndup(&c->p->arena, key, cd->keylen);
            if (!cd->op_name || !cd->key)
                return nomem(c);
            if (!cd->keylen)
                return fail(c, "empty condition key");
            n = json_is_array(vals) ? json_array_size(vals) : 1;
            cd->vals = arena_alloc(&c->p->arena, (n ? n : 1) * sizeof(*cd->vals));
            if (!cd->vals)
                return nomem(c);
            for (i = 0; i < n; i++) {
                const json_t *jv = json_is_array(vals) ? json_array_get(vals, i) : vals;
                const char *text;
                int rc;
                if (scalar_text(jv, num, sizeof(num), &text) < 0)
                    return fail(c, "value %zu must be a string, number or boolean", i);
                rc = cond_value_compile(&c->p->arena, cd->op, text, c->p->v2012, &cd->vals[i]);
                if (rc == -DR_ENOMEM)
                    return nomem(c);
                if (rc < 0)
                    return fail(c, "'%.60s' is not a valid value for %s", text, opname);
            }
            cd->nvals = n;
            if (cd->op == OP_NULL && n == 0)
                return fail(c, "Null needs \"true\" or \"false\"");
        }
    }
    s->nconds = total;
    c->path[plen] = '\0';
    return 0;
}

static int compile_stmt(struct pctx *c, struct stmt *s, const json_t *js, int index)
{
    size_t plen = strlen(c->path);
    const char *key;
    json_t *v, *eff;
    int rc;

    s->index = index;
    if (!json_is_object(js))
        return fail(c, "a statement must be an object");
    json_object_foreach((json_t *)js, key, v)
    {
        static const char *const known[] = {"Sid",       "Effect",       "Action",
                                            "NotAction", "Resource",     "NotResource",
                                            "Principal", "NotPrincipal", "Condition"};
        size_t i;
        for (i = 0; i < sizeof(known) / sizeof(known[0]) && strcmp(key, known[i]) != 0; i++)
            ;
        if (i == sizeof(known) / sizeof(known[0]))
            return fail(c, "unknown element '%s'", key);
    }
    v = json_object_get(js, "Sid");
    if (v) {
        if (!json_is_string(v))
            return fail(c, "Sid must be a string");
        s->sid = arena_strndup(&c->p->arena, json_string_value(v), strlen(json_string_value(v)));
        if (!s->sid)
            return nomem(c);
    }
    eff = json_object_get(js, "Effect");
    if (!eff)
        return fail(c, "missing Effect");
    if (json_is_string(eff) && strcmp(json_string_value(eff), "Allow") == 0)
        s->allow = true;
    else if (!(json_is_string(eff) && strcmp(json_string_value(eff), "Deny") == 0))
        return fail(c, "Effect must be \"Allow\" or \"Deny\"");

    if (json_object_get(js, "Action") && json_object_get(js, "NotAction"))
        return fail(c, "has both Action and NotAction");
    if ((v = json_object_get(js, "Action")))
        rc = compile_actions(c, s, v, "Action");
    else if ((v = json_object_get(js, "NotAction"))) {
        s->not_action = true;
        rc = compile_actions(c, s, v, "NotAction");
    } else
        return fail(c, "missing Action or NotAction");
    if (rc)
        return rc;

    if (json_object_get(js, "Resource") && json_object_get(js, "NotResource"))
        return fail(c, "has both Resource and NotResource");
    if ((v = json_object_get(js, "Resource")))
        rc = compile_resources(c, s, v, "Resource");
    else if ((v = json_object_get(js, "NotResource"))) {
        s->not_resource = true;
        rc = compile_resources(c, s, v, "NotResource");
    } else if (c->p->kind != POLICY_TRUST)
        return fail(c, "missing Resource or NotResource");
    if (rc)
        return rc;

    if (json_object_get(js, "Principal") && json_object_get(js, "NotPrincipal"))
        return fail(c, "has both Principal and NotPrincipal");
    v = json_object_get(js, "Principal");
    if (v)
        s->pelem = PE_PRINCIPAL;
    else if ((v = json_object_get(js, "NotPrincipal")))
        s->pelem = PE_NOT_PRINCIPAL;
    if (v) {
        /* Identity, boundary, session and SCP statements ignore it (AWS
         * rejects it there when the policy is saved; we evaluate leniently). */
        rc = compile_principal(c, s, v, s->pelem == PE_PRINCIPAL ? "Principal" : "NotPrincipal");
        if (rc)
            return rc;
    }
    v = json_object_get(js, "Condition");
    if (v)
        return compile_conditions(c, s, v, plen);
    return 0;
}

/* True when v nests deeper than POLICY_MAX_DEPTH (stops early). */
static bool json_depth_over(const json_t *v, int depth)
{
    const char *key;
    json_t *x;
    size_t i;

    if (!json_is_object(v) && !json_is_array(v))
        return false;
    if (++depth > POLICY_MAX_DEPTH)
        return true;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            if (json_depth_over(x, depth))
                return true;
        }
        return false;
    }
    json_object_foreach((json_t *)v, key, x)
    {
        if (json_depth_over(x, depth))
            return true;
    }
    return false;
}

int policy_compile_json(const json_t *doc, enum policy_kind kind, const char *name,
                        struct policy **out, struct dr_err *err)
{
    struct policy *p = calloc(1, sizeof(*p));
    struct pctx c = {.p = p, .err = err};
    const json_t *st, *ver;
    const char *key;
    json_t *v;
    size_t i, n;
    int rc;

    *out = NULL;
    if (!p)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    p->kind = kind;
    if (!name)
        name = policy_kind_name(kind);
    p->name = arena_strndup(&p->arena, name, strlen(name));
    if (!p->name) {
        policy_free(p);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    dr_strlcpy(c.path, "(document)", sizeof(c.path));
    if (json_depth_over(doc, 0)) {
        rc = fail(&c, "nesting deeper than %d levels", POLICY_MAX_DEPTH);
        goto out;
    }
    if (json_dumpb(doc, NULL, 0, JSON_COMPACT) > POLICY_MAX_BYTES) {
        rc = fail(&c, "over the %zu-byte limit", POLICY_MAX_BYTES);
        goto out;
    }
    if (!json_is_object(doc)) {
        rc = fail(&c, "a policy must be a JSON object");
        goto out;
    }
    json_object_foreach((json_t *)doc, key, v)
    {
        if (strcmp(key, "Version") != 0 && strcmp(key, "Statement") != 0 &&
            strcmp(key, "Id") != 0) {
            dr_strlcpy(c.path, key, sizeof(c.path));
            rc = fail(&c, "unknown top-level element (Version, Id, Statement)");
            goto out;
        }
    }
    ver = json_object_get(doc, "Version");
    if (ver) {
        dr_strlcpy(c.path, "Version", sizeof(c.path));
        if (json_is_string(ver) && strcmp(json_string_value(ver), "2012-10-17") == 0) {
            p->v2012 = true;
        } else if (!(json_is_string(ver) && strcmp(json_string_value(ver), "2008-10-17") == 0)) {
            rc = fail(&c, "must be \"2012-10-17\" or \"2008-10-17\"");
            goto out;
        }
    }
    st = json_object_get(doc, "Statement");
    dr_strlcpy(c.path, "Statement", sizeof(c.path));
    if (!st) {
        rc = fail(&c, "missing");
        goto out;
    }
    if (!json_is_array(st) && !json_is_object(st)) {
        rc = fail(&c, "must be an object or an array of objects");
        goto out;
    }
    n = json_is_array(st) ? json_array_size(st) : 1;
    p->stmts = arena_alloc(&p->arena, (n ? n : 1) * sizeof(*p->stmts));
    if (!p->stmts) {
        rc = nomem(&c);
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (json_is_array(st))
            snprintf(c.path, sizeof(c.path), "Statement[%zu]", i);
        rc = compile_stmt(&c, &p->stmts[i], json_is_array(st) ? json_array_get(st, i) : st, (int)i);
        if (rc)
            goto out;
    }
    p->nstmts = n;
    *out = p;
    return 0;
out:
    policy_free(p);
    return rc;
}

/* Rejects nesting deeper than POLICY_MAX_DEPTH without parsing. */
static int check_depth(const char *s, size_t len, struct dr_err *err)
{
    size_t i;
    int depth = 0;
    bool in_str = false;

    for (i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > POLICY_MAX_DEPTH)
                return dr_err_set(err, DR_EINVAL,
                                  "policy: nesting deeper than %d levels at byte %zu",
                                  POLICY_MAX_DEPTH, i);
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return 0;
}

int policy_compile(const char *text, size_t len, enum policy_kind kind, const char *name,
                   struct policy **out, struct dr_err *err)
{
    json_t *doc = NULL;
    int rc;

    *out = NULL;
    if (len > POLICY_MAX_BYTES)
        return dr_err_set(err, DR_EINVAL, "policy '%s': %zu bytes is over the %zu-byte limit",
                          name ? name : policy_kind_name(kind), len, POLICY_MAX_BYTES);
    rc = check_depth(text, len, err);
    if (rc)
        return rc;
    rc = json_parse(text, len, name ? name : "policy", &doc, err);
    if (rc)
        return -DR_EINVAL;
    rc = policy_compile_json(doc, kind, name, out, err);
    json_decref(doc);
    return rc;
}

void policy_free(struct policy *p)
{
    if (!p)
        return;
    arena_free(&p->arena);
    free(p);
}

const char *policy_name(const struct policy *p)
{
    return p->name;
}

enum policy_kind policy_get_kind(const struct policy *p)
{
    return p->kind;
}

size_t policy_statement_count(const struct policy *p)
{
    return p->nstmts;
}

static const char *const kind_names[] = {
    [POLICY_IDENTITY] = "identity", [POLICY_RESOURCE] = "resource", [POLICY_TRUST] = "trust",
    [POLICY_KEY] = "key",           [POLICY_SCP] = "scp",           [POLICY_RCP] = "rcp",
    [POLICY_BOUNDARY] = "boundary", [POLICY_SESSION] = "session",   [POLICY_ENDPOINT] = "endpoint",
};

const char *policy_kind_name(enum policy_kind k)
{
    if ((size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[k])
        return kind_names[k];
    return "policy";
}

int policy_kind_parse(const char *s, enum policy_kind *out)
{
    size_t i;
    for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
        if (kind_names[i] && dr_strcaseeq(s, kind_names[i])) {
            *out = (enum policy_kind)i;
            return 0;
        }
    }
    return -DR_EINVAL;
}

const char *policy_decision_name(enum policy_decision d)
{
    switch (d) {
    case POLICY_ALLOWED:
        return "Allowed";
    case POLICY_IMPLICIT_DENY:
        return "ImplicitlyDenied";
    case POLICY_EXPLICIT_DENY:
        return "ExplicitlyDenied";
    }
    return "ImplicitlyDenied";
}

int policy_default_rcp(struct policy **out, struct dr_err *err)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
        "\"Action\":\"*\",\"Resource\":\"*\"}]}";
    return policy_compile(doc, sizeof(doc) - 1, POLICY_RCP, "RCPFullAWSAccess", out, err);
}
