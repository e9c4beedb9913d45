/*
 * jobend.c - the end of a DRS job (see internal.h): DescribeJobLogItems for
 * the reasons of failed launches, DescribeRecoveryInstances for the
 * recovery and EC2 instance IDs (recoveryInstanceID is not always on the
 * job), then one transaction that ends the batch and settles its servers
 * (launched, retried in a new job, or failed with the error). Also the
 * CLEANUP safety check: only drill instances of the drill's own job are
 * terminated, and "gone" is proven by DescribeRecoveryInstances.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/timeutil.h"
#include "engine/internal.h"

/* ---- the end of a job ---- */

struct job_end {
    json_t *job; /* the final Job */
    json_t *log; /* accumulated log items */
    json_t *ris; /* recovery instances of the batch's servers */
};

static void finalize_batch(struct eng *e, size_t bi, struct job_end *je);

static const char *log_error_for(const json_t *log, const char *sid)
{
    size_t i;
    json_t *it;
    const char *last = NULL;
    json_array_foreach(log, i, it)
    {
        const json_t *d = json_object_get(it, "eventData");
        const char *ev = json_str_borrow(it, "event");
        if (strcmp(json_str_borrow(d, "sourceServerID") ? json_str_borrow(d, "sourceServerID") : "",
                   sid) != 0)
            continue;
        if (json_str_borrow(d, "rawError"))
            last = json_str_borrow(d, "rawError");
        else if (ev && strstr(ev, "FAIL") && !last)
            last = ev;
    }
    return last;
}

static void on_ri_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    struct job_end *je;
    size_t i;
    json_t *it;

    (void)stop;
    if (e->stopping || err) {
        json_decref(page);
        if (e->stopping && !last)
            return;
        eng_call_done(cc);
        je = (struct job_end *)cc->je;
        if (!e->stopping) {
            e->bx[cc->idx].busy = false;
            jobs_ar_failed(e, e->bx[cc->idx].ar, err);
            e->bx[cc->idx].retry_at = time_now_ms() + e->o.poll_min_ms;
        }
        if (je) {
            json_decref(je->job);
            json_decref(je->log);
            json_decref(je->ris);
            free(je);
        }
        free(cc);
        return;
    }
    je = (struct job_end *)cc->je;
    json_array_foreach(json_object_get(page, "items"), i, it) json_array_append(je->ris, it);
    json_decref(page);
    if (!last)
        return;
    eng_call_done(cc);
    e->bx[cc->idx].busy = false;
    jobs_ar_ok(e, e->bx[cc->idx].ar);
    finalize_batch(e, cc->idx, je);
    free(cc);
}

static void fetch_ris(struct eng *e, size_t bi, struct job_end *je, bool by_ri)
{
    struct store_exec_batch *b = &e->f.batches[bi];
    json_t *in;

    je->ris = json_array();
    in = json_pack("{s:{s:O}}", "filters", by_ri ? "recoveryInstanceIDs" : "sourceServerIDs",
                   b->servers);
    e->bx[bi].busy = true;
    /* je rides through the pages to finalize_batch */
    if (!jobs_paginate(e, e->bx[bi].ar, "DescribeRecoveryInstances", in, K_RI, bi, on_ri_page,
                       je)) {
        e->bx[bi].busy = false;
        json_decref(je->job);
        json_decref(je->log);
        json_decref(je->ris);
        free(je);
    }
}

static void on_log_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    struct job_end *je = (struct job_end *)cc->je;
    size_t i;
    json_t *it;

    (void)stop;
    if (e->stopping || err) {
        json_decref(page);
        if (e->stopping && !last)
            return;
        eng_call_done(cc);
        if (!e->stopping) {
            e->bx[cc->idx].busy = false;
            jobs_ar_failed(e, e->bx[cc->idx].ar, err);
            e->bx[cc->idx].retry_at = time_now_ms() + e->o.poll_min_ms;
        }
        json_decref(je->job);
        json_decref(je->log);
        free(je);
        free(cc);
        return;
    }
    json_array_foreach(json_object_get(page, "items"), i, it) json_array_append(je->log, it);
    json_decref(page);
    if (!last)
        return;
    eng_call_done(cc);
    e->bx[cc->idx].busy = false;
    fetch_ris(e, cc->idx, je, e->cleanup);
    free(cc);
}

/* A job ended: fetch its log, then the instances, then finalize. */
void jobs_job_ended(struct eng *e, size_t bi, const json_t *job)
{
    struct job_end *je = calloc(1, sizeof(*je));
    json_t *in;

    if (!je)
        return;
    je->job = json_incref((json_t *)job);
    je->log = json_array();
    in = json_pack("{s:s}", "jobID", e->f.batches[bi].job_id);
    e->bx[bi].busy = true;
    if (!jobs_paginate(e, e->bx[bi].ar, "DescribeJobLogItems", in, K_LOG, bi, on_log_page, je)) {
        e->bx[bi].busy = false;
        json_decref(je->job);
        json_decref(je->log);
        free(je);
    }
}

const json_t *jobs_ps_of(const json_t *job, const char *sid)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(job, "participatingServers"), i, p)
    {
        const char *s = json_str_borrow(p, "sourceServerID");
        if (s && strcmp(s, sid) == 0)
            return p;
    }
    return NULL;
}

const json_t *jobs_ri_of(const json_t *ris, const char *key, const char *val)
{
    size_t i;
    json_t *r;
    json_array_foreach(ris, i, r)
    {
        const char *s = json_str_borrow(r, key);
        if (s && strcmp(s, val) == 0)
            return r;
    }
    return NULL;
}

static void finalize_batch(struct eng *e, size_t bi, struct job_end *je)
{
    struct store_exec_batch *b = &e->f.batches[bi];
    size_t m[256], n = jobs_batch_members(e, bi, m, 256);
    size_t ok = 0, bad = 0;

    if (eng_tx_begin(e) < 0)
        goto out;
    for (size_t k = 0; k < n; k++) {
        struct store_exec_server *sv = &e->f.servers[m[k]];
        if (e->cleanup) {
            const json_t *ri = jobs_ri_of(je->ris, "recoveryInstanceID", sv->recovery_instance_id);
            if (!ri) {
                eng_set_server_state(e, m[k], "TERMINATED", NULL);
                ok++;
            } else {
                char why[256];
                snprintf(why, sizeof(why), "recovery instance %s still exists after job %s (%s)",
                         sv->recovery_instance_id, b->job_id,
                         json_str_borrow(ri, "ec2InstanceState")
                             ? json_str_borrow(ri, "ec2InstanceState")
                             : "?");
                jobs_server_failed(e, m[k], why, true);
                bad++;
            }
            continue;
        }
        if (strcmp(sv->state, "LAUNCHED") == 0 && sv->recovery_instance_id) {
            const json_t *ri = jobs_ri_of(je->ris, "recoveryInstanceID", sv->recovery_instance_id);
            if (ri && !sv->ec2_instance_id) {
                eng_set_str(&sv->ec2_instance_id, json_str_borrow(ri, "ec2InstanceID"));
                eng_put_server(e, m[k]);
            }
            ok++;
            continue;
        }
        {
            const json_t *ps = jobs_ps_of(je->job, sv->source_server_id);
            const char *ls = json_str_borrow(ps, "launchStatus");
            const json_t *ri = jobs_ri_of(je->ris, "sourceServerID", sv->source_server_id);
            if (ri && json_str_borrow(ri, "jobID") &&
                strcmp(json_str_borrow(ri, "jobID"), b->job_id))
                ri = NULL; /* an instance of another launch */
            if (ls && strcmp(ls, "LAUNCHED") == 0) {
                const char *rid = json_str_borrow(ps, "recoveryInstanceID");
                if (!rid && ri)
                    rid = json_str_borrow(ri, "recoveryInstanceID");
                eng_set_str(&sv->recovery_instance_id, rid);
                if (ri)
                    eng_set_str(&sv->ec2_instance_id, json_str_borrow(ri, "ec2InstanceID"));
                if (!sv->launched_at)
                    sv->launched_at = e->now;
                eng_set_str(&sv->error, NULL);
                eng_set_server_state(e, m[k], "LAUNCHED", NULL);
                ok++;
            } else {
                const char *le = log_error_for(je->log, sv->source_server_id);
                char why[DR_ERR_MSG_MAX + 128];
                snprintf(why, sizeof(why), "job %s: launch %s%s%s", b->job_id,
                         ls ? ls : "did not happen", le ? ": " : "", le ? le : "");
                jobs_server_failed(e, m[k], why, true);
                bad++;
            }
        }
    }
    eng_set_str(&b->state, "ENDED");
    b->ended_at = e->now;
    eng_put_batch(e, bi);
    eng_event(e, "batch %lld: job %s ended: %zu %s, %zu failed", (long long)b->batch_no, b->job_id,
              ok, e->cleanup ? "terminated" : "launched", bad);
    eng_tx_commit(e);
out:
    json_decref(je->job);
    json_decref(je->log);
    json_decref(je->ris);
    free(je);
}

/* ---- cleanup safety check: only this drill's instances are terminated ---- */

static void on_verify_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct eng_call *cc = ud;
    struct eng *e = cc->e;
    int ar = (int)cc->idx;
    size_t i;
    json_t *it;

    (void)stop;
    if (!cc->acc)
        cc->acc = json_array();
    if (!e->stopping && !err)
        json_array_foreach(json_object_get(page, "items"), i, it) json_array_append(cc->acc, it);
    json_decref(page);
    if (!last && !err)
        return;
    eng_call_done(cc);
    if (e->stopping)
        goto out;
    e->ars[ar].cfg_inflight = 0;
    if (err) {
        jobs_ar_failed(e, ar, err);
        for (size_t s = 0; s < e->f.nservers; s++)
            if (e->srv[s].ar == ar && e->srv[s].cfg == 2)
                e->srv[s].cfg = 1;
        goto out;
    }
    jobs_ar_ok(e, ar);
    if (eng_tx_begin(e) < 0)
        goto out;
    for (size_t s = 0; s < e->f.nservers; s++) {
        struct store_exec_server *sv = &e->f.servers[s];
        const json_t *ri;
        char why[256];
        if (e->srv[s].ar != ar || e->srv[s].cfg != 2)
            continue;
        e->srv[s].cfg = 3;
        ri = jobs_ri_of(cc->acc, "recoveryInstanceID", sv->recovery_instance_id);
        if (!ri) {
            eng_set_server_state(e, s, "TERMINATED", "already gone before the cleanup");
        } else if (!json_is_true(json_object_get(ri, "isDrill"))) {
            snprintf(why, sizeof(why), "refused: %s is not a drill instance",
                     sv->recovery_instance_id);
            eng_set_server_state(e, s, "FAILED", why);
        } else if (sv->job_id && json_str_borrow(ri, "jobID") &&
                   strcmp(json_str_borrow(ri, "jobID"), sv->job_id) != 0) {
            snprintf(why, sizeof(why),
                     "refused: %s now belongs to job %s, not to the drill's job %s",
                     sv->recovery_instance_id, json_str_borrow(ri, "jobID"), sv->job_id);
            eng_set_server_state(e, s, "FAILED", why);
        }
    }
    eng_tx_commit(e);
out:
    json_decref(cc->acc);
    free(cc);
}

void jobs_verify_targets(struct eng *e, int ar)
{
    json_t *ids = json_array(), *in;

    for (size_t s = 0; s < e->f.nservers; s++)
        if (e->srv[s].ar == ar && e->srv[s].cfg == 1 &&
            strcmp(e->f.servers[s].state, "PENDING") == 0 && json_array_size(ids) < 200) {
            e->srv[s].cfg = 2;
            json_array_append_new(ids, json_string(e->f.servers[s].recovery_instance_id));
        }
    if (!json_array_size(ids)) {
        json_decref(ids);
        return;
    }
    in = json_pack("{s:{s:o}}", "filters", "recoveryInstanceIDs", ids);
    e->ars[ar].cfg_inflight = 1;
    if (!jobs_paginate(e, ar, "DescribeRecoveryInstances", in, K_VERIFY, (size_t)ar, on_verify_page,
                       NULL))
        e->ars[ar].cfg_inflight = 0;
}
