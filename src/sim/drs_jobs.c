/*
 * drs_jobs.c - DRS job life cycles in scaled time. StartRecovery and
 * TerminateRecoveryInstances precompute a job's whole schedule (event
 * times with seeded jitter, which servers fail and why) when the job is
 * created; sim_world_advance() then applies the events lazily as the sim
 * clock passes them, before every request. A launch takes about ten sim
 * minutes: PENDING -> STARTED (JOB_START) -> per server SNAPSHOT_START/END,
 * CONVERSION_START/END, LAUNCH_START, then LAUNCHED (launchStatus; the
 * DRS model has no LAUNCHED log event) or LAUNCH_FAILED -> JOB_END,
 * COMPLETED. Quotas are checked here. Depends on the core module, jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "sim/internal.h"

static const char *const ev_names[] = {
    [EV_JOB_START] = "JOB_START",
    [EV_SNAPSHOT_START] = "SNAPSHOT_START",
    [EV_SNAPSHOT_END] = "SNAPSHOT_END",
    [EV_SNAPSHOT_FAIL] = "SNAPSHOT_FAIL",
    [EV_CONVERSION_START] = "CONVERSION_START",
    [EV_CONVERSION_END] = "CONVERSION_END",
    [EV_LAUNCH_START] = "LAUNCH_START",
    [EV_LAUNCHED] = NULL,
    [EV_LAUNCH_FAILED] = "LAUNCH_FAILED",
    [EV_CLEANUP_START] = "CLEANUP_START",
    [EV_CLEANUP_END] = "CLEANUP_END",
    [EV_FAILBACK_DONE] = NULL,
    [EV_JOB_END] = "JOB_END",
};

static bool job_active(const struct sim_job *j)
{
    return j->next < j->nev;
}

bool sim_drs_server_busy(struct sim_world *w, const char *server_id)
{
    for (size_t i = 0; i < w->njobs; i++) {
        struct sim_job *j = w->jobs[i];
        if (j->terminate || !job_active(j))
            continue;
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(j->job, "participatingServers"), k, p)
        {
            if (strcmp(json_string_value(json_object_get(p, "sourceServerID")), server_id) == 0)
                return true;
        }
    }
    return false;
}

static bool ri_busy(struct sim_world *w, const char *ri)
{
    for (size_t i = 0; i < w->njobs; i++) {
        struct sim_job *j = w->jobs[i];
        if (!(j->terminate || j->failback) || !job_active(j))
            continue;
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(j->job, "participatingServers"), k, p)
        {
            const char *x = json_string_value(json_object_get(p, "recoveryInstanceID"));
            if (x && strcmp(x, ri) == 0)
                return true;
        }
    }
    return false;
}

static int ev_cmp(const void *a, const void *b)
{
    const struct sim_job_event *x = a, *y = b;
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms ? -1 : 1;
    if (x->server != y->server)
        return x->server < y->server ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

static int add_ev(struct sim_job *j, size_t cap, int64_t at, enum sim_ev_kind k, int server)
{
    if (j->nev >= cap)
        return -1;
    j->ev[j->nev++] = (struct sim_job_event){.at_ms = at, .kind = k, .server = server};
    return 0;
}

static struct sim_job *job_new(struct sim_call *c, bool terminate, size_t nservers,
                               const char *initiated_by, bool is_drill, json_t *tags)
{
    struct sim_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    size_t cap = 4 + nservers * 8;
    j->ev = calloc(cap, sizeof *j->ev);
    if (!j->ev) {
        free(j);
        return NULL;
    }
    j->terminate = terminate;
    j->is_drill = is_drill;
    dr_strlcpy(j->account_id, c->account_id, sizeof j->account_id);
    dr_strlcpy(j->region, c->region, sizeof j->region);
    sim_new_id(c->w, "drsjob-", 17, j->id, sizeof j->id);
    char arn[256], t[32];
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:job/%s", c->region, c->account_id, j->id);
    sim_fmt_time(c->now_ms, t, sizeof t);
    j->job = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:o}", "jobID", j->id, "arn", arn,
                       "type", terminate ? "TERMINATE" : "LAUNCH", "initiatedBy", initiated_by,
                       "creationDateTime", t, "status", "PENDING", "participatingServers", "tags",
                       tags ? json_incref(tags) : json_object());
    j->log = json_array();
    if (!j->job || !j->log) {
        json_decref(j->job);
        json_decref(j->log);
        free(j->ev);
        free(j);
        return NULL;
    }
    return j;
}

static void job_free(struct sim_job *j)
{
    if (j) {
        free(j->ev);
        free(j);
    }
}

static int job_publish(struct sim_call *c, struct sim_job *j, json_t *ar, json_t **job_out)
{
    json_t *drs = json_object_get(ar, "drs");
    qsort(j->ev, j->nev, sizeof *j->ev, ev_cmp);
    if (sim_world_add_job(c->w, j) < 0) {
        json_decref(j->job);
        json_decref(j->log);
        job_free(j);
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    }
    json_object_set_new(json_object_get(drs, "jobs"), j->id, j->job);
    json_object_set_new(json_object_get(drs, "logs"), j->id, j->log);
    *job_out = json_deep_copy(j->job);
    return 0;
}

static int active_counts(struct sim_world *w, const char *acct, const char *region, int *jobs)
{
    int servers = 0;
    *jobs = 0;
    for (size_t i = 0; i < w->njobs; i++) {
        struct sim_job *j = w->jobs[i];
        if (!job_active(j) || strcmp(j->account_id, acct) || strcmp(j->region, region))
            continue;
        (*jobs)++;
        servers += (int)json_array_size(json_object_get(j->job, "participatingServers"));
    }
    return servers;
}

static int quota_fail(struct sim_call *c, const char *code, const char *what, int limit)
{
    sim_fail(c, 402, "ServiceQuotaExceededException", "%s exceeds the quota of %d", what, limit);
    sim_fail_extra(c, "serviceCode", "drs");
    sim_fail_extra(c, "quotaCode", code);
    sim_fail_extra(c, "resourceType", "JOB");
    return -1;
}

int sim_drs_start_launch(struct sim_call *c, json_t *servers, bool is_drill, json_t *tags,
                         const char *initiated_by, json_t **job_out)
{
    struct sim_world *w = c->w;
    json_t *ar = sim_ar(w, c->account_id, c->region);
    if (!ar)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    json_t *drs = json_object_get(ar, "drs");
    json_t *all = json_object_get(drs, "servers"), *meta = json_object_get(drs, "meta");
    size_t n = json_array_size(servers);
    if ((int)n > w->quotas.max_servers_per_job)
        return quota_fail(c, "L-DRS0001", "The number of source servers in a job",
                          w->quotas.max_servers_per_job);
    int njobs, busy_servers = active_counts(w, c->account_id, c->region, &njobs);
    if (njobs >= w->quotas.max_concurrent_jobs)
        return quota_fail(c, "L-DRS0002", "The number of concurrent jobs",
                          w->quotas.max_concurrent_jobs);
    if (busy_servers + (int)n > w->quotas.max_servers_in_active_jobs)
        return quota_fail(c, "L-DRS0003", "The number of servers in active jobs",
                          w->quotas.max_servers_in_active_jobs);
    size_t i;
    json_t *s;
    json_t *seen = json_object();
    json_array_foreach(servers, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "sourceServerID"));
        if (!id || !json_object_get(all, id)) {
            json_decref(seen);
            sim_fail(c, 404, "ResourceNotFoundException", "Source server %s not found",
                     id ? id : "(missing sourceServerID)");
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "SOURCE_SERVER");
            return -1;
        }
        if (json_object_get(seen, id) || sim_drs_server_busy(w, id)) {
            json_decref(seen);
            sim_fail(c, 409, "ConflictException",
                     "Source server %s is already participating in an active job", id);
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "SOURCE_SERVER");
            return -1;
        }
        json_object_set_new(seen, id, json_true());
    }
    json_decref(seen);

    struct sim_job *j = job_new(c, false, n, initiated_by, is_drill, tags);
    if (!j)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    int64_t t0 = c->now_ms;
    size_t cap = 4 + n * 8;
    int64_t last = t0 + 60000;
    add_ev(j, cap, t0 + 20000, EV_JOB_START, -1);
    char t[32];
    sim_fmt_time(t0, t, sizeof t);
    json_array_foreach(servers, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "sourceServerID"));
        json_t *srv = json_object_get(all, id);
        json_t *m = json_object_get(meta, id);
        const char *state = json_string_value(
            json_object_get(json_object_get(srv, "dataReplicationInfo"), "dataReplicationState"));
        bool healthy =
            state && strcmp(state, "CONTINUOUS") == 0 && !json_object_get(w->faults.stalled, id);
        int64_t jit = (int64_t)(sim_prng_unit(&w->rng) * 30000);
        char ri[32], conv[32];
        sim_new_id(w, "i-", 17, ri, sizeof ri);
        sim_new_id(w, "i-", 17, conv, sizeof conv);
        json_array_append_new(
            json_object_get(j->job, "participatingServers"),
            json_pack("{s:s, s:s}", "sourceServerID", id, "launchStatus", "PENDING"));
        json_object_set_new(m, "pending_ri", json_string(ri));
        json_object_set_new(m, "pending_conv", json_string(conv));
        int idx = (int)i;
        add_ev(j, cap, t0 + 25000 + jit, EV_SNAPSHOT_START, idx);
        if (!healthy) {
            json_object_set_new(m, "fail_reason",
                                json_pack("s+", "Source server replication is not healthy: ",
                                          state ? state : "UNKNOWN"));
            add_ev(j, cap, t0 + 40000 + jit, EV_SNAPSHOT_FAIL, idx);
            add_ev(j, cap, t0 + 45000 + jit, EV_LAUNCH_FAILED, idx);
            continue;
        }
        bool fail = sim_prng_unit(&w->rng) < w->faults.launch_failure_rate;
        add_ev(j, cap, t0 + 70000 + jit, EV_SNAPSHOT_END, idx);
        add_ev(j, cap, t0 + 80000 + jit, EV_CONVERSION_START, idx);
        add_ev(j, cap, t0 + 300000 + jit, EV_CONVERSION_END, idx);
        add_ev(j, cap, t0 + 310000 + jit, EV_LAUNCH_START, idx);
        if (fail)
            json_object_set_new(m, "fail_reason",
                                json_string("Failed to launch the recovery instance: "
                                            "InsufficientInstanceCapacity (injected fault)"));
        add_ev(j, cap, t0 + 540000 + jit, fail ? EV_LAUNCH_FAILED : EV_LAUNCHED, idx);
        if (t0 + 540000 + jit > last)
            last = t0 + 540000 + jit;
        /* the source server shows the launch at once */
        json_object_set_new(srv, "lastLaunchResult", json_string("PENDING"));
        json_t *lc = json_object_get(srv, "lifeCycle");
        json_object_set_new(lc, "lastLaunch",
                            json_pack("{s:{s:s, s:s, s:s}, s:s}", "initiated", "apiCallDateTime", t,
                                      "jobID", j->id, "type", is_drill ? "DRILL" : "RECOVERY",
                                      "status", "PENDING"));
    }
    /* unhealthy servers still show the launch attempt */
    json_array_foreach(servers, i, s)
    {
        json_t *srv = json_object_get(all, json_string_value(json_object_get(s, "sourceServerID")));
        json_t *lc = json_object_get(srv, "lifeCycle");
        if (!json_object_get(lc, "lastLaunch")) {
            json_object_set_new(srv, "lastLaunchResult", json_string("PENDING"));
            json_object_set_new(lc, "lastLaunch",
                                json_pack("{s:{s:s, s:s, s:s}, s:s}", "initiated",
                                          "apiCallDateTime", t, "jobID", j->id, "type",
                                          is_drill ? "DRILL" : "RECOVERY", "status", "PENDING"));
        } else {
            json_t *ini = json_object_get(json_object_get(lc, "lastLaunch"), "initiated");
            if (strcmp(json_string_value(json_object_get(ini, "jobID")), j->id) != 0) {
                json_object_set_new(srv, "lastLaunchResult", json_string("PENDING"));
                json_object_set_new(lc, "lastLaunch",
                                    json_pack("{s:{s:s, s:s, s:s}, s:s}", "initiated",
                                              "apiCallDateTime", t, "jobID", j->id, "type",
                                              is_drill ? "DRILL" : "RECOVERY", "status",
                                              "PENDING"));
            }
        }
    }
    add_ev(j, cap, last + 10000, EV_JOB_END, -1);
    return job_publish(c, j, ar, job_out);
}

int sim_drs_start_terminate(struct sim_call *c, json_t *ri_ids, json_t **job_out)
{
    struct sim_world *w = c->w;
    json_t *ar = sim_ar(w, c->account_id, c->region);
    if (!ar)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    json_t *rinst = json_object_get(json_object_get(ar, "drs"), "rinst");
    size_t n = json_array_size(ri_ids), i;
    json_t *v;
    int njobs;
    active_counts(w, c->account_id, c->region, &njobs);
    if (njobs >= w->quotas.max_concurrent_jobs)
        return quota_fail(c, "L-DRS0002", "The number of concurrent jobs",
                          w->quotas.max_concurrent_jobs);
    json_array_foreach(ri_ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !json_object_get(rinst, id)) {
            sim_fail(c, 404, "ResourceNotFoundException", "Recovery instance %s not found",
                     id ? id : "(not a string)");
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "RECOVERY_INSTANCE");
            return -1;
        }
        if (ri_busy(w, id)) {
            sim_fail(c, 409, "ConflictException",
                     "Recovery instance %s is already being terminated", id);
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "RECOVERY_INSTANCE");
            return -1;
        }
    }
    struct sim_job *j = job_new(c, true, n, "TERMINATE_RECOVERY_INSTANCES", false, NULL);
    if (!j)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    json_object_set_new(j->job, "tags", json_object());
    size_t cap = 4 + n * 8;
    int64_t t0 = c->now_ms;
    add_ev(j, cap, t0 + 5000, EV_JOB_START, -1);
    json_array_foreach(ri_ids, i, v)
    {
        json_t *r = json_object_get(rinst, json_string_value(v));
        json_array_append_new(json_object_get(j->job, "participatingServers"),
                              json_pack("{s:O, s:O, s:s}", "sourceServerID",
                                        json_object_get(r, "sourceServerID"), "recoveryInstanceID",
                                        v, "launchStatus", "LAUNCHED"));
        add_ev(j, cap, t0 + 10000, EV_CLEANUP_START, (int)i);
        add_ev(j, cap, t0 + 60000, EV_CLEANUP_END, (int)i);
    }
    add_ev(j, cap, t0 + 70000, EV_JOB_END, -1);
    return job_publish(c, j, ar, job_out);
}

int sim_drs_start_failback(struct sim_call *c, json_t *ri_ids, json_t *tags, json_t **job_out)
{
    struct sim_world *w = c->w;
    json_t *ar = sim_ar(w, c->account_id, c->region);
    if (!ar)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    json_t *rinst = json_object_get(json_object_get(ar, "drs"), "rinst");
    size_t n = json_array_size(ri_ids), i;
    json_t *v;
    int njobs, busy = active_counts(w, c->account_id, c->region, &njobs);
    if (njobs >= w->quotas.max_concurrent_jobs)
        return quota_fail(c, "L-DRS0002", "The number of concurrent jobs",
                          w->quotas.max_concurrent_jobs);
    if (busy + (int)n > w->quotas.max_servers_in_active_jobs)
        return quota_fail(c, "L-DRS0003", "The number of servers in active jobs",
                          w->quotas.max_servers_in_active_jobs);
    json_array_foreach(ri_ids, i, v)
    {
        const char *id = json_string_value(v);
        json_t *r = id ? json_object_get(rinst, id) : NULL;
        if (!r) {
            sim_fail(c, 400, "ValidationException", "Recovery instance %s not found",
                     id ? id : "(not a string)");
            sim_fail_extra(c, "reason", "fieldValidationFailed");
            return -1;
        }
        const char *st = sim_json_path_str(r, "failback", "state");
        if (ri_busy(w, id) || !st || strcmp(st, "FAILBACK_READY_FOR_LAUNCH") != 0) {
            sim_fail(c, 409, "ConflictException",
                     "Recovery instance %s is not ready for failback launch (failback state %s)",
                     id, st ? st : "unknown");
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "RECOVERY_INSTANCE");
            return -1;
        }
    }
    struct sim_job *j = job_new(c, false, n, "FAILBACK", false, tags);
    if (!j)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    j->failback = true;
    size_t cap = 4 + n * 8;
    int64_t t0 = c->now_ms;
    char t[32];
    sim_fmt_time(t0, t, sizeof t);
    add_ev(j, cap, t0 + 20000, EV_JOB_START, -1);
    json_array_foreach(ri_ids, i, v)
    {
        json_t *r = json_object_get(rinst, json_string_value(v));
        json_array_append_new(json_object_get(j->job, "participatingServers"),
                              json_pack("{s:O, s:O, s:s}", "sourceServerID",
                                        json_object_get(r, "sourceServerID"), "recoveryInstanceID",
                                        v, "launchStatus", "PENDING"));
        json_t *fb = json_object_get(r, "failback");
        json_object_set_new(fb, "failbackJobID", json_string(j->id));
        json_object_set_new(fb, "failbackInitiationTime", json_string(t));
        json_object_set_new(fb, "failbackLaunchType", json_string("RECOVERY"));
        add_ev(j, cap, t0 + 30000, EV_CONVERSION_START, (int)i);
        add_ev(j, cap, t0 + 240000, EV_CONVERSION_END, (int)i);
        add_ev(j, cap, t0 + 250000, EV_LAUNCH_START, (int)i);
        add_ev(j, cap, t0 + 480000, EV_FAILBACK_DONE, (int)i);
    }
    add_ev(j, cap, t0 + 490000, EV_JOB_END, -1);
    return job_publish(c, j, ar, job_out);
}

/* ---- applying events ---- */

static void log_ev(struct sim_job *j, int64_t at, const char *event, json_t *data)
{
    char t[32];
    sim_fmt_time(at, t, sizeof t);
    json_array_append_new(j->log, json_pack("{s:s, s:s, s:o}", "logDateTime", t, "event", event,
                                            "eventData", data ? data : json_object()));
}

static void set_ec2_state(json_t *ar, const char *iid, int code, const char *name)
{
    json_t *inst = json_object_get(json_object_get(json_object_get(ar, "ec2"), "instances"), iid);
    if (inst)
        json_object_set_new(inst, "instanceState",
                            json_pack("{s:i, s:s}", "code", code, "name", name));
}

static void create_recovery_instance(struct sim_world *w, struct sim_job *j, json_t *ar,
                                     json_t *srv, json_t *m, int64_t at)
{
    json_t *drs = json_object_get(ar, "drs");
    const char *ri = json_string_value(json_object_get(m, "pending_ri"));
    const char *sid = json_string_value(json_object_get(srv, "sourceServerID"));
    char arn[256], t[32], az[80], key[SIM_AR_KEY_MAX], resv[32], ip[32], name[300];
    sim_fmt_time(at, t, sizeof t);
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:recovery-instance/%s", j->region, j->account_id,
             ri);
    snprintf(az, sizeof az, "%sa", j->region);
    json_t *sp = json_object_get(srv, "sourceProperties");
    json_t *disks = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(sp, "disks"), i, d)
    {
        char vol[32];
        sim_new_id(w, "vol-", 17, vol, sizeof vol);
        json_array_append_new(disks, json_pack("{s:O, s:O, s:s}", "internalDeviceName",
                                               json_object_get(d, "deviceName"), "bytes",
                                               json_object_get(d, "bytes"), "ebsVolumeID", vol));
    }
    const char *origin_acct = sim_json_path_str(srv, "sourceCloudProperties", "originAccountID");
    bool aws_origin = origin_acct && *origin_acct;
    json_t *rec = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:{s:s}, s:{s:s, s:O, s:O, s:o, s:O, s:O, s:O},"
        " s:s, s:b, s:s, s:s, s:s}",
        "ec2InstanceID", ri, "ec2InstanceState", "RUNNING", "jobID", j->id, "recoveryInstanceID",
        ri, "sourceServerID", sid, "arn", arn, "tags", json_object_get(j->job, "tags"), "failback",
        "state", "FAILBACK_NOT_STARTED", "recoveryInstanceProperties", "lastUpdatedDateTime", t,
        "identificationHints", json_object_get(sp, "identificationHints"), "networkInterfaces",
        json_object_get(sp, "networkInterfaces"), "disks", disks, "cpus",
        json_object_get(sp, "cpus"), "ramBytes", json_object_get(sp, "ramBytes"), "os",
        json_object_get(sp, "os"), "pointInTimeSnapshotDateTime", t, "isDrill", j->is_drill,
        "originEnvironment", aws_origin ? "AWS" : "ON_PREMISES", "originAvailabilityZone",
        aws_origin ? sim_json_path_str(srv, "sourceCloudProperties", "originAvailabilityZone") : az,
        "agentVersion", "4.7.0");
    json_object_set_new(json_object_get(drs, "rinst"), ri, rec);
    sim_ar_key(key, sizeof key, j->account_id, j->region);
    json_object_set_new(w->rinst, ri, json_string(key));

    /* the EC2 instance behind it */
    sim_new_id(w, "r-", 17, resv, sizeof resv);
    const char *host = sim_json_path_str(sp, "identificationHints", "hostname");
    snprintf(name, sizeof name, "%s", host ? host : sid);
    snprintf(ip, sizeof ip, "10.200.%u.%u", (unsigned)(sim_prng_next(&w->rng) % 250),
             (unsigned)(sim_prng_next(&w->rng) % 250) + 2);
    json_t *tagset = json_array();
    json_array_append_new(tagset, json_pack("{s:s, s:s}", "key", "Name", "value", name));
    json_array_append_new(tagset,
                          json_pack("{s:s, s:s}", "key", "AWSElasticDisasterRecoveryManaged",
                                    "value", "drs.amazonaws.com"));
    json_array_append_new(
        tagset,
        json_pack("{s:s, s:s}", "key", "AWSElasticDisasterRecoverySourceServerID", "value", sid));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j->job, "tags"), k, v)
        json_array_append_new(tagset, json_pack("{s:s, s:O}", "key", k, "value", v));
    json_t *subnets = json_object_get(json_object_get(ar, "ec2"), "subnets");
    json_t *sub = json_array_get(subnets, 0);
    char dashed[32], dns[160];
    dr_strlcpy(dashed, ip, sizeof dashed);
    for (char *c = dashed; *c; c++)
        if (*c == '.')
            *c = '-';
    snprintf(dns, sizeof dns, "ip-%s.%s.compute.internal", dashed, j->region);
    json_t *inst = json_pack(
        "{s:s, s:s, s:{s:i, s:s}, s:s, s:s, s:i, s:O, s:s, s:{s:s, s:s}, s:{s:s}, s:s, s:s, s:s,"
        " s:s, s:o}",
        "instanceId", ri, "imageId", "ami-0drsrecovery0001", "instanceState", "code", 16, "name",
        "running", "privateDnsName", dns, "dnsName", "", "amiLaunchIndex", 0, "instanceType",
        json_object_get(sp, "recommendedInstanceType"), "launchTime", t, "placement",
        "availabilityZone", az, "tenancy", "default", "monitoring", "state", "disabled",
        "privateIpAddress", ip, "architecture", "x86_64", "rootDeviceType", "ebs", "rootDeviceName",
        "/dev/xvda", "tagSet", tagset);
    if (sub) {
        json_object_set(inst, "subnetId", json_object_get(sub, "subnetId"));
        json_object_set(inst, "vpcId", json_object_get(sub, "vpcId"));
    }
    json_t *ec2 = json_object_get(ar, "ec2");
    json_object_set_new(json_object_get(ec2, "instances"), ri, inst);
    json_object_set_new(json_object_get(ec2, "reservations"), ri, json_string(resv));

    json_array_append_new(
        w->launches, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "account_id", j->account_id,
                               "region", j->region, "source_server_id", sid, "job_id", j->id,
                               "is_drill", j->is_drill, "recovery_instance_id", ri, "time", t));
    json_object_set_new(srv, "recoveryInstanceId", json_string(ri));
}

static void apply(struct sim_world *w, struct sim_job *j, const struct sim_job_event *e)
{
    json_t *ar = sim_ar(w, j->account_id, j->region);
    if (!ar)
        return;
    json_t *drs = json_object_get(ar, "drs");
    json_t *ps = e->server >= 0 ? json_array_get(json_object_get(j->job, "participatingServers"),
                                                 (size_t)e->server)
                                : NULL;
    const char *sid = json_string_value(json_object_get(ps, "sourceServerID"));
    json_t *srv = sid ? json_object_get(json_object_get(drs, "servers"), sid) : NULL;
    json_t *m = sid ? json_object_get(json_object_get(drs, "meta"), sid) : NULL;
    json_t *ll = json_object_get(json_object_get(srv, "lifeCycle"), "lastLaunch");
    bool ours = ll && strcmp(sim_json_path_str(ll, "initiated", "jobID"), j->id) == 0;
    json_t *data = sid ? json_pack("{s:s}", "sourceServerID", sid) : NULL;
    char t[32];
    sim_fmt_time(e->at_ms, t, sizeof t);

    switch (e->kind) {
    case EV_JOB_START:
        json_object_set_new(j->job, "status", json_string("STARTED"));
        break;
    case EV_SNAPSHOT_START:
        json_object_set_new(ps, "launchStatus", json_string("IN_PROGRESS"));
        if (ours)
            json_object_set_new(ll, "status", json_string("IN_PROGRESS"));
        break;
    case EV_CONVERSION_START:
    case EV_CONVERSION_END:
        if (!j->failback)
            json_object_set(data, "conversionServerID", json_object_get(m, "pending_conv"));
        else if (e->kind == EV_CONVERSION_START)
            json_object_set_new(ps, "launchStatus", json_string("IN_PROGRESS"));
        break;
    case EV_LAUNCH_START:
        if (!j->failback)
            json_object_set(data, "targetInstanceID", json_object_get(m, "pending_ri"));
        break;
    case EV_FAILBACK_DONE: {
        const char *ri = json_string_value(json_object_get(ps, "recoveryInstanceID"));
        json_t *r = json_object_get(json_object_get(drs, "rinst"), ri);
        json_object_set_new(json_object_get(r, "failback"), "state",
                            json_string("FAILBACK_COMPLETED"));
        json_object_set_new(ps, "launchStatus", json_string("LAUNCHED"));
        break;
    }
    case EV_SNAPSHOT_FAIL:
        json_object_set(data, "rawError", json_object_get(m, "fail_reason"));
        break;
    case EV_LAUNCHED:
        if (srv)
            create_recovery_instance(w, j, ar, srv, m, e->at_ms);
        json_object_set(ps, "recoveryInstanceID", json_object_get(m, "pending_ri"));
        json_object_set_new(ps, "launchStatus", json_string("LAUNCHED"));
        if (ours) {
            json_object_set_new(ll, "status", json_string("LAUNCHED"));
            json_object_set_new(srv, "lastLaunchResult", json_string("SUCCEEDED"));
        }
        break;
    case EV_LAUNCH_FAILED:
        json_object_set(data, "rawError", json_object_get(m, "fail_reason"));
        json_object_set_new(ps, "launchStatus", json_string("FAILED"));
        if (ours) {
            json_object_set_new(ll, "status", json_string("FAILED"));
            json_object_set_new(srv, "lastLaunchResult", json_string("FAILED"));
        }
        break;
    case EV_CLEANUP_START: {
        const char *ri = json_string_value(json_object_get(ps, "recoveryInstanceID"));
        json_t *r = json_object_get(json_object_get(drs, "rinst"), ri);
        json_object_set_new(r, "ec2InstanceState", json_string("SHUTTING-DOWN"));
        set_ec2_state(ar, ri, 32, "shutting-down");
        json_object_set_new(data, "targetInstanceID", json_string(ri));
        break;
    }
    case EV_CLEANUP_END: {
        const char *ri = json_string_value(json_object_get(ps, "recoveryInstanceID"));
        set_ec2_state(ar, ri, 48, "terminated");
        json_object_set_new(data, "targetInstanceID", json_string(ri));
        json_object_set_new(ps, "launchStatus", json_string("TERMINATED"));
        const char *cur = json_string_value(json_object_get(srv, "recoveryInstanceId"));
        if (cur && strcmp(cur, ri) == 0)
            json_object_del(srv, "recoveryInstanceId");
        json_object_del(w->rinst, ri);
        json_object_del(json_object_get(drs, "rinst"), ri);
        break;
    }
    case EV_JOB_END:
        json_object_set_new(j->job, "status", json_string("COMPLETED"));
        json_object_set_new(j->job, "endDateTime", json_string(t));
        break;
    case EV_SNAPSHOT_END:
        break;
    }
    if (ev_names[e->kind])
        log_ev(j, e->at_ms, ev_names[e->kind], data);
    else
        json_decref(data);
}

void sim_world_advance(struct sim_world *w, int64_t now_ms)
{
    for (;;) {
        struct sim_job *best = NULL;
        for (size_t i = 0; i < w->njobs; i++) {
            struct sim_job *j = w->jobs[i];
            if (j->next < j->nev && j->ev[j->next].at_ms <= now_ms &&
                (!best || j->ev[j->next].at_ms < best->ev[best->next].at_ms))
                best = j;
        }
        if (!best)
            break;
        apply(w, best, &best->ev[best->next]);
        w->version++;
        best->next++;
    }
    /* drop finished jobs from the active list (their JSON stays in the world) */
    size_t k = 0;
    for (size_t i = 0; i < w->njobs; i++) {
        if (job_active(w->jobs[i]))
            w->jobs[k++] = w->jobs[i];
        else
            job_free(w->jobs[i]);
    }
    w->njobs = k;
}
