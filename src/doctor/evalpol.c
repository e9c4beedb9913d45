/*
 * evalpol.c - the doctor's use of the policy engine: compile a trust or
 * key policy read from AWS, decide one probe request, and turn the
 * engine's explanation lines into evidence ("Sid 'X': Condition
 * StringEquals kms:ViaService: expected ..., request had ...").
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "doctor/internal.h"

struct policy *dpol_compile(const json_t *doc, enum policy_kind kind, const char *name, char *why,
                            size_t whylen)
{
    struct policy *p = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    if (!json_is_object(doc)) {
        snprintf(why, whylen, "the policy document is missing or not a JSON object");
        return NULL;
    }
    if (policy_compile_json(doc, kind, name, &p, &err) < 0) {
        snprintf(why, whylen, "%s", err.msg);
        return NULL;
    }
    return p;
}

/* Context keys whose name starts with "[]" are single-element lists. */
static size_t build_ctx(const struct dreq *r, struct policy_ctx_entry *ctx, const char **vals)
{
    size_t n = 0;
    for (size_t i = 0; i < 8 && r->keys[i]; i++) {
        if (!r->vals[i])
            continue;
        bool list = strncmp(r->keys[i], "[]", 2) == 0;
        vals[n] = r->vals[i];
        ctx[n].key = list ? r->keys[i] + 2 : r->keys[i];
        ctx[n].vals = &vals[n];
        ctx[n].nvals = 1;
        ctx[n].is_list = list;
        n++;
    }
    return n;
}

static void fill_req(const struct dreq *r, struct policy_request *q, struct policy_ctx_entry *ctx,
                     const char **vals)
{
    memset(q, 0, sizeof(*q));
    q->principal = r->principal;
    q->principal_type = r->ptype;
    q->action = r->action;
    q->resource = r->resource;
    q->ctx = ctx;
    q->nctx = build_ctx(r, ctx, vals);
}

/* An identity policy that allows everything (compiled per use: no globals). */
static struct policy *allow_all(void)
{
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
        "\"Resource\":\"*\"}]}";
    struct policy *p = NULL;
    if (policy_compile(doc, sizeof doc - 1, POLICY_IDENTITY, "caller identity (assumed to allow)",
                       &p, NULL) < 0)
        return NULL;
    return p;
}

enum policy_decision dpol_eval(const struct policy *p, const struct dreq *r)
{
    struct policy_ctx_entry ctx[8];
    const char *vals[8];
    struct policy_request q;
    struct policy_set set = {.resource = p};
    struct policy *id = r->caller_allows ? allow_all() : NULL;
    const struct policy *ids[1] = {id};
    if (id) {
        set.identity = ids;
        set.nidentity = 1;
    }
    fill_req(r, &q, ctx, vals);
    enum policy_decision dec = policy_evaluate(&set, &q);
    policy_free(id);
    return dec;
}

enum policy_decision dpol_explain(const struct policy *p, const struct dreq *r, struct buf *ev,
                                  char *cond_key, size_t keylen)
{
    struct policy_ctx_entry ctx[8];
    const char *vals[8];
    struct policy_request q;
    struct policy_set set = {.resource = p};
    struct policy *id = r->caller_allows ? allow_all() : NULL;
    const struct policy *ids[1] = {id};
    if (id) {
        set.identity = ids;
        set.nidentity = 1;
    }
    enum policy_decision dec = POLICY_IMPLICIT_DENY;
    json_t *lines = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    if (cond_key && keylen)
        cond_key[0] = 0;
    fill_req(r, &q, ctx, vals);
    if (policy_explain(&set, &q, &dec, NULL, &lines, &err) < 0) {
        dec = policy_evaluate(&set, &q);
        policy_free(id);
        return dec;
    }
    size_t i;
    json_t *l;
    int nout = 0;
    json_array_foreach(lines, i, l)
    {
        const char *sid = json_str_borrow(l, "sid");
        const char *detail = json_str_borrow(l, "detail");
        const char *result = json_str_borrow(l, "result");
        if (!sid || !json_str_borrow(l, "stage") ||
            strcmp(json_str_borrow(l, "stage"), "identity") == 0)
            continue;
        int rc =
            buf_addf(ev, "%s%s (%s): %s%s%s", nout++ ? "; " : "", sid, json_str_borrow(l, "effect"),
                     result, detail ? " - " : "", detail ? detail : "");
        (void)rc;
        if (cond_key && keylen && !cond_key[0] && detail &&
            strncmp(detail, "Condition ", 10) == 0) {
            /* "Condition OP KEY: ..." */
            const char *k = strchr(detail + 10, ' ');
            if (k) {
                k++;
                const char *end = strstr(k, ": ");
                size_t len = end ? (size_t)(end - k) : strlen(k);
                if (len >= keylen)
                    len = keylen - 1;
                memcpy(cond_key, k, len);
                cond_key[len] = 0;
            }
        }
    }
    if (!nout) {
        int rc = buf_addf(ev, "no statement of the policy allows %s for %s", r->action,
                          r->principal ? r->principal : "the caller");
        (void)rc;
    }
    json_decref(lines);
    policy_free(id);
    return dec;
}
