/*
 * control.c - the simulator's control API under /_sim/ (plain JSON, no
 * signing), exactly as docs cli.md specifies: health, estate, state,
 * metrics, faults (POST to set, GET to read) and reset.
 * Depends on the core module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "sim/internal.h"

static void reply(struct sim_http_out *o, int status, json_t *body)
{
    o->status = status;
    (void)http_headers_add(&o->headers, "Content-Type", "application/json");
    if (!body || json_dump_buf(body, JSON_INDENT(0), &o->body) < 0) {
        buf_reset(&o->body);
        o->status = 500;
    }
    json_decref(body);
}

static void fail(struct sim_http_out *o, int status, const char *msg)
{
    reply(o, status, json_pack("{s:s}", "error", msg));
}

json_t *sim_estate_summary(struct sim_world *w)
{
    json_t *hub = json_object_get(w->estate, "hub");
    json_t *user = json_object_get(hub, "user");
    json_t *accts = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(w->estate, "accounts"), i, a)
    {
        json_t *live =
            json_object_get(w->accounts, json_string_value(json_object_get(a, "account_id")));
        json_t *ext = json_object_get(a, "external_id");
        json_array_append_new(
            accts, json_pack("{s:O, s:O, s:O, s:O, s:O}", "account_id",
                             json_object_get(a, "account_id"), "name", json_object_get(a, "name"),
                             "role_arn", json_object_get(live, "role_arn"), "external_id",
                             ext ? ext : json_null(), "regions", json_object_get(a, "regions")));
    }
    return json_pack("{s:{s:O, s:O, s:O}, s:o}", "hub", "account_id",
                     json_object_get(hub, "account_id"), "access_key_id",
                     json_object_get(user, "access_key_id"), "secret_access_key",
                     json_object_get(user, "secret_access_key"), "accounts", accts);
}

static json_t *state_json(struct sim_world *w)
{
    json_t *jobs = json_array();
    const char *key;
    json_t *ar;
    json_object_foreach(w->ars, key, ar)
    {
        const char *jid;
        json_t *j;
        json_object_foreach(json_object_get(json_object_get(ar, "drs"), "jobs"), jid, j)
        {
            json_t *ids = json_array();
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(j, "participatingServers"), i, p)
                json_array_append(ids, json_object_get(p, "sourceServerID"));
            json_t *ended = json_object_get(j, "endDateTime");
            json_t *tags = json_object_get(j, "tags");
            json_array_append_new(
                jobs, json_pack("{s:s, s:O, s:O, s:O, s:O, s:b, s:O, s:O, s:O, s:o, s:O}", "job_id",
                                jid, "account_id", json_object_get(ar, "account_id"), "region",
                                json_object_get(ar, "region"), "type", json_object_get(j, "type"),
                                "initiated_by", json_object_get(j, "initiatedBy"), "is_drill",
                                strcmp(json_string_value(json_object_get(j, "initiatedBy")),
                                       "START_DRILL") == 0,
                                "status", json_object_get(j, "status"), "created_at",
                                json_object_get(j, "creationDateTime"), "ended_at",
                                ended ? ended : json_null(), "source_server_ids", ids, "tags",
                                tags ? tags : json_object()));
        }
    }
    return json_pack("{s:O, s:o}", "launches", w->launches, "jobs", jobs);
}

static json_t *faults_json(struct sim_world *w)
{
    struct sim_faults *f = &w->faults;
    json_t *stalled = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(f->stalled, k, v) json_array_append_new(stalled, json_string(k));
    json_t *th = f->throttle_on
                     ? json_pack("{s:f, s:f}", "rate", f->throttle_rate, "burst", f->throttle_burst)
                     : json_null();
    return json_pack("{s:o, s:f, s:i, s:O, s:f, s:o, s:s}", "throttle", th, "error_rate",
                     f->error_rate, "latency_ms", f->latency_ms, "region_outage", f->region_outage,
                     "launch_failure_rate", f->launch_failure_rate, "stalled_servers", stalled,
                     "outage_mode", f->outage_refuse ? "refuse" : "503");
}

void sim_control(struct sim_world *w, const struct http_request *req, struct sim_http_out *out)
{
    const char *p = req->path + 5; /* after "/_sim" */
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    pthread_mutex_lock(&w->mu);
    sim_world_advance(w, sim_clock_now(&w->clock));
    if (!strcmp(p, "/health")) {
        get ? reply(out, 200, json_pack("{s:b}", "ok", 1)) : fail(out, 405, "use GET");
    } else if (!strcmp(p, "/estate")) {
        get ? reply(out, 200, sim_estate_summary(w)) : fail(out, 405, "use GET");
    } else if (!strcmp(p, "/state")) {
        get ? reply(out, 200, state_json(w)) : fail(out, 405, "use GET");
    } else if (!strcmp(p, "/metrics")) {
        if (get) {
            json_t *rows = json_array();
            const char *k;
            json_t *v;
            json_object_foreach(w->metrics, k, v) json_array_append(rows, v);
            reply(out, 200, json_pack("{s:o}", "requests", rows));
        } else {
            fail(out, 405, "use GET");
        }
    } else if (!strcmp(p, "/faults")) {
        if (post) {
            json_t *body = NULL;
            char why[256];
            if (sim_json_body(req->body, req->body_len, &body, why, sizeof why) < 0 ||
                sim_faults_apply_json(w, body, why, sizeof why) < 0)
                fail(out, 400, why);
            else
                reply(out, 200, json_pack("{s:b, s:o}", "ok", 1, "faults", faults_json(w)));
            json_decref(body);
        } else if (get) {
            reply(out, 200, json_pack("{s:o}", "faults", faults_json(w)));
        } else {
            fail(out, 405, "use GET or POST");
        }
    } else if (!strcmp(p, "/reset")) {
        if (post) {
            struct dr_err err;
            dr_err_clear(&err);
            if (sim_world_reset(w, &err) < 0)
                fail(out, 500, err.msg);
            else
                reply(out, 200, json_pack("{s:b}", "ok", 1));
        } else {
            fail(out, 405, "use POST");
        }
    } else {
        fail(out, 404, "unknown control endpoint");
    }
    pthread_mutex_unlock(&w->mu);
}
