/*
 * acctcheck.c - `accounts validate` and `accounts import --organization`
 * (see acctcheck.h). Validation runs one small chain of calls per
 * account-region on the client's loop; each region assumes the role
 * through its own STS endpoint (a session name per region keeps the
 * credential cache from sharing one AssumeRole between regions).
 */
#include "inventory/acctcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "core/table.h"
#include "inventory/accounts.h"

struct vtask {
    struct aws_client *c;
    struct acctcheck_row *row;
    struct cred_role role;
    size_t *remaining;
    size_t *failed;
};

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* What to change for a failure of `step` with AWS error code `code`. */
static char *fix_for(const struct acctcheck_row *row, const char *step, const char *code,
                     const char *role_arn)
{
    if (!strcmp(step, "AssumeRole")) {
        if (!strcmp(code, "AccessDenied") || !strcmp(code, "AccessDeniedException"))
            return dupf("let the hub identity assume %s: the role's trust policy must allow "
                        "sts:AssumeRole for the hub with sts:ExternalId equal to the registered "
                        "external ID ('drover accounts list --show-secrets'), and the hub's own "
                        "policy must allow sts:AssumeRole on the role",
                        role_arn);
        if (!strcmp(code, "NoSuchEntity") || !strcmp(code, "NoSuchEntityException"))
            return dupf("create the role %s in the spoke, or re-register with the right "
                        "--role-arn",
                        role_arn);
        if (!strcmp(code, "InvalidClientTokenId") || !strcmp(code, "ExpiredToken") ||
            !strcmp(code, "SignatureDoesNotMatch") || !code[0])
            return dupf("check the hub credentials (profile, environment or instance role)");
        if (!strcmp(code, "RegionDisabledException"))
            return dupf("activate STS in %s for the hub account (IAM > Account settings)",
                        row->region);
        return dupf("retry later: STS in %s did not answer normally", row->region);
    }
    if (!strcmp(step, "GetCallerIdentity"))
        return dupf("register the account with a role that lives in it (%s)", row->account_id);
    if (!strcmp(code, "UninitializedAccountException"))
        return dupf("initialize Elastic Disaster Recovery in %s of %s (drs initialize-service)",
                    row->region, row->account_id);
    if (!strcmp(code, "AccessDeniedException") || !strcmp(code, "AccessDenied"))
        return dupf("allow drs:DescribeSourceServers (and the other drs:Describe* actions) in "
                    "the role's policy, e.g. AWSElasticDisasterRecoveryReadOnlyAccess");
    return dupf("retry later, or check that DRS is available in %s", row->region);
}

static void vfail(struct vtask *t, const char *step, const struct dr_err *e)
{
    char buf[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 8];

    snprintf(buf, sizeof(buf), "%s%s%s", e->code, e->code[0] ? ": " : "", e->msg);
    t->row->step = step;
    t->row->error = strdup(buf);
    t->row->fix = fix_for(t->row, step, e->code, t->role.role_arn);
    (*t->failed)++;
}

static void vdone(struct vtask *t)
{
    (*t->remaining)--;
    cred_role_cleanup(&t->role);
    free(t);
}

static void on_dss(void *ud, json_t *out, const struct dr_err *err)
{
    struct vtask *t = ud;

    if (err)
        vfail(t, "DescribeSourceServers", err);
    json_decref(out);
    vdone(t);
}

static int vcall(struct vtask *t, const char *service, const char *op, json_t *in, aws_done_cb cb,
                 struct dr_err *err)
{
    struct aws_call_req req;
    int rc;

    memset(&req, 0, sizeof(req));
    req.service = service;
    req.operation = op;
    req.input = in;
    req.region = t->row->region;
    req.sts_region = t->row->region;
    req.roles = &t->role;
    req.nroles = 1;
    rc = aws_call_start(t->c, &req, cb, t, err);
    json_decref(in);
    return rc;
}

static void on_identity(void *ud, json_t *out, const struct dr_err *err)
{
    struct vtask *t = ud;
    struct dr_err e;
    const char *acct;

    dr_err_clear(&e);
    if (err) {
        vfail(t, strncmp(err->msg, "assuming ", 9) == 0 ? "AssumeRole" : "GetCallerIdentity", err);
        vdone(t);
        return;
    }
    acct = json_str_borrow(out, "Account");
    if (!acct || strcmp(acct, t->row->account_id) != 0) {
        dr_err_set(&e, DR_EDENIED, "the role's credentials are for account %.12s, not %.12s",
                   acct ? acct : "(none)", t->row->account_id);
        json_decref(out);
        vfail(t, "GetCallerIdentity", &e);
        vdone(t);
        return;
    }
    json_decref(out);
    if (vcall(t, "drs", "DescribeSourceServers", json_pack("{s:i}", "maxResults", 1), on_dss, &e) <
        0) {
        vfail(t, "DescribeSourceServers", &e);
        vdone(t);
    }
}

static int add_row(struct acctcheck_result *r, size_t *cap, const char *acct, const char *region)
{
    struct acctcheck_row *row;

    if (r->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct acctcheck_row *nv = realloc(r->v, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        r->v = nv;
        *cap = ncap;
    }
    row = &r->v[r->n++];
    memset(row, 0, sizeof(*row));
    row->account_id = strdup(acct);
    row->region = strdup(region);
    return row->account_id && row->region ? 0 : -1;
}

int accounts_validate(struct store *s, struct aws_client *c, const char *account_id,
                      struct acctcheck_result *r, struct dr_err *err)
{
    struct store_account_list l = {0};
    size_t i, j, k = 0, cap = 0, remaining = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if ((rc = store_account_list(s, &l, err)) < 0)
        return rc;
    for (i = 0; i < l.n; i++) {
        if (account_id && strcmp(account_id, l.v[i].account_id) != 0)
            continue;
        for (j = 0; j < l.v[i].nregions; j++) {
            if (add_row(r, &cap, l.v[i].account_id, l.v[i].regions[j]) < 0) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    if (r->n == 0) {
        rc = account_id ? dr_err_set(err, DR_ENOTFOUND,
                                     "account_id: %.12s is not registered (drover accounts add)",
                                     account_id)
                        : dr_err_set(err, DR_ENOTFOUND, "no accounts are registered");
        goto out;
    }
    for (i = 0; i < l.n; i++) {
        const struct store_account *a = &l.v[i];
        if (account_id && strcmp(account_id, a->account_id) != 0)
            continue;
        for (j = 0; j < a->nregions; j++, k++) {
            struct vtask *t = calloc(1, sizeof(*t));
            char session[64];
            struct dr_err e;
            dr_err_clear(&e);
            if (!t) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto run;
            }
            snprintf(session, sizeof(session), "drover-validate-%s", a->regions[j]);
            t->c = c;
            t->row = &r->v[k];
            t->remaining = &remaining;
            t->failed = &r->failed;
            t->role.role_arn = strdup(a->role_arn);
            t->role.external_id = a->external_id ? strdup(a->external_id) : NULL;
            t->role.session_name = strdup(session);
            remaining++;
            if (vcall(t, "sts", "GetCallerIdentity", NULL, on_identity, &e) < 0) {
                vfail(t, "GetCallerIdentity", &e);
                vdone(t);
            }
        }
    }
run:
    while (remaining > 0) {
        int lrc = aws_client_run_once(c, 1000, err);
        if (lrc < 0) {
            rc = lrc;
            break;
        }
    }
out:
    store_account_list_cleanup(&l);
    if (rc < 0 && remaining == 0)
        acctcheck_result_cleanup(r);
    return rc;
}

void acctcheck_result_cleanup(struct acctcheck_result *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        free(r->v[i].account_id);
        free(r->v[i].region);
        free(r->v[i].error);
        free(r->v[i].fix);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *acctcheck_to_json(const struct acctcheck_result *r)
{
    json_t *arr = json_array(), *o;
    size_t i;

    for (i = 0; arr && i < r->n; i++) {
        const struct acctcheck_row *w = &r->v[i];
        o = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o}", "account_id", w->account_id, "region",
                      w->region, "ok", w->error == NULL, "step", str_or_null(w->step), "error",
                      str_or_null(w->error), "fix", str_or_null(w->fix));
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr ? json_pack("{s:o, s:I}", "results", arr, "failed", (json_int_t)r->failed) : NULL;
}

int acctcheck_render_table(const struct acctcheck_result *r, struct buf *out, struct dr_err *err)
{
    static const struct table_col cols[] = {
        {"ACCOUNT", TABLE_LEFT},
        {"REGION", TABLE_LEFT},
        {"RESULT", TABLE_LEFT},
        {"FIX", TABLE_LEFT},
    };
    struct table t;
    char res[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 64];
    size_t i;
    int rc = 0;

    table_init(&t, cols, 4);
    for (i = 0; i < r->n && rc == 0; i++) {
        const struct acctcheck_row *w = &r->v[i];
        const char *cells[4];
        if (w->error)
            snprintf(res, sizeof(res), "%s failed: %s", w->step, w->error);
        else
            snprintf(res, sizeof(res), "OK");
        cells[0] = w->account_id;
        cells[1] = w->region;
        cells[2] = res;
        cells[3] = w->fix ? w->fix : "";
        rc = table_add_row(&t, cells, err);
    }
    if (rc == 0)
        rc = table_render(&t, out, err);
    table_cleanup(&t);
    return rc;
}

/* ---- import --organization ---- */

void accounts_import_result_cleanup(struct accounts_import_result *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        free(r->v[i].account_id);
        free(r->v[i].name);
        free(r->v[i].role_arn);
        if (r->v[i].external_id)
            explicit_bzero(r->v[i].external_id, strlen(r->v[i].external_id));
        free(r->v[i].external_id);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* "arn:PARTITION:..." -> PARTITION (into out). */
static void arn_partition(const char *arn, char *out, size_t n)
{
    const char *p = arn && !strncmp(arn, "arn:", 4) ? arn + 4 : NULL;
    const char *e = p ? strchr(p, ':') : NULL;

    snprintf(out, n, "%.*s", e ? (int)(e - p) : 3, e ? p : "aws");
}

int accounts_import_org(struct store *s, struct aws_client *c,
                        const struct accounts_import_req *req, struct accounts_import_result *r,
                        struct dr_err *err)
{
    struct aws_call_req call;
    json_t *who = NULL, *list = NULL, *a;
    const char *role = req->role_name ? req->role_name : ACCTCHECK_DEFAULT_ROLE;
    const char *hub;
    char part[16];
    size_t i;
    int rc;

    memset(r, 0, sizeof(*r));
    if (!dr_nonempty(req->regions))
        return dr_err_set(err, DR_EINVAL, "regions: --regions is required");
    memset(&call, 0, sizeof(call));
    call.service = "sts";
    call.operation = "GetCallerIdentity";
    if ((rc = aws_call(c, &call, &who, err)) < 0) {
        dr_err_prefix(err, "GetCallerIdentity: ");
        return rc;
    }
    hub = json_str_borrow(who, "Account");
    arn_partition(json_str_borrow(who, "Arn"), part, sizeof(part));
    call.service = "organizations";
    call.operation = "ListAccounts";
    if ((rc = aws_call_all(c, &call, 20, &list, err)) < 0) {
        dr_err_prefix(err, "ListAccounts: ");
        goto out;
    }
    r->v = calloc(json_array_size(json_object_get(list, "Accounts")) + 1, sizeof(*r->v));
    if (!r->v) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(json_object_get(list, "Accounts"), i, a)
    {
        struct accounts_import_row *row = &r->v[r->n];
        const char *id = json_str_borrow(a, "Id"), *status = json_str_borrow(a, "Status");
        struct accounts_add_req ar;
        char arn[256], *gen = NULL;
        struct dr_err e;

        if (!id || accounts_check_id(id, NULL) < 0)
            continue;
        r->n++;
        snprintf(arn, sizeof(arn), "arn:%s:iam::%s:role/%s", part, id, role);
        row->account_id = strdup(id);
        row->name = json_str_borrow(a, "Name") ? strdup(json_str_borrow(a, "Name")) : NULL;
        row->role_arn = strdup(arn);
        if (hub && !strcmp(hub, id)) {
            row->action = "skipped (hub)";
            continue;
        }
        if (status && strcmp(status, "ACTIVE") != 0) {
            row->action = "skipped (not ACTIVE)";
            continue;
        }
        if (req->dry_run) {
            row->action = "would register";
            continue;
        }
        memset(&ar, 0, sizeof(ar));
        ar.account_id = id;
        ar.role_arn = arn;
        ar.external_id = req->external_id;
        ar.regions = req->regions;
        ar.name = row->name;
        ar.update = req->update;
        dr_err_clear(&e);
        rc = accounts_add(s, &ar, &gen, &e);
        if (rc == -DR_ECONFLICT) {
            row->action = "exists";
            continue;
        }
        if (rc < 0) {
            dr_err_copy(err, &e);
            dr_err_prefix(err, "account %s: ", id);
            goto out;
        }
        row->action = req->update ? "registered or updated" : "registered";
        row->external_id = gen;
    }
    rc = 0;
out:
    json_decref(who);
    json_decref(list);
    return rc;
}

json_t *accounts_import_to_json(const struct accounts_import_result *r)
{
    json_t *arr = json_array(), *o;
    size_t i;

    for (i = 0; arr && i < r->n; i++) {
        const struct accounts_import_row *w = &r->v[i];
        o = json_pack("{s:s, s:o, s:s, s:s}", "account_id", w->account_id, "name",
                      str_or_null(w->name), "role_arn", w->role_arn, "action", w->action);
        if (o && w->external_id)
            json_object_set_new(o, "external_id", json_string(w->external_id));
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr ? json_pack("{s:o}", "accounts", arr) : NULL;
}
