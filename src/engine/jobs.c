/*
 * jobs.c - the engine's DRS jobs (see internal.h): DRS quotas from Service
 * Quotas, launch overrides (UpdateLaunchConfiguration), batching a wave's
 * servers per account-region within the quotas, StartRecovery (or, for a
 * CLEANUP, TerminateRecoveryInstances), finding a job again by its tags
 * before any retry, and batched DescribeJobs polling with an adaptive
 * interval; the end of a job and the cleanup safety check are jobend.c's.
 * Throttling and 5xx answers are retried; an account-region that fails
 * every call for unreachable_ms fails its servers with the error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "core/jsonutil.h"
#include "core/timeutil.h"
#include "engine/internal.h"

#define CFG_MAX_INFLIGHT 10
#define RECON_SLACK_MS   (10 * 60 * 1000) /* DescribeJobs fromDate: batch created - 10 min */

bool jobs_transient(const struct dr_err *err)
{
    return err->status == DR_ETRANSPORT || err->status == DR_ETIMEOUT || err->http_status >= 500 ||
           err->http_status == 429 || retry_is_throttle_code(err->code) ||
           retry_is_transient_code(err->code);
}

void jobs_errtext(char *out, size_t n, const struct dr_err *err)
{
    if (err->code[0])
        snprintf(out, n, "%s: %s", err->code, err->msg);
    else
        snprintf(out, n, "%s", err->msg);
}

void jobs_ar_ok(struct eng *e, int ar)
{
    e->ars[ar].failing_since = 0;
    e->ars[ar].down = false;
}

void jobs_ar_failed(struct eng *e, int ar, const struct dr_err *err)
{
    struct eng_ar *a = &e->ars[ar];

    /* a throttled answer proves DRS is there: throttling never fails servers */
    if (err && (retry_is_throttle_code(err->code) || err->http_status == 429))
        return;
    if (!a->failing_since)
        a->failing_since = time_now_ms();
    jobs_errtext(a->last_error, sizeof(a->last_error), err);
}

static bool batch_active(const struct store_exec_batch *b)
{
    return strcmp(b->state, "STARTING") == 0 || strcmp(b->state, "STARTED") == 0;
}

bool jobs_active(const struct eng *e)
{
    for (size_t i = 0; i < e->f.nbatches; i++)
        if (batch_active(&e->f.batches[i]))
            return true;
    return false;
}

void jobs_count_active(struct eng *e)
{
    for (size_t a = 0; a < e->nars; a++)
        e->ars[a].active_jobs = e->ars[a].active_servers = 0;
    for (size_t i = 0; i < e->f.nbatches; i++) {
        const struct store_exec_batch *b = &e->f.batches[i];
        if (!batch_active(b))
            continue;
        e->ars[e->bx[i].ar].active_jobs++;
        e->ars[e->bx[i].ar].active_servers += (int)json_array_size(b->servers);
    }
}

static int ar_of(struct eng *e, const char *acct, const char *region)
{
    for (size_t a = 0; a < e->nars; a++)
        if (strcmp(e->ars[a].account_id, acct) == 0 && strcmp(e->ars[a].region, region) == 0)
            return (int)a;
    return -1;
}

void jobs_resume(struct eng *e)
{
    for (size_t i = 0; i < e->f.nbatches; i++) {
        struct store_exec_batch *b = &e->f.batches[i];
        e->bx[i].ar = ar_of(e, b->account_id, b->region);
        if (e->bx[i].ar < 0)
            e->bx[i].ar = 0;
        if (strcmp(b->state, "STARTING") == 0 && !b->job_id) {
            /* the process died between recording the batch and learning the job ID */
            e->bx[i].reconcile = true;
            eng_event(e,
                      "batch %lld (%s %s): recorded STARTING before the restart; looking "
                      "for its job by tags before any retry",
                      (long long)b->batch_no, b->account_id, b->region);
        }
    }
}

void jobs_call_req(struct eng *e, int ar, struct aws_call_req *r, const char *service,
                   const char *op, const json_t *in)
{
    memset(r, 0, sizeof(*r));
    r->service = service;
    r->operation = op;
    r->input = in;
    r->region = e->ars[ar].region;
    if (e->ars[ar].has_role) {
        r->roles = &e->ars[ar].role;
        r->nroles = 1;
    }
}

/* Starts a call (pcb NULL) or a paginated call (cb NULL) with a fresh
 * context; je rides along in it. Takes `in`. False: nothing started (out of
 * memory, or the engine stopped on the error). */
static bool start_any(struct eng *e, int ar, const char *service, const char *op, json_t *in,
                      int kind, size_t idx, aws_done_cb cb, aws_page_cb pcb, void *je)
{
    struct aws_call_req r;
    struct eng_call *cc = eng_call_new(e, kind, idx);
    struct dr_err err;
    int rc;

    if (!cc) {
        json_decref(in);
        return false;
    }
    cc->je = je;
    jobs_call_req(e, ar, &r, service, op, in);
    rc = pcb ? aws_paginate_start(e->c, &r, 0, pcb, cc, &err)
             : aws_call_start(e->c, &r, cb, cc, &err);
    json_decref(in);
    if (rc < 0) {
        eng_call_done(cc);
        free(cc);
        eng_fail_fatal(e, &err);
        return false;
    }
    return true;
}

bool jobs_start_call(struct eng *e, int ar, const char *service, const char *op, json_t *in,
                     int kind, size_t idx, aws_done_cb cb)
{
    return start_any(e, ar, service, op, in, kind, idx, cb, NULL, NULL);
}

bool jobs_paginate(struct eng *e, int ar, const char *op, json_t *in, int kind, size_t idx,
                   aws_page_cb pcb, void *je)
{
    return start_any(e, ar, "drs", op, in, kind, idx, NULL, pcb, je);
}

/* ---- quotas ---- */

static void on_quota(void *ud, json_t *out, const struct dr_err *err)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    struct eng_ar *a = &e->ars[cc->idx];
    size_t i;
    json_t *q;

    if (eng_call_done(cc))
        goto out;
    a->quota_state = 2; /* known, or the defaults when unreadable */
    if (err) {
        eng_event(e, "%s %s: Service Quotas unreadable (%s); using the DRS defaults %d/%d/%d",
                  a->account_id, a->region, err->code[0] ? err->code : err->msg, a->max_per_job,
                  a->max_jobs, a->max_active);
        goto out;
    }
    json_array_foreach(json_object_get(out, "Quotas"), i, q)
    {
        const char *name = json_str_borrow(q, "QuotaName");
        json_t *v = json_object_get(q, "Value");
        char low[256];
        size_t k;
        int val;
        if (!name || !json_is_number(v))
            continue;
        for (k = 0; name[k] && k + 1 < sizeof(low); k++)
            low[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        low[k] = 0;
        if (!(json_number_value(v) >= 1 && json_number_value(v) <= 1e6))
            continue; /* (also rejects NaN) */
        val = (int)json_number_value(v);
        /* the account's own quotas replace the defaults, raised or lowered */
        if (strstr(low, "single job"))
            a->max_per_job = val > 200 ? 200 : val; /* 200: the API's list limit */
        else if (strstr(low, "concurrent job"))
            a->max_jobs = val;
        else if (strstr(low, "all jobs") || strstr(low, "active jobs"))
            a->max_active = val;
    }
out:
    json_decref(out);
    free(cc);
}

static void read_quotas(struct eng *e, int ar)
{
    e->ars[ar].quota_state = 1;
    jobs_start_call(e, ar, "service-quotas", "ListServiceQuotas",
                    json_pack("{s:s}", "ServiceCode", "drs"), K_QUOTA, (size_t)ar, on_quota);
}

/* ---- launch overrides / cleanup safety check ---- */

static void on_cfg(void *ud, json_t *out, const struct dr_err *err)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;

    json_decref(out);
    if (eng_call_done(cc))
        goto out;
    e->ars[e->srv[cc->idx].ar].cfg_inflight--;
    if (err && jobs_transient(err)) {
        jobs_ar_failed(e, e->srv[cc->idx].ar, err);
        e->srv[cc->idx].cfg = 1; /* again on a later step */
    } else if (err) {
        char why[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 64];
        char et[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 4];
        jobs_errtext(et, sizeof(et), err);
        snprintf(why, sizeof(why), "UpdateLaunchConfiguration: %s", et);
        e->srv[cc->idx].cfg = 3;
        if (eng_tx_begin(e) == 0) {
            jobs_server_failed(e, cc->idx, why, false);
            eng_tx_commit(e);
        }
    } else {
        jobs_ar_ok(e, e->srv[cc->idx].ar);
        e->srv[cc->idx].cfg = 3;
    }
out:
    free(cc);
}

static void apply_overrides(struct eng *e, size_t i)
{
    const struct store_exec_server *sv = &e->f.servers[i];
    char key[256];
    const json_t *l;
    json_t *in;
    const char *k;
    json_t *v;

    snprintf(key, sizeof(key), "%s/%s/%s", sv->account_id, sv->region, sv->source_server_id);
    l = json_object_get(json_object_get(e->spec, "launch"), key);
    in = json_pack("{s:s}", "sourceServerID", sv->source_server_id);
    json_object_foreach((json_t *)l, k, v)
    {
        if (strcmp(k, "servers") != 0)
            json_object_set(in, k, v);
    }
    e->srv[i].cfg = 2;
    e->ars[e->srv[i].ar].cfg_inflight++;
    jobs_start_call(e, e->srv[i].ar, "drs", "UpdateLaunchConfiguration", in, K_CFG, i, on_cfg);
}

/* ---- failures and retries ---- */

void jobs_server_failed(struct eng *e, size_t i, const char *why, bool may_retry)
{
    struct store_exec_server *sv = &e->f.servers[i];
    const json_t *ws = json_array_get(json_object_get(e->spec, "waves"), (size_t)sv->wave_idx);
    int retries = (int)json_int_or(ws, "retries", 1);
    char msg[DR_ERR_MSG_MAX + 128];

    snprintf(msg, sizeof(msg), "attempt %d: %s", sv->attempts ? sv->attempts : 1, why);
    if (may_retry && sv->attempts <= retries &&
        !(e->f.e.request && !strcmp(e->f.e.request, "cancel"))) {
        eng_set_server_state(e, i, "PENDING", msg);
        eng_event(e, "%s %s %s: %s; retrying in a new job", sv->account_id, sv->region,
                  sv->source_server_id, msg);
    } else {
        eng_set_server_state(e, i, "FAILED", msg);
    }
}

/* ---- batches ---- */

static ssize_t batch_new(struct eng *e, int ar, int wave, json_t *ids)
{
    size_t n = e->f.nbatches;
    struct store_exec_batch *b;

    if (n + 1 > e->bcap) {
        size_t nc = e->bcap * 2 + 16;
        struct store_exec_batch *nb = realloc(e->f.batches, nc * sizeof(*nb));
        struct eng_bx *nx;
        if (!nb)
            return -1;
        e->f.batches = nb;
        nx = realloc(e->bx, nc * sizeof(*nx));
        if (!nx)
            return -1;
        e->bx = nx;
        e->bcap = nc;
    }
    b = &e->f.batches[n];
    memset(b, 0, sizeof(*b));
    memset(&e->bx[n], 0, sizeof(e->bx[n]));
    b->batch_no = (int64_t)n + 1;
    b->wave_idx = wave;
    b->account_id = strdup(e->ars[ar].account_id);
    b->region = strdup(e->ars[ar].region);
    b->state = strdup("STARTING");
    b->created_at = e->now;
    b->servers = ids;
    e->bx[n].ar = ar;
    e->f.nbatches = n + 1;
    return (ssize_t)n;
}

static void start_batch_call(struct eng *e, size_t bi);

/* Whether launch overrides of a wave's servers in an account-region are still being applied. */
static bool overrides_pending(const struct eng *e, int ar, int wave)
{
    for (size_t i = 0; i < e->f.nservers; i++)
        if (e->srv[i].ar == ar && e->f.servers[i].wave_idx == wave &&
            (e->srv[i].cfg == 1 || e->srv[i].cfg == 2) &&
            strcmp(e->f.servers[i].state, "PENDING") == 0)
            return true;
    return false;
}

/* Forms new batches in every account-region within the quotas. */
static void form_batches(struct eng *e, int ar)
{
    struct eng_ar *a = &e->ars[ar];

    for (size_t w = 0; w < e->f.nwaves; w++) {
        if (strcmp(e->f.waves[w].state, "RUNNING") != 0 || e->waves[w].phase != PH_LAUNCH)
            continue;
        while (a->active_jobs < a->max_jobs && a->active_servers < a->max_active) {
            int room = a->max_active - a->active_servers;
            int cap = a->max_per_job < room ? a->max_per_job : room;
            json_t *ids = json_array();
            size_t *members = calloc((size_t)cap, sizeof(*members));
            size_t n = 0;
            ssize_t bi;

            if (!ids || !members) {
                json_decref(ids);
                free(members);
                return;
            }
            for (size_t i = 0; i < e->f.nservers && (int)n < cap; i++) {
                const struct store_exec_server *sv = &e->f.servers[i];
                if (e->srv[i].ar != ar || sv->wave_idx != (int)w ||
                    strcmp(sv->state, "PENDING") != 0 || (e->srv[i].cfg == 1 || e->srv[i].cfg == 2))
                    continue;
                members[n++] = i;
                json_array_append_new(
                    ids, json_string(e->cleanup ? sv->recovery_instance_id : sv->source_server_id));
            }
            if (n == 0 || overrides_pending(e, ar, (int)w)) {
                /* a job per (wave, account-region) waits for all of its launch settings */
                json_decref(ids);
                free(members);
                break;
            }
            if (eng_tx_begin(e) < 0 || (bi = batch_new(e, ar, (int)w, ids)) < 0) {
                if (!e->fatal)
                    eng_tx_commit(e);
                free(members);
                return;
            }
            eng_put_batch(e, (size_t)bi);
            for (size_t k = 0; k < n; k++) {
                struct store_exec_server *sv = &e->f.servers[members[k]];
                sv->attempts++;
                sv->batch_no = e->f.batches[bi].batch_no;
                eng_set_str(&sv->job_id, NULL);
                eng_set_server_state(e, members[k], "STARTING", NULL);
            }
            eng_event(e, "batch %lld: %zu servers of wave %s in %s %s recorded STARTING",
                      (long long)e->f.batches[bi].batch_no, n, e->f.waves[w].name, a->account_id,
                      a->region);
            eng_tx_commit(e);
            free(members);
            if (e->fatal)
                return;
            a->active_jobs++;
            a->active_servers += (int)n;
            eng_crash_point(e, "batch-recorded");
            start_batch_call(e, (size_t)bi);
        }
    }
}

/* The servers (indexes) of a batch. */
size_t jobs_batch_members(struct eng *e, size_t bi, size_t *out, size_t cap)
{
    const struct store_exec_batch *b = &e->f.batches[bi];
    size_t n = 0;

    for (size_t i = 0; i < e->f.nservers && n < cap; i++)
        if (e->f.servers[i].batch_no == b->batch_no)
            out[n++] = i;
    return n;
}

/* A batch learned its job: STARTED, servers LAUNCHING. */
static void batch_adopt(struct eng *e, size_t bi, const json_t *job, bool found_again)
{
    struct store_exec_batch *b = &e->f.batches[bi];
    const char *jid = json_str_borrow(job, "jobID");
    size_t m[256], n;

    if (!jid || eng_tx_begin(e) < 0)
        return;
    eng_set_str(&b->state, "STARTED");
    eng_set_str(&b->job_id, jid);
    b->started_at = e->now;
    eng_put_batch(e, bi);
    n = jobs_batch_members(e, bi, m, 256);
    for (size_t k = 0; k < n; k++) {
        struct store_exec_server *sv = &e->f.servers[m[k]];
        eng_set_str(&sv->job_id, jid);
        sv->job_started_at = e->now;
        eng_set_server_state(e, m[k], e->cleanup ? "TERMINATING" : "LAUNCHING", NULL);
    }
    eng_event(e, "batch %lld: job %s %s", (long long)b->batch_no, jid,
              found_again ? "found again by its tags (no second start)" : "started");
    eng_tx_commit(e);
    e->bx[bi].reconcile = e->bx[bi].conflict = false;
    e->ars[e->bx[bi].ar].next_poll_at = e->now + e->ars[e->bx[bi].ar].poll_ms;
}

/* A batch that never became a job: its servers go back to PENDING (or fail). */
static void batch_drop(struct eng *e, size_t bi, const char *why, bool fail_servers, bool may_retry)
{
    struct store_exec_batch *b = &e->f.batches[bi];
    size_t m[256], n;

    if (eng_tx_begin(e) < 0)
        return;
    eng_set_str(&b->state, "FAILED");
    eng_set_str(&b->error, why);
    b->ended_at = e->now;
    eng_put_batch(e, bi);
    n = jobs_batch_members(e, bi, m, 256);
    for (size_t k = 0; k < n; k++) {
        struct store_exec_server *sv = &e->f.servers[m[k]];
        if (fail_servers) {
            jobs_server_failed(e, m[k], why, may_retry);
        } else {
            sv->attempts--;
            eng_set_server_state(e, m[k], "PENDING", NULL);
        }
    }
    eng_event(e, "batch %lld: not started: %s", (long long)b->batch_no, why);
    eng_tx_commit(e);
}

static void on_start(void *ud, json_t *out, const struct dr_err *err)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    size_t bi = cc->idx;
    struct eng_bx *x;
    char et[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 4];

    if (eng_call_done(cc))
        goto out;
    x = &e->bx[bi];
    x->busy = false;
    if (!err) {
        jobs_ar_ok(e, x->ar);
        eng_crash_point(e, "start-answered");
        batch_adopt(e, bi, json_object_get(out, "job"), false);
        eng_crash_point(e, "job-adopted");
        goto out;
    }
    jobs_errtext(et, sizeof(et), err);
    if (strcmp(err->code, "ConflictException") == 0) {
        /* a server is already in a job: maybe ours (a retried call that had succeeded) */
        x->reconcile = x->conflict = true;
        x->retry_at = e->now;
        eng_event(e, "batch %lld: %s; reconciling", (long long)e->f.batches[bi].batch_no, et);
    } else if (strcmp(err->code, "ServiceQuotaExceededException") == 0) {
        e->ars[x->ar].hold_until = time_now_ms() + e->o.poll_min_ms;
        batch_drop(e, bi, et, false, false);
    } else if (jobs_transient(err)) {
        jobs_ar_failed(e, x->ar, err);
        x->reconcile = true; /* the call may have reached DRS */
        x->backoff_ms = x->backoff_ms ? x->backoff_ms * 2 : 1000;
        if (x->backoff_ms > 30000)
            x->backoff_ms = 30000;
        x->retry_at = time_now_ms() + x->backoff_ms;
    } else {
        batch_drop(e, bi, et, true, false);
    }
out:
    json_decref(out);
    free(cc);
}

static void on_recon_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    size_t bi = cc->idx, i;
    json_t *job, *found = NULL;
    char bn[32];

    if (e->stopping) {
        json_decref(page);
        if (last) {
            eng_call_done(cc);
            json_decref(cc->acc);
            free(cc);
        }
        return;
    }
    if (err) {
        eng_call_done(cc);
        e->bx[bi].busy = false;
        jobs_ar_failed(e, e->bx[bi].ar, err);
        e->bx[bi].retry_at = time_now_ms() + e->o.poll_min_ms;
        json_decref(cc->acc);
        free(cc);
        return;
    }
    snprintf(bn, sizeof(bn), "%lld", (long long)e->f.batches[bi].batch_no);
    json_array_foreach(json_object_get(page, "items"), i, job)
    {
        const json_t *tags = json_object_get(job, "tags");
        const char *te = json_str_borrow(tags, ENG_TAG_EXEC),
                   *tb = json_str_borrow(tags, ENG_TAG_BATCH);
        if (te && tb && strcmp(te, e->f.e.id) == 0 && strcmp(tb, bn) == 0)
            found = job;
    }
    if (found) {
        *stop = true;
        json_decref(cc->acc);
        cc->acc = json_incref(found);
    }
    json_decref(page);
    if (!last && !found)
        return;
    eng_call_done(cc);
    e->bx[bi].busy = false;
    jobs_ar_ok(e, e->bx[bi].ar);
    if (cc->acc) {
        batch_adopt(e, bi, cc->acc, true);
    } else {
        /* not started: start it now, or after the conflicting job had time to end */
        e->bx[bi].reconcile = false;
        e->bx[bi].retry_at =
            e->bx[bi].conflict ? time_now_ms() + e->ars[e->bx[bi].ar].poll_ms : time_now_ms();
        if (e->bx[bi].conflict)
            eng_event(e, "batch %lld: a server is in another job; waiting for it to end",
                      (long long)e->f.batches[bi].batch_no);
    }
    json_decref(cc->acc);
    free(cc);
}

static void start_batch_call(struct eng *e, size_t bi)
{
    struct store_exec_batch *b = &e->f.batches[bi];
    struct eng_bx *x = &e->bx[bi];
    char from[40], bn[32];
    json_t *in;

    x->busy = true;
    if (x->reconcile) {
        time_iso8601_ms(b->created_at - RECON_SLACK_MS, from, sizeof(from));
        in = json_pack("{s:{s:s}}", "filters", "fromDate", from);
        if (!jobs_paginate(e, x->ar, "DescribeJobs", in, K_RECON, bi, on_recon_page, NULL))
            x->busy = false;
        return;
    }
    snprintf(bn, sizeof(bn), "%lld", (long long)b->batch_no);
    if (!eng_lease_held(e)) { /* never start a job for an execution another process drives */
        x->busy = false;
        return;
    }
    if (e->cleanup) {
        in = json_pack("{s:O}", "recoveryInstanceIDs", b->servers);
        jobs_start_call(e, x->ar, "drs", "TerminateRecoveryInstances", in, K_START, bi, on_start);
        return;
    }
    {
        json_t *srcs = json_array(), *id;
        size_t i;
        json_array_foreach(b->servers, i, id)
            json_array_append_new(srcs, json_pack("{s:O}", "sourceServerID", id));
        in = json_pack("{s:o, s:b, s:{s:s, s:s}}", "sourceServers", srcs, "isDrill",
                       strcmp(e->f.e.kind, "DRILL") == 0, "tags", ENG_TAG_EXEC, e->f.e.id,
                       ENG_TAG_BATCH, bn);
    }
    jobs_start_call(e, x->ar, "drs", "StartRecovery", in, K_START, bi, on_start);
}

/* ---- polling ---- */

static void on_poll_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    struct eng_ar *a;
    size_t i;
    json_t *job;

    (void)stop;
    if (e->stopping) {
        json_decref(page);
        if (last) {
            eng_call_done(cc);
            free(cc);
        }
        return;
    }
    a = &e->ars[cc->idx];
    if (err) {
        eng_call_done(cc);
        a->poll_busy = false;
        jobs_ar_failed(e, (int)cc->idx, err);
        a->next_poll_at = time_now_ms() + a->poll_ms;
        free(cc);
        json_decref(page);
        return;
    }
    eng_crash_point(e, "poll-answered");
    json_array_foreach(json_object_get(page, "items"), i, job)
    {
        const char *jid = json_str_borrow(job, "jobID"), *status = json_str_borrow(job, "status");
        for (size_t bi = 0; jid && bi < e->f.nbatches; bi++) {
            struct store_exec_batch *b = &e->f.batches[bi];
            size_t m[256], n;
            if (!b->job_id || strcmp(b->job_id, jid) != 0 || strcmp(b->state, "STARTED") != 0 ||
                e->bx[bi].busy)
                continue;
            {
                /* a change anywhere in the job keeps the poll interval short */
                uint64_t h = 1469598103934665603ULL;
                size_t pi;
                json_t *p;
                const char *s1 = status ? status : "";
                for (; *s1; s1++)
                    h = (h ^ (unsigned char)*s1) * 1099511628211ULL;
                json_array_foreach(json_object_get(job, "participatingServers"), pi, p)
                {
                    const char *ls = json_str_borrow(p, "launchStatus");
                    for (; ls && *ls; ls++)
                        h = (h ^ (unsigned char)*ls) * 1099511628211ULL;
                    h = (h ^ pi) * 1099511628211ULL;
                }
                if (h != e->bx[bi].seen)
                    cc->changed = true;
                e->bx[bi].seen = h;
            }
            n = jobs_batch_members(e, bi, m, 256);
            if (!e->cleanup && eng_tx_begin(e) == 0) {
                for (size_t k = 0; k < n; k++) {
                    struct store_exec_server *sv = &e->f.servers[m[k]];
                    const json_t *ps = jobs_ps_of(job, sv->source_server_id);
                    const char *ls = json_str_borrow(ps, "launchStatus");
                    if (ls && strcmp(ls, "LAUNCHED") == 0 && strcmp(sv->state, "LAUNCHED") != 0 &&
                        json_str_borrow(ps, "recoveryInstanceID")) {
                        eng_set_str(&sv->recovery_instance_id,
                                    json_str_borrow(ps, "recoveryInstanceID"));
                        sv->launched_at = e->now;
                        eng_set_server_state(e, m[k], "LAUNCHED", NULL);
                        cc->changed = true;
                    }
                }
                eng_tx_commit(e);
            }
            if (status && strcmp(status, "COMPLETED") == 0) {
                cc->changed = true;
                jobs_job_ended(e, bi, job);
            }
        }
    }
    json_decref(page);
    if (!last)
        return;
    eng_call_done(cc);
    a->poll_busy = false;
    jobs_ar_ok(e, (int)cc->idx);
    if (cc->changed)
        a->poll_ms = e->o.poll_min_ms;
    else if ((a->poll_ms = a->poll_ms * 3 / 2) > e->o.poll_max_ms)
        a->poll_ms = e->o.poll_max_ms;
    a->next_poll_at = time_now_ms() + a->poll_ms;
    free(cc);
}

static void poll_ar(struct eng *e, int ar)
{
    struct eng_ar *a = &e->ars[ar];
    json_t *ids = json_array(), *in;

    for (size_t bi = 0; bi < e->f.nbatches && json_array_size(ids) < 1000; bi++) {
        const struct store_exec_batch *b = &e->f.batches[bi];
        if (e->bx[bi].ar == ar && strcmp(b->state, "STARTED") == 0 && b->job_id && !e->bx[bi].busy)
            json_array_append_new(ids, json_string(b->job_id));
    }
    if (json_array_size(ids) == 0) {
        json_decref(ids);
        return;
    }
    in = json_pack("{s:{s:o}}", "filters", "jobIDs", ids);
    a->poll_busy = true;
    if (!jobs_paginate(e, ar, "DescribeJobs", in, K_POLL, (size_t)ar, on_poll_page, NULL))
        a->poll_busy = false;
}

/* ---- unreachable account-regions ---- */

static void fail_unreachable(struct eng *e, int ar)
{
    struct eng_ar *a = &e->ars[ar];
    char why[sizeof(a->last_error) + 128];
    bool work = false;

    for (size_t bi = 0; bi < e->f.nbatches && !work; bi++)
        work = e->bx[bi].ar == ar && batch_active(&e->f.batches[bi]) && !e->bx[bi].busy;
    for (size_t s = 0; s < e->f.nservers && !work; s++)
        work = e->srv[s].ar == ar && !eng_server_terminal(e->f.servers[s].state) &&
               strcmp(e->f.waves[e->f.servers[s].wave_idx].state, "RUNNING") == 0;
    if (!a->down) {
        a->down = true; /* batches still in flight end as soon as their call returns */
        a->down_since = e->now;
    }
    if (!work || eng_tx_begin(e) < 0)
        return;
    snprintf(why, sizeof(why), "%s %s unreachable for %ds: %s", a->account_id, a->region,
             e->o.unreachable_ms / 1000, a->last_error);
    for (size_t bi = 0; bi < e->f.nbatches; bi++) {
        struct store_exec_batch *b = &e->f.batches[bi];
        if (e->bx[bi].ar != ar || !batch_active(b) || e->bx[bi].busy)
            continue;
        /* a STARTED job stays recorded with its ID for the operator and for cleanup */
        eng_set_str(&b->state, b->job_id ? "ENDED" : "FAILED");
        eng_set_str(&b->error, why);
        b->ended_at = e->now;
        eng_put_batch(e, bi);
    }
    for (size_t s = 0; s < e->f.nservers; s++) {
        const struct store_exec_server *sv = &e->f.servers[s];
        if (e->srv[s].ar == ar && !eng_server_terminal(sv->state) &&
            strcmp(e->f.waves[sv->wave_idx].state, "RUNNING") == 0)
            eng_set_server_state(e, s, "FAILED", why);
    }
    eng_event(e, "%s", why);
    eng_tx_commit(e);
}

/* ---- the step ---- */

void jobs_step(struct eng *e)
{
    bool cancel = e->f.e.request && strcmp(e->f.e.request, "cancel") == 0;

    jobs_count_active(e);
    for (size_t ar = 0; ar < e->nars && !e->fatal; ar++) {
        struct eng_ar *a = &e->ars[ar];
        bool has_work = false;

        if (a->down && e->now - a->down_since > e->o.unreachable_ms) {
            a->down = false; /* probe it again for the waves still to come */
            a->failing_since = 0;
        }
        if (a->down || (a->failing_since && e->now - a->failing_since > e->o.unreachable_ms)) {
            fail_unreachable(e, (int)ar); /* (again for batches that were busy) */
            continue;
        }
        for (size_t s = 0; s < e->f.nservers && !has_work; s++)
            if (e->srv[s].ar == (int)ar && strcmp(e->f.servers[s].state, "PENDING") == 0 &&
                strcmp(e->f.waves[e->f.servers[s].wave_idx].state, "RUNNING") == 0 &&
                e->waves[e->f.servers[s].wave_idx].phase == PH_LAUNCH)
                has_work = true;
        if (has_work && !cancel) {
            if (a->quota_state == 0)
                read_quotas(e, (int)ar);
            if (a->quota_state == 2 && e->now >= a->hold_until) {
                if (e->cleanup) {
                    for (size_t s = 0; s < e->f.nservers; s++)
                        if (e->srv[s].ar == (int)ar && e->srv[s].cfg == 0)
                            e->srv[s].cfg = 1;
                    if (!a->cfg_inflight)
                        jobs_verify_targets(e, (int)ar);
                } else {
                    for (size_t s = 0; s < e->f.nservers && a->cfg_inflight < CFG_MAX_INFLIGHT; s++)
                        if (e->srv[s].ar == (int)ar && e->srv[s].cfg == 1 &&
                            strcmp(e->f.servers[s].state, "PENDING") == 0 &&
                            e->waves[e->f.servers[s].wave_idx].phase == PH_LAUNCH)
                            apply_overrides(e, s);
                }
                form_batches(e, (int)ar);
            }
        }
        /* batches waiting for a (re)start or a reconciliation */
        for (size_t bi = 0; bi < e->f.nbatches; bi++) {
            struct store_exec_batch *b = &e->f.batches[bi];
            if (e->bx[bi].ar != (int)ar || e->bx[bi].busy || strcmp(b->state, "STARTING") != 0 ||
                e->now < e->bx[bi].retry_at)
                continue;
            if (cancel && !e->bx[bi].reconcile) {
                batch_drop(e, bi, "cancelled by the operator before the job started", false, false);
                continue;
            }
            start_batch_call(e, bi);
        }
        if (!a->poll_busy && e->now >= a->next_poll_at)
            poll_ar(e, (int)ar);
    }
    if (cancel && eng_tx_begin(e) == 0) {
        bool changed = false;
        for (size_t s = 0; s < e->f.nservers; s++)
            if (strcmp(e->f.servers[s].state, "PENDING") == 0) {
                eng_set_server_state(e, s, "CANCELLED", "cancelled by the operator");
                changed = true;
            }
        if (changed)
            eng_event(e, "cancel: pending servers cancelled; running jobs are tracked to their "
                         "end");
        eng_tx_commit(e);
    }
}
