/*
 * drs.c - Elastic Disaster Recovery (rest-json) for the simulator: the
 * read and launch operations a DR run needs (InitializeService,
 * DescribeSourceServers, StartRecovery, DescribeJobs, DescribeJobLogItems,
 * DescribeRecoveryInstances, TerminateRecoveryInstances, DeleteJob), and
 * replication state evolving with the sim clock (INITIAL_SYNC ->
 * CONTINUOUS; STALLED with growing lag under the stall fault). Shapes
 * follow botocore's drs/2020-02-26 model. The remaining operations are in
 * drs_ops.c. Depends on the core module, jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "sim/drs_common.h"
#include "sim/internal.h"

int drs_vfail(struct sim_call *c, const char *field, const char *msg)
{
    sim_fail(c, 400, "ValidationException", "%s: %s", field, msg);
    sim_fail_extra(c, "reason", "fieldValidationFailed");
    json_object_set_new(c->err_extra, "fieldList",
                        json_pack("[{s:s, s:s}]", "name", field, "message", msg));
    return -1;
}

json_t *drs_state(struct sim_call *c, bool need_init)
{
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    if (!ar) {
        sim_fail(c, 500, "InternalServerException", "out of memory");
        return NULL;
    }
    sim_drs_materialize(c->w, ar);
    json_t *drs = json_object_get(ar, "drs");
    if (need_init && !json_is_true(json_object_get(drs, "initialized"))) {
        sim_fail(c, 400, "UninitializedAccountException",
                 "Account not initialized for Elastic Disaster Recovery in %s", c->region);
        return NULL;
    }
    return drs;
}

int drs_check_list(struct sim_call *c, json_t *in, const char *field, size_t min, size_t max,
                   json_t **out)
{
    json_t *v = json_object_get(in, field);
    *out = v;
    if (!v) {
        if (min > 0)
            return drs_vfail(c, field, "is required");
        return 0;
    }
    if (!json_is_array(v))
        return drs_vfail(c, field, "must be a list");
    if (json_array_size(v) < min || json_array_size(v) > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must have between %zu and %zu items", min, max);
        return drs_vfail(c, field, msg);
    }
    return 0;
}

int drs_check_tags(struct sim_call *c, json_t *tags, const char *field)
{
    if (!tags)
        return 0;
    if (!json_is_object(tags) || json_object_size(tags) > 50)
        return drs_vfail(c, field, "must be a map of at most 50 string tags");
    const char *k;
    json_t *v;
    json_object_foreach(tags, k, v)
    {
        if (!json_is_string(v) || strlen(k) == 0 || strlen(k) > 128 ||
            strlen(json_string_value(v)) > 256 || strncmp(k, "aws:", 4) == 0)
            return drs_vfail(c, field,
                             "tag keys are 1-128 characters, values up to 256, "
                             "and keys may not start with aws:");
    }
    return 0;
}

static void iso_duration(int64_t secs, char *out, size_t n)
{
    if (secs < 0)
        secs = 0;
    if (secs >= 86400)
        snprintf(out, n, "P%lldDT%lldH%lldM%lldS", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600), (long long)(secs % 3600 / 60),
                 (long long)(secs % 60));
    else if (secs >= 3600)
        snprintf(out, n, "PT%lldH%lldM%lldS", (long long)(secs / 3600),
                 (long long)(secs % 3600 / 60), (long long)(secs % 60));
    else if (secs >= 60)
        snprintf(out, n, "PT%lldM%lldS", (long long)(secs / 60), (long long)(secs % 60));
    else
        snprintf(out, n, "PT%lldS", (long long)secs);
}

/* Sets each replicated disk's replicatedStorageBytes to frac of its total.
 * The disk list may be shared with other servers (estate_build.c), so it
 * is replaced by a new one when a value changes, never edited in place. */
static void set_replicated(json_t *dri, double frac)
{
    json_t *disks = json_object_get(dri, "replicatedDisks");
    size_t i;
    json_t *d;
    bool same = true;
    json_array_foreach(disks, i, d)
    {
        json_int_t tot = json_integer_value(json_object_get(d, "totalStorageBytes"));
        same = same && json_integer_value(json_object_get(d, "replicatedStorageBytes")) ==
                           (json_int_t)((double)tot * frac);
    }
    if (same)
        return;
    json_t *nd = json_array();
    json_array_foreach(disks, i, d)
    {
        json_t *x = json_copy(d);
        json_int_t tot = json_integer_value(json_object_get(d, "totalStorageBytes"));
        if (frac >= 1)
            json_object_set(x, "replicatedStorageBytes", json_object_get(d, "totalStorageBytes"));
        else
            json_object_set_new(x, "replicatedStorageBytes",
                                json_integer((json_int_t)((double)tot * frac)));
        json_array_append_new(nd, x);
    }
    json_object_set_new(dri, "replicatedDisks", nd);
}

void drs_refresh_server(struct sim_call *c, json_t *drs, const char *id)
{
    json_t *srv = json_object_get(json_object_get(drs, "servers"), id);
    json_t *m = json_object_get(json_object_get(drs, "meta"), id);
    if (!srv || !m)
        return;
    json_t *dri = json_object_get(srv, "dataReplicationInfo");
    json_t *lc = json_object_get(srv, "lifeCycle");
    const char *state = json_string_value(json_object_get(m, "state"));
    int64_t since = json_integer_value(json_object_get(m, "since_ms"));
    int64_t sync_end = json_integer_value(json_object_get(m, "sync_end_ms"));
    int64_t lag = json_integer_value(json_object_get(m, "lag_s"));
    char t[32], dur[48];
    int64_t now_s = c->now_ms / 1000 * 1000; /* second granularity keeps caches valid */
    bool connected = strcmp(state, "DISCONNECTED") != 0 && strcmp(state, "STOPPED") != 0;
    if (!strcmp(state, "INITIAL_SYNC") && c->now_ms >= sync_end) {
        json_object_set_new(m, "state", json_string("CONTINUOUS"));
        state = "CONTINUOUS";
    }
    struct sim_world *w = c->w;
    json_object_del(dri, "etaDateTime");
    json_object_del(dri, "dataReplicationError");
    const char *shown = state;
    if (json_object_get(c->w->faults.stalled, id) && connected) {
        json_t *st = json_object_get(m, "stalled_ms");
        if (!st) {
            json_object_set_new(m, "stalled_ms", json_integer(c->now_ms));
            st = json_object_get(m, "stalled_ms");
        }
        shown = "STALLED";
        lag += (c->now_ms - json_integer_value(st)) / 1000;
        json_object_set_new(dri, "dataReplicationError",
                            json_pack("{s:s, s:s}", "error", "NOT_CONVERGING", "rawError",
                                      "Replication is stalled (simulated fault)"));
    } else {
        json_object_del(m, "stalled_ms");
    }
    json_object_set_new(dri, "dataReplicationState", sim_shared_str(w, shown));
    if (!strcmp(shown, "INITIAL_SYNC")) {
        sim_fmt_time(sync_end, t, sizeof t);
        json_object_set_new(dri, "etaDateTime", sim_shared_str(w, t));
        double frac =
            sync_end > since ? (double)(c->now_ms - since) / (double)(sync_end - since) : 1;
        set_replicated(dri, frac);
    } else if (!strcmp(state, "CONTINUOUS")) {
        set_replicated(dri, 1);
    }
    iso_duration(lag, dur, sizeof dur);
    json_object_set_new(dri, "lagDuration", sim_shared_str(w, dur));
    if (connected) {
        sim_fmt_time(now_s, t, sizeof t);
        json_object_set_new(lc, "lastSeenByServiceDateTime", sim_shared_str(w, t));
    }
    iso_duration((now_s - since) / 1000, dur, sizeof dur);
    json_object_set_new(lc, "elapsedReplicationDuration", sim_shared_str(w, dur));
}

static int initialize_service(struct sim_call *c, json_t *in)
{
    (void)in;
    json_t *drs = drs_state(c, false);
    if (!drs)
        return -1;
    json_object_set_new(drs, "initialized", json_true());
    c->status = 204;
    return 0;
}

static bool in_list(json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && s && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

int drs_page_out(struct sim_call *c, json_t *in, json_t *items, const char *key)
{
    size_t start, end;
    if (sim_page(c, in, json_array_size(items), 1000, &start, &end) < 0) {
        json_decref(items);
        return -1;
    }
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(items, i));
    c->out = json_pack("{s:o}", key, page);
    if (end < json_array_size(items)) {
        char tok[32];
        snprintf(tok, sizeof tok, "%zu", end);
        json_object_set_new(c->out, "nextToken", json_string(tok));
    }
    json_decref(items);
    return 0;
}

static int render_source_servers(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *f = json_object_get(in, "filters");
    if (f && !json_is_object(f))
        return drs_vfail(c, "filters", "must be an object");
    json_t *ids, *stg;
    if (drs_check_list(c, f, "sourceServerIDs", 0, 200, &ids) < 0 ||
        drs_check_list(c, f, "stagingAccountIDs", 0, 200, &stg) < 0)
        return -1;
    const char *hw = json_string_value(json_object_get(f, "hardwareId"));
    json_t *items = json_array();
    const char *id;
    json_t *srv;
    json_t *meta = json_object_get(drs, "meta");
    json_object_foreach(json_object_get(drs, "servers"), id, srv)
    {
        if (ids && json_array_size(ids) && !in_list(ids, id))
            continue;
        if (stg && json_array_size(stg) &&
            !in_list(stg, sim_json_path_str(srv, "stagingArea", "stagingAccountID")))
            continue;
        if (hw && *hw) {
            const char *aws_id = sim_json_path_str(json_object_get(srv, "sourceProperties"),
                                                   "identificationHints", "awsInstanceID");
            if (!aws_id || strcmp(aws_id, hw) != 0)
                continue;
        }
        if (json_is_true(json_object_get(json_object_get(meta, id), "archived")))
            continue;
        json_array_append(items, srv);
    }
    /* Refresh and serialize only what this page returns. */
    size_t start, end;
    if (sim_page(c, in, json_array_size(items), 1000, &start, &end) < 0) {
        json_decref(items);
        return -1;
    }
    struct buf b;
    buf_init(&b, (size_t)256 << 20);
    int rc = buf_adds(&b, "{\"items\":[");
    for (size_t i = start; rc == 0 && i < end; i++) {
        json_t *one = json_array_get(items, i);
        drs_refresh_server(c, drs, json_string_value(json_object_get(one, "sourceServerID")));
        char *txt = json_dumps(one, JSON_COMPACT);
        rc |= txt ? 0 : -1;
        rc |= buf_adds(&b, i > start ? "," : "");
        rc |= txt ? buf_adds(&b, txt) : 0;
        free(txt);
    }
    rc |= buf_adds(&b, "]");
    if (end < json_array_size(items))
        rc |= buf_addf(&b, ",\"nextToken\":\"%zu\"", end);
    rc |= buf_adds(&b, "}");
    json_decref(items);
    if (rc < 0) {
        buf_cleanup(&b);
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    }
    c->raw_out = buf_detach(&b, NULL);
    return 0;
}

/* DescribeSourceServers answers are cached whole, per account-region and
 * request body, until the world changes or the sim second moves on. The
 * cache holds a few entries for the whole world, so memory stays flat
 * however many account-regions are read. */
#define PAGE_CACHE_MAX 8

static int describe_source_servers(struct sim_call *c, json_t *in)
{
    char *req = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
    if (!req)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    char head[160];
    snprintf(head, sizeof head, "%s:%s:%llu:%lld\n", c->account_id, c->region,
             (unsigned long long)c->w->version, (long long)(c->now_ms / 1000));
    struct buf kb;
    buf_init(&kb, SIM_BODY_MAX + sizeof head);
    int krc = buf_adds(&kb, head) | buf_adds(&kb, req);
    free(req);
    char *key = krc == 0 ? buf_detach(&kb, NULL) : NULL;
    buf_cleanup(&kb);
    if (!key)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    const char *hit = json_string_value(json_object_get(c->w->pages, key));
    if (hit) {
        c->raw_out = strdup(hit);
        free(key);
        return c->raw_out ? 0 : sim_fail(c, 500, "InternalServerException", "out of memory");
    }
    int rc = render_source_servers(c, in);
    if (rc == 0) {
        if (json_object_size(c->w->pages) >= PAGE_CACHE_MAX) {
            void *it = json_object_iter(c->w->pages); /* the oldest entry */
            json_object_del(c->w->pages, json_object_iter_key(it));
        }
        json_object_set_new(c->w->pages, key, json_string(c->raw_out));
    }
    free(key);
    return rc;
}

static int start_recovery(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *servers;
    if (drs_check_list(c, in, "sourceServers", 1, 200, &servers) < 0)
        return -1;
    size_t i;
    json_t *s;
    json_array_foreach(servers, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "sourceServerID"));
        if (!json_is_object(s) || !id || strlen(id) != 19 || strncmp(id, "s-", 2) != 0)
            return drs_vfail(c, "sourceServers",
                             "each item needs a sourceServerID (s- and 17 "
                             "alphanumerics)");
    }
    json_t *drill = json_object_get(in, "isDrill");
    if (drill && !json_is_boolean(drill))
        return drs_vfail(c, "isDrill", "must be a boolean");
    json_t *tags = json_object_get(in, "tags");
    if (drs_check_tags(c, tags, "tags") < 0)
        return -1;
    json_t *job = NULL;
    json_t *t = tags ? json_incref(tags) : json_object();
    bool is_drill = json_is_true(drill);
    int rc = sim_drs_start_launch(c, servers, is_drill, t,
                                  is_drill ? "START_DRILL" : "START_RECOVERY", &job);
    json_decref(t);
    if (rc < 0)
        return -1;
    c->out = json_pack("{s:o}", "job", job);
    c->status = 202;
    return 0;
}

static int describe_jobs(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *f = json_object_get(in, "filters");
    if (f && !json_is_object(f))
        return drs_vfail(c, "filters", "must be an object");
    json_t *ids;
    if (drs_check_list(c, f, "jobIDs", 0, 1000, &ids) < 0)
        return -1;
    int64_t from = INT64_MIN, to = INT64_MAX;
    const char *fd = json_string_value(json_object_get(f, "fromDate"));
    const char *td = json_string_value(json_object_get(f, "toDate"));
    if (fd && time_parse(fd, &from) < 0)
        return drs_vfail(c, "filters.fromDate", "must be an ISO 8601 date-time");
    if (td && time_parse(td, &to) < 0)
        return drs_vfail(c, "filters.toDate", "must be an ISO 8601 date-time");
    json_t *items = json_array();
    const char *id;
    json_t *job;
    json_object_foreach(json_object_get(drs, "jobs"), id, job)
    {
        if (ids && json_array_size(ids) && !in_list(ids, id))
            continue;
        int64_t created = 0;
        time_parse(json_string_value(json_object_get(job, "creationDateTime")), &created);
        if (created < from || created > to)
            continue;
        json_array_append(items, job);
    }
    return drs_page_out(c, in, items, "items");
}

static int describe_job_log_items(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    const char *id = json_string_value(json_object_get(in, "jobID"));
    if (!id)
        return drs_vfail(c, "jobID", "is required");
    json_t *log = json_object_get(json_object_get(drs, "logs"), id);
    if (!log)
        return drs_vfail(c, "jobID", "no such job");
    return drs_page_out(c, in, json_incref(log), "items");
}

static int describe_recovery_instances(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *f = json_object_get(in, "filters");
    if (f && !json_is_object(f))
        return drs_vfail(c, "filters", "must be an object");
    json_t *ids, *sids;
    if (drs_check_list(c, f, "recoveryInstanceIDs", 0, 200, &ids) < 0 ||
        drs_check_list(c, f, "sourceServerIDs", 0, 200, &sids) < 0)
        return -1;
    drs_refresh_failback(c, drs);
    json_t *items = json_array();
    const char *id;
    json_t *ri;
    json_object_foreach(json_object_get(drs, "rinst"), id, ri)
    {
        if (ids && json_array_size(ids) && !in_list(ids, id))
            continue;
        if (sids && json_array_size(sids) &&
            !in_list(sids, json_string_value(json_object_get(ri, "sourceServerID"))))
            continue;
        json_array_append(items, ri);
    }
    return drs_page_out(c, in, items, "items");
}

static int terminate_recovery_instances(struct sim_call *c, json_t *in)
{
    if (!drs_state(c, true))
        return -1;
    json_t *ids;
    if (drs_check_list(c, in, "recoveryInstanceIDs", 1, 200, &ids) < 0)
        return -1;
    json_t *job = NULL;
    if (sim_drs_start_terminate(c, ids, &job) < 0)
        return -1;
    c->out = json_pack("{s:o}", "job", job);
    return 0;
}

static int delete_job(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    const char *id = json_string_value(json_object_get(in, "jobID"));
    if (!id)
        return drs_vfail(c, "jobID", "is required");
    json_t *job = json_object_get(json_object_get(drs, "jobs"), id);
    if (!job) {
        sim_fail(c, 404, "ResourceNotFoundException", "Job %s not found", id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "JOB");
        return -1;
    }
    if (strcmp(json_string_value(json_object_get(job, "status")), "COMPLETED") != 0) {
        sim_fail(c, 409, "ConflictException", "Job %s is still active", id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "JOB");
        return -1;
    }
    json_object_del(json_object_get(drs, "jobs"), id);
    json_object_del(json_object_get(drs, "logs"), id);
    c->status = 204;
    return 0;
}

const struct sim_op sim_drs_ops[] = {
    {"InitializeService", initialize_service},
    {"DescribeSourceServers", describe_source_servers},
    {"StartRecovery", start_recovery},
    {"DescribeJobs", describe_jobs},
    {"DescribeJobLogItems", describe_job_log_items},
    {"DescribeRecoveryInstances", describe_recovery_instances},
    {"TerminateRecoveryInstances", terminate_recovery_instances},
    {"DeleteJob", delete_job},
    {NULL, NULL},
};
