/*
 * discover.c - estate discovery across account-regions on one curl-multi
 * loop (see discover.h). One task per account-region runs three
 * paginations at once (source servers, recovery instances, recent jobs);
 * when they are done it optionally pages EC2 DescribeInstances in each
 * origin account-region drover can reach, then writes its snapshot. Every
 * callback runs on the client's loop, so no locking is needed.
 */
#include "inventory/discover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "core/str.h"
#include "core/strmap.h"
#include "core/table.h"
#include "core/timeutil.h"
#include "inventory/accounts.h"

struct acct {
    const struct store_account *a;
    struct cred_role role;
    /* AssumeRole goes to STS in a->regions[(sts_base + sts_idx) % n]:
     * accounts are spread over their regions' STS endpoints, and a
     * transient failure there (a regional outage) moves on to the next. */
    size_t sts_base, sts_idx;
};

struct disc;

struct ar_task {
    struct disc *d;
    struct acct *acct;
    struct discover_ar *out;
    json_t *servers, *ris, *jobs, *ec2;
    int pending;  /* paginations not finished */
    bool enrich;  /* the EC2 phase was started */
    bool failed;  /* a DRS call failed: out->error is set */
    bool restart; /* AssumeRole failed transiently: try STS in another region */
    size_t sts_used;
    int64_t t0;
};

/* One pagination of one task. */
struct pg {
    struct ar_task *t;
    const char *op;
    json_t *dst;
    bool ec2; /* Reservations[].Instances[] instead of items[] */
};

struct disc {
    struct store *s;
    struct aws_client *c;
    const struct discover_opts *o;
    struct discover_result *r;
    struct store_account_list accounts;
    struct acct *accts;  /* one per registered account, same order */
    struct strmap by_id; /* account ID -> struct acct */
    size_t remaining;
    struct discover_progress prog;
    int page_size;
    char jobs_from[32];
};

static char *fmt_error(const char *op, const struct dr_err *e)
{
    char buf[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 96];

    size_t n = strlen(op);

    if (strncmp(e->msg, op, n) == 0 && strncmp(e->msg + n, ": ", 2) == 0)
        snprintf(buf, sizeof(buf), "%s", e->msg); /* the message names the operation already */
    else if (e->code[0])
        snprintf(buf, sizeof(buf), "%s: %s: %s", op, e->code, e->msg);
    else
        snprintf(buf, sizeof(buf), "%s: %s", op, e->msg[0] ? e->msg : dr_strerror(e->status));
    return strdup(buf);
}

/* Classifies one validated server into the table's counters. */
static void count_server(struct discover_ar *o, const struct store_drs_server *sv)
{
    const char *st = sv->replication_state ? sv->replication_state : "";

    if (!strcmp(st, "STALLED") || !strcmp(st, "DISCONNECTED"))
        o->stalled++;
    else if (sv->lag_seconds > DISCOVER_LAG_SECONDS || !strcmp(st, "BACKLOG") ||
             !strcmp(st, "RESCAN") || !strcmp(st, "CREATING_SNAPSHOT"))
        o->lagging++;
    else if (!strcmp(st, "CONTINUOUS"))
        o->healthy++;
}

static void task_done(struct ar_task *t)
{
    struct disc *d = t->d;

    t->out->elapsed_ms = time_mono_ms() - t->t0;
    json_decref(t->servers);
    json_decref(t->ris);
    json_decref(t->jobs);
    json_decref(t->ec2);
    t->servers = t->ris = t->jobs = t->ec2 = NULL;
    d->remaining--;
    d->prog.done++;
    if (t->out->error)
        d->r->failed++;
    else
        d->prog.servers += t->out->servers;
    if (d->o->progress)
        d->o->progress(d->o->progress_ud, &d->prog);
    free(t);
}

/* Marks the snapshot failed with out->error (the old rows stay, stale). */
static void record_failure(struct store *s, const char *account_id, const char *region,
                           struct discover_ar *out)
{
    struct dr_err e;

    dr_err_clear(&e);
    if (store_snapshot_mark_failed(s, account_id, region, out->error, time_now_ms(), &e) < 0) {
        char *more = NULL;
        if (asprintf(&more, "%s (and recording the failure: %s)", out->error, e.msg) > 0) {
            free(out->error);
            out->error = more;
        }
    }
    out->servers = out->healthy = out->lagging = out->stalled = 0;
    out->recovery_instances = out->jobs = out->enriched = 0;
}

/* Counts enriched servers: awsInstanceID among the EC2 instances found. */
static int64_t count_enriched(const json_t *servers, const json_t *ec2)
{
    struct strmap ids;
    int64_t n = 0;
    size_t i;
    json_t *x;

    if (!ec2 || json_array_size(ec2) == 0)
        return 0;
    strmap_init(&ids);
    json_array_foreach(ec2, i, x)
    {
        const char *id = json_str_borrow(x, "InstanceId");
        if (id)
            strmap_put(&ids, id, x, NULL);
    }
    json_array_foreach(servers, i, x)
    {
        json_t *hints =
            json_object_get(json_object_get(x, "sourceProperties"), "identificationHints");
        const char *id = json_str_borrow(hints, "awsInstanceID");
        if (id && strmap_get(&ids, id))
            n++;
    }
    strmap_cleanup(&ids, NULL);
    return n;
}

/* All paginations are done: write the snapshot or record the failure. */
int discover_ingest(struct store *s, const char *account_id, const char *region,
                    const json_t *servers, const json_t *ris, const json_t *jobs, const json_t *ec2,
                    struct discover_ar *out)
{
    struct store_snapshot_in in;
    struct store_drs_server sv;
    struct dr_err e;
    int64_t t0 = time_mono_ms();
    size_t i;
    json_t *x;
    int rc;

    memset(&in, 0, sizeof(in));
    dr_err_clear(&e);
    in.account_id = account_id;
    in.region = region;
    in.fetched_at = time_now_ms();
    in.servers = servers;
    in.recovery_instances = ris;
    in.jobs = jobs;
    in.ec2_instances = ec2;
    rc = store_snapshot_replace(s, &in, &e);
    log_at(LOG_DEBUG, "discover: stored %s/%s (%zu servers) in %lld ms", account_id, region,
           json_array_size(servers), (long long)(time_mono_ms() - t0));
    if (rc < 0) {
        /* a malformed item: the response is rejected whole, the old snapshot kept */
        out->error = fmt_error("DescribeSourceServers", &e);
        record_failure(s, account_id, region, out);
        return rc;
    }
    out->servers = out->healthy = out->lagging = out->stalled = 0;
    json_array_foreach(servers, i, x)
    {
        if (store_drs_server_parse(x, &sv, NULL) == 0)
            count_server(out, &sv);
    }
    out->servers = (int64_t)json_array_size(servers);
    out->recovery_instances = (int64_t)json_array_size(ris);
    out->jobs = (int64_t)json_array_size(jobs);
    out->enriched = count_enriched(servers, ec2);
    return 0;
}

/* All paginations are done: write the snapshot or record the failure. */
static void task_finish(struct ar_task *t)
{
    struct disc *d = t->d;

    if (t->failed) {
        record_failure(d->s, t->acct->a->account_id, t->out->region, t->out);
        task_done(t);
        return;
    }
    if (discover_ingest(d->s, t->acct->a->account_id, t->out->region, t->servers, t->ris, t->jobs,
                        t->ec2, t->out) < 0) {
        task_done(t);
        return;
    }
    d->r->servers_total += t->out->servers;
    if (d->o->on_snapshot) {
        const struct acct *ac = t->acct;
        struct discover_snapshot sn = {
            ac->a->account_id, t->out->region,
            t->servers,        t->ec2,
            &ac->role,         ac->a->regions[(ac->sts_base + ac->sts_idx) % ac->a->nregions]};
        d->o->on_snapshot(d->o->snapshot_ud, &sn);
    }
    task_done(t);
}

static void start_enrich(struct ar_task *t);
static void task_run(struct ar_task *t);

/* The role could not be assumed for a reason another STS region may not have. */
static bool assume_failed_transiently(const struct dr_err *e)
{
    return strncmp(e->msg, "assuming ", 9) == 0 && retry_classify(e->http_status, e) != RETRY_NO;
}

static void pg_step_done(struct ar_task *t)
{
    if (--t->pending > 0)
        return;
    if (t->restart) {
        struct acct *ac = t->acct;
        if (ac->sts_idx == t->sts_used)
            ac->sts_idx++;
        if (ac->sts_idx < ac->a->nregions) {
            free(t->out->error);
            t->out->error = NULL;
            json_array_clear(t->servers);
            json_array_clear(t->ris);
            json_array_clear(t->jobs);
            task_run(t);
            return;
        }
        t->failed = true; /* every region's STS failed: keep the last error */
    }
    if (!t->failed && !t->enrich && !t->d->o->no_enrich) {
        start_enrich(t);
        if (t->pending > 0)
            return;
    }
    task_finish(t);
}

bool discover_take_page(json_t *dst, const json_t *page, bool ec2)
{
    json_t *list, *x;
    size_t i;

    if (!json_is_object(page))
        return false;
    if (!ec2) {
        list = json_object_get(page, "items");
        if (!list)
            return true; /* an empty page may omit the list */
        if (!json_is_array(list))
            return false;
        return json_array_extend(dst, list) == 0;
    }
    list = json_object_get(page, "Reservations");
    if (list && !json_is_array(list))
        return false;
    json_array_foreach(list, i, x)
    {
        json_t *inst = json_object_get(x, "Instances");
        if (json_is_array(inst) && json_array_extend(dst, inst) < 0)
            return false;
    }
    return true;
}

static void on_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct pg *p = ud;
    struct ar_task *t = p->t;

    if (err || (page && !discover_take_page(p->dst, page, p->ec2))) {
        struct dr_err e;
        if (!err) {
            dr_err_clear(&e);
            dr_err_set(&e, DR_EPARSE, "the response has no valid %s list",
                       p->ec2 ? "Reservations" : "items");
            err = &e;
        }
        if (p->ec2) {
            /* enrichment is best effort: the DRS snapshot is still good */
            if (!t->out->warning)
                t->out->warning = fmt_error(p->op, err);
        } else if (!t->restart && (!t->failed || !strcmp(p->op, "DescribeSourceServers"))) {
            /* the first failure, preferring DescribeSourceServers' own */
            if (!t->failed && assume_failed_transiently(err))
                t->restart = true;
            else
                t->failed = true;
            free(t->out->error);
            t->out->error = fmt_error(p->op, err);
        }
        *stop = true;
        last = true;
    }
    json_decref(page);
    if (!last)
        return;
    free(p);
    pg_step_done(t);
}

/* Starts one pagination; on an immediate failure records it like a page error. */
static void start_pg(struct ar_task *t, const char *service, const char *op, const json_t *input,
                     const char *region, const struct acct *ac, int page_size, json_t *dst,
                     bool ec2)
{
    const struct cred_role *role = &ac->role;
    const char *sts_region = ac->a->regions[(ac->sts_base + ac->sts_idx) % ac->a->nregions];
    struct aws_call_req req;
    struct pg *p = calloc(1, sizeof(*p));
    struct dr_err e;

    dr_err_clear(&e);
    t->pending++;
    if (!p) {
        dr_err_set(&e, DR_ENOMEM, "out of memory");
        goto fail;
    }
    p->t = t;
    p->op = op;
    p->dst = dst;
    p->ec2 = ec2;
    memset(&req, 0, sizeof(req));
    req.service = service;
    req.operation = op;
    req.input = input;
    req.region = region;
    req.roles = role;
    req.nroles = 1;
    req.sts_region = sts_region;
    if (aws_paginate_start(t->d->c, &req, page_size, on_page, p, &e) == 0)
        return;
    free(p);
fail:
    if (ec2) {
        if (!t->out->warning)
            t->out->warning = fmt_error(op, &e);
    } else if (!t->failed) {
        t->failed = true;
        t->out->error = fmt_error(op, &e);
    }
    t->pending--;
}

/* Groups the servers' EC2 instance IDs by origin account-region and pages
 * DescribeInstances there, for origins whose account is registered. */
static void start_enrich(struct ar_task *t)
{
    struct disc *d = t->d;
    struct strmap groups; /* "account/region" -> json array of IDs */
    const char *key;
    void *val;
    size_t i, it;
    json_t *x;

    t->enrich = true;
    strmap_init(&groups);
    json_array_foreach(t->servers, i, x)
    {
        json_t *hints =
            json_object_get(json_object_get(x, "sourceProperties"), "identificationHints");
        json_t *cloud = json_object_get(x, "sourceCloudProperties");
        const char *id = json_str_borrow(hints, "awsInstanceID");
        const char *oa = json_str_borrow(cloud, "originAccountID");
        const char *orr = json_str_borrow(cloud, "originRegion");
        char gk[64];
        json_t *ids;

        if (!dr_nonempty(id) || !dr_nonempty(oa) || !dr_nonempty(orr) ||
            accounts_check_region(orr, NULL) < 0 || !strmap_get(&d->by_id, oa))
            continue;
        snprintf(gk, sizeof(gk), "%.12s/%.40s", oa, orr);
        ids = strmap_get(&groups, gk);
        if (!ids) {
            ids = json_array();
            if (!ids || strmap_put(&groups, gk, ids, NULL) < 0) {
                json_decref(ids);
                continue;
            }
        }
        json_array_append_new(ids, json_string(id));
    }
    if (groups.n && !t->ec2)
        t->ec2 = json_array();
    for (it = 0; t->ec2 && (it = strmap_next(&groups, it, &key, &val)) != 0;) {
        json_t *ids = val;
        char acct[16], region[48];
        const char *slash = strchr(key, '/');
        struct acct *oacct;
        size_t off;

        snprintf(acct, sizeof(acct), "%.*s", (int)(slash - key), key);
        snprintf(region, sizeof(region), "%s", slash + 1);
        oacct = strmap_get(&d->by_id, acct);
        for (off = 0; off < json_array_size(ids); off += DISCOVER_EC2_FILTER_MAX) {
            json_t *vals = json_array(), *in;
            size_t k;
            for (k = off; k < json_array_size(ids) && k < off + DISCOVER_EC2_FILTER_MAX; k++)
                json_array_append(vals, json_array_get(ids, k));
            in = json_pack("{s:[{s:s, s:o}]}", "Filters", "Name", "instance-id", "Values", vals);
            if (in)
                start_pg(t, "ec2", "DescribeInstances", in, region, oacct, DISCOVER_EC2_PAGE,
                         t->ec2, true);
            json_decref(in);
        }
    }
    strmap_cleanup(&groups, (void (*)(void *))json_decref);
}

/* (Re)starts the three DRS paginations of a task. */
static void task_run(struct ar_task *t)
{
    struct disc *d = t->d;
    struct acct *ac = t->acct;
    json_t *jobs_in = json_pack("{s:{s:s}}", "filters", "fromDate", d->jobs_from);

    t->restart = false;
    t->sts_used = ac->sts_idx;
    t->pending = 1; /* held until all three are started */
    start_pg(t, "drs", "DescribeSourceServers", NULL, t->out->region, ac, d->page_size, t->servers,
             false);
    start_pg(t, "drs", "DescribeRecoveryInstances", NULL, t->out->region, ac, DISCOVER_DRS_PAGE,
             t->ris, false);
    start_pg(t, "drs", "DescribeJobs", jobs_in, t->out->region, ac, DISCOVER_DRS_PAGE, t->jobs,
             false);
    json_decref(jobs_in);
    pg_step_done(t);
}

static void task_start(struct disc *d, struct acct *ac, struct discover_ar *out)
{
    struct ar_task *t = calloc(1, sizeof(*t));

    if (!t || !(t->servers = json_array()) || !(t->ris = json_array()) ||
        !(t->jobs = json_array())) {
        if (t) {
            json_decref(t->servers);
            json_decref(t->ris);
            free(t);
        }
        out->error = strdup("out of memory");
        d->r->failed++;
        d->prog.done++;
        return;
    }
    t->d = d;
    t->acct = ac;
    t->out = out;
    t->t0 = time_mono_ms();
    d->remaining++;
    task_run(t);
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(v[i], s) == 0)
            return true;
    }
    return false;
}

/* Validates the selection and fills r->v with the account-regions to discover. */
static int plan(struct disc *d, struct dr_err *err)
{
    const struct discover_opts *o = d->o;
    size_t i, j, cap = 0;
    int rc;

    for (i = 0; i < o->naccounts; i++) {
        if ((rc = accounts_check_id(o->accounts[i], err)) < 0)
            return rc;
        if (!strmap_get(&d->by_id, o->accounts[i]))
            return dr_err_set(err, DR_EINVAL,
                              "accounts: %s is not registered (drover accounts add)",
                              o->accounts[i]);
    }
    for (i = 0; i < o->nregions; i++) {
        if ((rc = accounts_check_region(o->regions[i], err)) < 0)
            return rc;
    }
    for (i = 0; i < d->accounts.n; i++) {
        const struct store_account *a = &d->accounts.v[i];
        if (o->naccounts && !in_list(o->accounts, o->naccounts, a->account_id))
            continue;
        for (j = 0; j < a->nregions; j++) {
            struct discover_ar *ar;
            if (o->nregions && !in_list(o->regions, o->nregions, a->regions[j]))
                continue;
            if (d->r->n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct discover_ar *nv = realloc(d->r->v, ncap * sizeof(*nv));
                if (!nv)
                    return dr_err_set(err, DR_ENOMEM, "out of memory");
                d->r->v = nv;
                cap = ncap;
            }
            ar = &d->r->v[d->r->n++];
            memset(ar, 0, sizeof(*ar));
            ar->account_id = strdup(a->account_id);
            ar->region = strdup(a->regions[j]);
            if (!ar->account_id || !ar->region)
                return dr_err_set(err, DR_ENOMEM, "out of memory");
        }
    }
    if (d->r->n == 0)
        return dr_err_set(err, DR_EINVAL,
                          "regions: none of the selected accounts is registered in %s",
                          o->nregions == 1 ? o->regions[0] : "those regions");
    return 0;
}

static int setup_accounts(struct disc *d, struct dr_err *err)
{
    size_t i;

    d->accts = calloc(d->accounts.n ? d->accounts.n : 1, sizeof(*d->accts));
    if (!d->accts)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (i = 0; i < d->accounts.n; i++) {
        struct acct *ac = &d->accts[i];
        const struct store_account *a = &d->accounts.v[i];
        ac->a = a;
        ac->sts_base = a->nregions ? i % a->nregions : 0;
        ac->role.role_arn = strdup(a->role_arn);
        ac->role.external_id = a->external_id ? strdup(a->external_id) : NULL;
        ac->role.session_name = strdup(DISCOVER_SESSION_NAME);
        if (!ac->role.role_arn || !ac->role.session_name ||
            (a->external_id && !ac->role.external_id) ||
            strmap_put(&d->by_id, a->account_id, ac, NULL) < 0)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    return 0;
}

static void disc_cleanup(struct disc *d)
{
    size_t i;

    if (d->accts) {
        for (i = 0; i < d->accounts.n; i++)
            cred_role_cleanup(&d->accts[i].role);
        free(d->accts);
    }
    strmap_cleanup(&d->by_id, NULL);
    store_account_list_cleanup(&d->accounts);
}

int inventory_discover(struct store *s, struct aws_client *c, const struct discover_opts *o,
                       struct discover_result *r, struct dr_err *err)
{
    static const struct discover_opts none;
    struct disc d;
    int64_t t0 = time_mono_ms();
    size_t i;
    int rc;

    memset(r, 0, sizeof(*r));
    memset(&d, 0, sizeof(d));
    d.s = s;
    d.c = c;
    d.o = o ? o : &none;
    d.r = r;
    strmap_init(&d.by_id);
    d.page_size = d.o->page_size > 0 ? d.o->page_size : DISCOVER_DRS_PAGE;
    time_iso8601((time_t)(time_now_ms() / 1000) -
                     (int64_t)(d.o->jobs_days > 0 ? d.o->jobs_days : DISCOVER_JOBS_DAYS) * 86400,
                 d.jobs_from, sizeof(d.jobs_from));
    if ((rc = store_account_list(s, &d.accounts, err)) < 0)
        goto out;
    if (d.accounts.n == 0) {
        rc = dr_err_set(err, DR_ENOTFOUND,
                        "no accounts are registered: add them with 'drover accounts add'");
        goto out;
    }
    if ((rc = setup_accounts(&d, err)) < 0 || (rc = plan(&d, err)) < 0)
        goto out;
    d.prog.total = r->n;
    for (i = 0; i < r->n; i++)
        task_start(&d, strmap_get(&d.by_id, r->v[i].account_id), &r->v[i]);
    while (d.remaining > 0) {
        if ((rc = aws_client_run_once(c, 1000, err)) < 0)
            goto out;
    }
    rc = 0;
out:
    r->elapsed_ms = time_mono_ms() - t0;
    disc_cleanup(&d);
    if (rc < 0 && d.remaining == 0) {
        discover_result_cleanup(r);
    }
    return rc;
}

void discover_result_cleanup(struct discover_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n; i++) {
        free(r->v[i].account_id);
        free(r->v[i].region);
        free(r->v[i].error);
        free(r->v[i].warning);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *discover_result_to_json(const struct discover_result *r)
{
    json_t *root = json_object(), *arr = json_array();
    size_t i;

    if (!root || !arr) {
        json_decref(root);
        json_decref(arr);
        return NULL;
    }
    json_object_set_new(root, "account_regions", arr);
    for (i = 0; i < r->n; i++) {
        const struct discover_ar *a = &r->v[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(root);
            return NULL;
        }
        json_object_set_new(o, "account_id", json_string(a->account_id));
        json_object_set_new(o, "region", json_string(a->region));
        json_object_set_new(o, "servers", json_integer(a->servers));
        json_object_set_new(o, "error", str_or_null(a->error));
        json_object_set_new(o, "healthy", json_integer(a->healthy));
        json_object_set_new(o, "lagging", json_integer(a->lagging));
        json_object_set_new(o, "stalled", json_integer(a->stalled));
        json_object_set_new(o, "recovery_instances", json_integer(a->recovery_instances));
        json_object_set_new(o, "jobs", json_integer(a->jobs));
        json_object_set_new(o, "enriched", json_integer(a->enriched));
        json_object_set_new(o, "warning", str_or_null(a->warning));
        json_object_set_new(o, "elapsed_ms", json_integer(a->elapsed_ms));
    }
    json_object_set_new(root, "servers_total", json_integer(r->servers_total));
    json_object_set_new(root, "elapsed_ms", json_integer(r->elapsed_ms));
    json_object_set_new(root, "failed", json_integer((json_int_t)r->failed));
    return root;
}

int discover_render_table(const struct discover_result *r, struct buf *out, struct dr_err *err)
{
    static const struct table_col cols[] = {
        {"ACCOUNT", TABLE_LEFT},
        {"REGION", TABLE_LEFT},
        {"SERVERS", TABLE_RIGHT},
        {"HEALTHY", TABLE_RIGHT},
        {"LAGGING", TABLE_RIGHT},
        {"STALLED", TABLE_RIGHT},
        {"RECOVERY INSTANCES", TABLE_RIGHT},
        {"ERROR", TABLE_LEFT},
    };
    struct table t;
    char num[6][24];
    size_t i;
    int rc = 0;

    table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
    for (i = 0; i < r->n && rc == 0; i++) {
        const struct discover_ar *a = &r->v[i];
        const char *cells[8];
        bool bad = a->error != NULL;
        snprintf(num[0], sizeof(num[0]), "%lld", (long long)a->servers);
        snprintf(num[1], sizeof(num[1]), "%lld", (long long)a->healthy);
        snprintf(num[2], sizeof(num[2]), "%lld", (long long)a->lagging);
        snprintf(num[3], sizeof(num[3]), "%lld", (long long)a->stalled);
        snprintf(num[4], sizeof(num[4]), "%lld", (long long)a->recovery_instances);
        cells[0] = a->account_id;
        cells[1] = a->region;
        cells[2] = bad ? "-" : num[0];
        cells[3] = bad ? "-" : num[1];
        cells[4] = bad ? "-" : num[2];
        cells[5] = bad ? "-" : num[3];
        cells[6] = bad ? "-" : num[4];
        cells[7] = bad ? a->error : (a->warning ? a->warning : "");
        rc = table_add_row(&t, cells, err);
    }
    if (rc == 0)
        rc = table_render(&t, out, err);
    table_cleanup(&t);
    return rc;
}
