/*
 * status.c - the status document of an execution (engine.h,
 * engine_status_json): the cli.md structure plus measured RTO per wave and
 * for the execution. RTO of a server = launched_at - job_started_at (the
 * DRS job's start as drover saw it, to the launch drover observed); of a
 * wave = its last launch - its first job start; of the execution = its
 * last launch - its start.
 */
#include <string.h>

#include "core/timeutil.h"
#include "engine/engine.h"

static json_t *ts(int64_t ms)
{
    char b[40];
    if (ms <= 0)
        return json_null();
    time_iso8601_ms(ms, b, sizeof(b));
    return json_string(b);
}

static json_t *opt(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *engine_status_json(const struct store_exec_full *f)
{
    json_t *waves = json_array(), *doc;
    int64_t exec_last = 0;

    for (size_t w = 0; w < f->nwaves; w++) {
        const struct store_exec_wave *wv = &f->waves[w];
        json_t *servers = json_array();
        int64_t first_job = 0, last_launch = 0;
        size_t total = 0, launched = 0, failed = 0;

        for (size_t i = 0; i < f->nservers; i++) {
            const struct store_exec_server *sv = &f->servers[i];
            if (sv->wave_idx != (int)w)
                continue;
            total++;
            if (strcmp(sv->state, "LAUNCHED") == 0 || strcmp(sv->state, "TERMINATED") == 0)
                launched++;
            if (strcmp(sv->state, "FAILED") == 0)
                failed++;
            if (sv->job_started_at && (!first_job || sv->job_started_at < first_job))
                first_job = sv->job_started_at;
            if (sv->launched_at > last_launch)
                last_launch = sv->launched_at;
            json_array_append_new(
                servers,
                json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o}",
                          "account_id", sv->account_id, "region", sv->region, "source_server_id",
                          sv->source_server_id, "state", sv->state, "job_id", opt(sv->job_id),
                          "recovery_instance_id", opt(sv->recovery_instance_id), "ec2_instance_id",
                          opt(sv->ec2_instance_id), "error", opt(sv->error), "attempts",
                          sv->attempts, "job_started_at", ts(sv->job_started_at), "launched_at",
                          ts(sv->launched_at), "rto_seconds",
                          sv->launched_at && sv->job_started_at
                              ? json_real((double)(sv->launched_at - sv->job_started_at) / 1000)
                              : json_null()));
        }
        if (last_launch > exec_last)
            exec_last = last_launch;
        json_array_append_new(
            waves, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "name", wv->name,
                             "state", wv->state, "started_at", ts(wv->started_at), "ended_at",
                             ts(wv->ended_at), "error", opt(wv->error), "rto_seconds",
                             first_job && last_launch >= first_job
                                 ? json_real((double)(last_launch - first_job) / 1000)
                                 : json_null(),
                             "total", (json_int_t)total, "launched", (json_int_t)launched, "failed",
                             (json_int_t)failed, "servers", servers));
    }
    doc = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                    f->e.id, "plan", f->e.plan_name, "plan_version", (json_int_t)f->e.plan_version,
                    "kind", f->e.kind, "state", f->e.state, "source_execution_id",
                    opt(f->e.source_execution_id), "created_at", ts(f->e.created_at), "started_at",
                    ts(f->e.started_at), "ended_at", ts(f->e.ended_at), "error", opt(f->e.error),
                    "request", opt(f->e.request), "rto_seconds",
                    exec_last && f->e.started_at && exec_last >= f->e.started_at
                        ? json_real((double)(exec_last - f->e.started_at) / 1000)
                        : json_null(),
                    "waves", waves);
    json_object_set_new(doc, "lease",
                        f->e.lease_expires_at
                            ? json_pack("{s:o, s:I, s:o}", "host", opt(f->e.lease_host), "pid",
                                        (json_int_t)f->e.lease_pid, "expires_at",
                                        ts(f->e.lease_expires_at))
                            : json_null());
    return doc;
}
