/*
 * fetch.c - the doctor's reads: each call is started on the AWS client's
 * curl-multi loop with the account's spoke role (assumed once through the
 * credential cache) and lands in a data/errors object when it completes,
 * so every account-region is read concurrently; dfetch_wait runs the loop
 * until the current round is done.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

struct pend {
    json_t *data, *errors; /* references */
    char name[96];
    const char *key; /* paginated: the list to concatenate */
    json_t *items;
};

static void pend_free(struct pend *p)
{
    json_decref(p->data);
    json_decref(p->errors);
    json_decref(p->items);
    free(p);
}

static void put_error(struct pend *p, const struct dr_err *err)
{
    json_object_set_new(p->errors, p->name,
                        json_pack("{s:s, s:s, s:i}", "code", err->code[0] ? err->code : "Error",
                                  "message", err->msg, "status", err->http_status));
}

static void on_done(void *ud, json_t *out, const struct dr_err *err)
{
    struct pend *p = ud;
    if (err) {
        put_error(p, err);
    } else if (p->key) { /* an operation without a paginator: one page */
        json_t *l = json_object_get(out, p->key);
        json_object_set(p->data, p->name, l ? l : p->items);
        json_decref(out);
    } else {
        json_object_set_new(p->data, p->name, out ? out : json_object());
    }
    pend_free(p);
}

static void on_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct pend *p = ud;
    (void)stop;
    if (err) {
        put_error(p, err);
    } else if (page) {
        json_array_extend(p->items, json_object_get(page, p->key));
    }
    json_decref(page);
    if (last) {
        if (!err)
            json_object_set(p->data, p->name, p->items);
        pend_free(p);
    }
}

static struct pend *pend_new(json_t *data, json_t *errors, const char *name, const char *key)
{
    struct pend *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->data = json_incref(data);
    p->errors = json_incref(errors);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->key = key;
    p->items = key ? json_array() : NULL;
    return p;
}

static void req_init(struct aws_call_req *r, struct dacct *a, const char *region,
                     const char *service, const char *op, const json_t *input)
{
    memset(r, 0, sizeof(*r));
    r->service = service;
    r->operation = op;
    r->input = input;
    r->region = region ? region : (a && a->a->nregions ? a->a->regions[0] : NULL);
    if (a) {
        r->roles = &a->role;
        r->nroles = 1;
    }
}

static int start(struct dctx *d, struct dacct *a, const char *region, const char *service,
                 const char *op, json_t *input, const char *key, json_t *data, json_t *errors,
                 const char *name)
{
    struct aws_call_req r;
    struct dr_err err;
    struct pend *p = pend_new(data, errors, name, key);
    int rc;

    dr_err_clear(&err);
    if (!p) {
        json_decref(input);
        return -DR_ENOMEM;
    }
    req_init(&r, a, region, service, op, input);
    rc = -DR_EINVAL;
    if (key)
        rc = aws_paginate_start(d->c, &r, 0, on_page, p, &err);
    if (rc < 0) {
        dr_err_clear(&err);
        rc = aws_call_start(d->c, &r, on_done, p, &err);
    }
    json_decref(input);
    if (rc < 0) {
        put_error(p, &err);
        pend_free(p);
    }
    return rc;
}

int dfetch(struct dctx *d, struct dacct *a, const char *region, const char *service, const char *op,
           json_t *input, json_t *data, json_t *errors, const char *name)
{
    return start(d, a, region, service, op, input, NULL, data, errors, name);
}

int dfetch_all(struct dctx *d, struct dacct *a, const char *region, const char *service,
               const char *op, json_t *input, const char *key, json_t *data, json_t *errors,
               const char *name)
{
    return start(d, a, region, service, op, input, key, data, errors, name);
}

int dfetch_wait(struct dctx *d, struct dr_err *err)
{
    return aws_client_run(d->c, err);
}

struct dacct *dctx_account(struct dctx *d, const char *account_id)
{
    for (size_t i = 0; i < d->naccts; i++)
        if (strcmp(d->accts[i].a->account_id, account_id) == 0)
            return &d->accts[i];
    return NULL;
}

struct dar *dctx_ar(struct dctx *d, const char *account_id, const char *region)
{
    for (size_t i = 0; i < d->nars; i++)
        if (strcmp(d->ars[i].acct->a->account_id, account_id) == 0 &&
            strcmp(d->ars[i].region, region) == 0)
            return &d->ars[i];
    return NULL;
}
