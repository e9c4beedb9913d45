/*
 * findings.c - building findings (severity from the registry), turning
 * failed reads into the family's -000 finding, sorting them into the
 * report with its summary, and small accessors shared by the checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonutil.h"
#include "doctor/internal.h"

static enum doctor_severity sev_of(const char *id)
{
    const struct doctor_check *c = doctor_check_find(id);
    return c ? c->severity : DOCTOR_ERROR;
}

void dfind(struct dctx *d, const char *id, const char *account, const char *region,
           const char *resource, const char *evidence, const char *fix, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *f =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "severity",
                  doctor_severity_name(sev_of(id)), "account_id", account ? account : "", "region",
                  region ? region : "", "resource", resource ? resource : "", "message", msg,
                  "evidence", evidence ? evidence : "", "fix", fix ? fix : "");
    if (f)
        json_array_append_new(d->findings, f);
}

bool derr_is_denied(const json_t *e)
{
    const char *code = json_str_borrow(e, "code");
    int st = (int)json_int_or(e, "status", 0);
    return (code && (strcasestr(code, "AccessDenied") || strcasestr(code, "Unauthorized") ||
                     strcasestr(code, "Forbidden"))) ||
           st == 403;
}

bool dread_failed(struct dctx *d, const char *check_id, const char *account, const char *region,
                  const json_t *errors, const char *op, const char *what)
{
    const json_t *e = json_object_get(errors, op);
    if (!e)
        return false;
    char ev[600];
    snprintf(ev, sizeof ev, "%s answered %s: %s", op, json_str_borrow(e, "code"),
             json_str_borrow(e, "message"));
    if (derr_is_denied(e))
        dfind(d, check_id, account, region, what, ev,
              "Grant the spoke role read access (for example the AWS managed policies "
              "AWSElasticDisasterRecoveryReadOnlyAccess and ReadOnlyAccess, or "
              "the actions drover doctor reads; see docs/doctor.md).",
              "missing read permission: drover cannot read %s", what);
    else
        dfind(d, check_id, account, region, what, ev, "Retry; if it persists, check the service.",
              "drover could not read %s", what);
    return true;
}

static int sev_rank(const json_t *f)
{
    const char *s = json_str_borrow(f, "severity");
    if (!strcmp(s, "CRITICAL"))
        return 3;
    if (!strcmp(s, "ERROR"))
        return 2;
    if (!strcmp(s, "WARNING"))
        return 1;
    return 0;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    int r = sev_rank(b) - sev_rank(a);
    static const char *const keys[] = {"id", "account_id", "region", "resource", "message"};
    for (size_t i = 0; !r && i < sizeof keys / sizeof keys[0]; i++)
        r = strcmp(json_str_borrow(a, keys[i]), json_str_borrow(b, keys[i]));
    return r;
}

json_t *dreport(struct dctx *d)
{
    size_t n = json_array_size(d->findings), i;
    json_t **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return NULL;
    for (i = 0; i < n; i++)
        v[i] = json_array_get(d->findings, i);
    qsort(v, n, sizeof(*v), cmp_finding);
    json_t *arr = json_array();
    json_int_t cnt[4] = {0, 0, 0, 0};
    for (i = 0; i < n; i++) {
        json_array_append(arr, v[i]);
        cnt[sev_rank(v[i])]++;
    }
    free(v);
    return json_pack("{s:o, s:{s:I, s:I, s:I, s:I}}", "findings", arr, "summary", "CRITICAL",
                     cnt[3], "ERROR", cnt[2], "WARNING", cnt[1], "INFO", cnt[0]);
}

bool doctor_report_failed(const json_t *report)
{
    const json_t *s = json_object_get(report, "summary");
    return json_int_or(s, "CRITICAL", 0) > 0 || json_int_or(s, "ERROR", 0) > 0;
}

json_t *dar_templates(const struct dar *r)
{
    json_t *t = json_object_get(r->data, "templates");
    return t ? t : json_object_get(r->data, "_empty");
}

json_t *dar_servers(const struct dar *r)
{
    json_t *s = json_object_get(r->data, "servers");
    return s ? s : json_object_get(r->data, "_empty");
}

static void arn_field(const char *arn, int idx, char *out, size_t n)
{
    out[0] = 0;
    if (!arn)
        return;
    const char *p = arn;
    for (int i = 0; i < idx; i++) {
        p = strchr(p, ':');
        if (!p)
            return;
        p++;
    }
    size_t len = strcspn(p, ":");
    if (len >= n)
        len = n - 1;
    memcpy(out, p, len);
    out[len] = 0;
}

void darn_account(const char *arn, char *out, size_t n)
{
    arn_field(arn, 4, out, n);
}

void darn_region(const char *arn, char *out, size_t n)
{
    arn_field(arn, 3, out, n);
}

const json_t *dfind_by(const json_t *arr, const char *field, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)arr, i, x)
    {
        const char *v = json_str_borrow(x, field);
        if (v && id && !strcmp(v, id))
            return x;
    }
    return NULL;
}
