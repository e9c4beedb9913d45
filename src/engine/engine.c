/*
 * engine.c - the execution loop (engine.h): lease, operator requests
 * (pause, resume, cancel), the wave DAG (dependencies, approval gates,
 * pre/post actions, tolerance, timeouts) and completion. DRS jobs are
 * jobs.c's. Single-threaded on the AWS client's loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonutil.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "engine/internal.h"

#define CONTROL_EVERY_MS 500

bool engine_state_terminal(const char *s)
{
    return s && (strcmp(s, "COMPLETED") == 0 || strcmp(s, "PARTIAL") == 0 ||
                 strcmp(s, "FAILED") == 0 || strcmp(s, "CANCELLED") == 0);
}

bool eng_server_terminal(const char *s)
{
    return strcmp(s, "LAUNCHED") == 0 || strcmp(s, "FAILED") == 0 || strcmp(s, "CANCELLED") == 0 ||
           strcmp(s, "TERMINATED") == 0;
}

static bool wave_terminal(const char *s)
{
    return engine_state_terminal(s) || strcmp(s, "SKIPPED") == 0;
}

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    char *end;
    long x;

    if (!v || !*v)
        return dflt;
    x = strtol(v, &end, 10);
    return *end || x < 0 || x > 100000000 ? dflt : (int)x;
}

void engine_opts_from_env(struct engine_opts *o)
{
    o->poll_min_ms = env_int("DROVER_POLL_MIN_MS", o->poll_min_ms);
    o->poll_max_ms = env_int("DROVER_POLL_MAX_MS", o->poll_max_ms);
    o->unreachable_ms = env_int("DROVER_UNREACHABLE_SECONDS", o->unreachable_ms / 1000) * 1000;
    o->lease_ttl_ms = env_int("DROVER_LEASE_TTL_MS", (int)o->lease_ttl_ms);
    if (getenv("DROVER_CRASH_POINT") && *getenv("DROVER_CRASH_POINT")) {
        const char *v = getenv("DROVER_CRASH_POINT"), *colon = strchr(v, ':');
        snprintf(o->crash_point, sizeof(o->crash_point), "%.*s",
                 colon ? (int)(colon - v) : (int)strlen(v), v);
        o->crash_count = colon ? (int)strtol(colon + 1, NULL, 10) : 1;
    }
}

void eng_crash_point(struct eng *e, const char *name)
{
    if (e->o.crash_point[0] && strcmp(e->o.crash_point, name) == 0 &&
        ++e->crash_seen >= (e->o.crash_count > 0 ? e->o.crash_count : 1)) {
        fprintf(stderr, "drover: crash point %s reached: SIGKILL\n", name);
        raise(SIGKILL);
    }
}

/* ---- write-through helpers ---- */

void eng_set_str(char **dst, const char *v)
{
    char *n = v ? strdup(v) : NULL;
    free(*dst);
    *dst = n;
}

void eng_fail_fatal(struct eng *e, const struct dr_err *err)
{
    if (e->fatal)
        return;
    e->fatal = true;
    e->fatal_err = *err;
    if (err->status == DR_ECONFLICT)
        log_write(LOG_ERROR, "engine: %s: stopping: another process took it over (%s)", e->f.e.id,
                  err->msg);
    else
        log_write(LOG_ERROR,
                  "engine: %s: stopping (the lease will expire and another process can "
                  "resume): %s",
                  e->f.e.id, err->msg);
}

bool eng_lease_held(struct eng *e)
{
    struct store_exec x;
    struct dr_err err;

    if (e->fatal)
        return false;
    if (store_exec_get(e->st, e->f.e.id, false, &x, &err) < 0) {
        eng_fail_fatal(e, &err);
        return false;
    }
    if (!x.lease_host || strcmp(x.lease_host, e->host) != 0 || x.lease_pid != e->pid) {
        dr_err_set(&err, DR_ECONFLICT, "lost the lease of %s to %s pid %lld", e->f.e.id,
                   x.lease_host ? x.lease_host : "nobody", (long long)x.lease_pid);
        store_exec_cleanup(&x);
        eng_fail_fatal(e, &err);
        return false;
    }
    store_exec_cleanup(&x);
    return true;
}

int eng_tx_begin(struct eng *e)
{
    struct dr_err err;

    if (e->fatal)
        return -1;
    if (store_begin(e->st, &err) < 0) {
        eng_fail_fatal(e, &err);
        return -1;
    }
    /* fencing: a process that lost its lease (stopped, then continued) writes nothing */
    if (!eng_lease_held(e)) {
        store_rollback(e->st, NULL);
        return -1;
    }
    return 0;
}

void eng_tx_commit(struct eng *e)
{
    struct dr_err err;
    if (e->fatal) {
        store_rollback(e->st, &err);
        return;
    }
    if (store_commit(e->st, &err) < 0)
        eng_fail_fatal(e, &err);
    else
        eng_notify(e);
}

#define PUT(call)                                                                                  \
    do {                                                                                           \
        struct dr_err err_;                                                                        \
        if (!e->fatal && (call) < 0)                                                               \
            eng_fail_fatal(e, &err_);                                                              \
    } while (0)

void eng_put_server(struct eng *e, size_t i)
{
    PUT(store_exec_server_put(e->st, e->f.e.id, &e->f.servers[i], &err_));
}

void eng_put_batch(struct eng *e, size_t i)
{
    PUT(store_exec_batch_put(e->st, e->f.e.id, &e->f.batches[i], &err_));
}

void eng_put_wave(struct eng *e, size_t i)
{
    PUT(store_exec_wave_put(e->st, e->f.e.id, &e->f.waves[i], &err_));
}

void eng_put_exec(struct eng *e)
{
    PUT(store_exec_update(e->st, &e->f.e, &err_));
}

void eng_event(struct eng *e, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    PUT(store_exec_event(e->st, e->f.e.id, time_now_ms(), line, &err_));
    log_write(LOG_DEBUG, "%s: %s", e->f.e.id, line);
    if (e->o.on_event)
        e->o.on_event(e->o.ud, line);
}

void eng_notify(struct eng *e)
{
    if (e->o.on_change)
        e->o.on_change(e->o.ud, &e->f);
}

void eng_set_server_state(struct eng *e, size_t i, const char *state, const char *error)
{
    struct store_exec_server *sv = &e->f.servers[i];
    eng_set_str(&sv->state, state);
    if (error)
        eng_set_str(&sv->error, error);
    eng_put_server(e, i);
}

struct eng_call *eng_call_new(struct eng *e, int kind, size_t idx)
{
    struct eng_call *cc = calloc(1, sizeof(*cc));
    if (cc) {
        cc->e = e;
        cc->kind = kind;
        cc->idx = idx;
        e->inflight++;
    }
    return cc;
}

bool eng_call_done(struct eng_call *cc)
{
    cc->e->inflight--;
    return cc->e->stopping;
}

ssize_t eng_server_index(struct eng *e, const char *acct, const char *region, const char *sid)
{
    char key[256];
    json_t *v;

    snprintf(key, sizeof(key), "%s/%s/%s", acct, region, sid);
    v = json_object_get(e->index, key);
    return v ? (ssize_t)json_integer_value(v) : -1;
}

/* ---- lease ---- */

static bool pid_dead(int64_t pid)
{
    return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

bool engine_lease_live(const struct store_exec *x, int64_t now)
{
    char host[256];

    if (x->lease_expires_at <= now)
        return false;
    if (gethostname(host, sizeof(host)) == 0 && x->lease_host && strcmp(x->lease_host, host) == 0 &&
        pid_dead(x->lease_pid))
        return false;
    return true;
}

static int lease_take(struct eng *e, struct dr_err *err)
{
    struct store_exec *x = &e->f.e;
    int64_t now = time_now_ms();
    bool mine = x->lease_host && strcmp(x->lease_host, e->host) == 0 && x->lease_pid == e->pid;
    int rc;

    if (!mine && engine_lease_live(x, now))
        return dr_err_set(err, DR_ECONFLICT,
                          "execution %s is driven by %s pid %lld (lease until %lld ms from now); "
                          "it can be taken over when that lease expires",
                          x->id, x->lease_host ? x->lease_host : "?", (long long)x->lease_pid,
                          (long long)(x->lease_expires_at - now));
    rc = store_exec_lease_cas(e->st, x->id, x->lease_host, x->lease_pid, x->lease_expires_at,
                              e->host, e->pid, now + e->o.lease_ttl_ms, err);
    if (rc < 0)
        return rc;
    if (!mine && x->lease_expires_at > 0 && x->lease_pid)
        eng_event(e, "took over from %s pid %lld", x->lease_host ? x->lease_host : "?",
                  (long long)x->lease_pid);
    eng_set_str(&x->lease_host, e->host);
    x->lease_pid = e->pid;
    x->lease_expires_at = now + e->o.lease_ttl_ms;
    return 0;
}

static void lease_renew(struct eng *e)
{
    struct store_exec *x = &e->f.e;
    struct dr_err err;
    int64_t exp = e->now + e->o.lease_ttl_ms;

    if (x->lease_expires_at - e->now > e->o.lease_ttl_ms * 2 / 3)
        return;
    if (store_exec_lease_cas(e->st, x->id, e->host, e->pid, x->lease_expires_at, e->host, e->pid,
                             exp, &err) < 0) {
        eng_fail_fatal(e, &err);
        return;
    }
    x->lease_expires_at = exp;
}

static void lease_release(struct eng *e)
{
    struct store_exec *x = &e->f.e;
    struct dr_err err;
    if (store_exec_lease_cas(e->st, x->id, e->host, e->pid, x->lease_expires_at, NULL, 0, 0,
                             &err) == 0)
        x->lease_expires_at = 0;
}

/* ---- control ---- */

static void control(struct eng *e)
{
    struct store_exec x;
    struct dr_err err;
    bool waiting = false;

    if (e->now < e->next_control_at)
        return;
    e->next_control_at = e->now + CONTROL_EVERY_MS;
    if (store_exec_get(e->st, e->f.e.id, false, &x, &err) < 0) {
        eng_fail_fatal(e, &err);
        return;
    }
    if (x.lease_host && (strcmp(x.lease_host, e->host) != 0 || x.lease_pid != e->pid)) {
        dr_err_set(&err, DR_ECONFLICT, "lost the lease to %s pid %lld", x.lease_host,
                   (long long)x.lease_pid);
        eng_fail_fatal(e, &err);
    }
    if ((x.request == NULL) != (e->f.e.request == NULL) ||
        (x.request && strcmp(x.request, e->f.e.request) != 0)) {
        eng_set_str(&e->f.e.request, x.request);
        eng_event(e, "operator request: %s", x.request ? x.request : "resume");
    }
    store_exec_cleanup(&x);
    for (size_t i = 0; i < e->f.nwaves; i++)
        if (strcmp(e->f.waves[i].state, "WAITING") == 0 && !e->f.waves[i].approved)
            waiting = true;
    if (waiting) {
        struct store_exec_full g;
        if (store_exec_get_full(e->st, e->f.e.id, &g, &err) < 0) {
            eng_fail_fatal(e, &err);
            return;
        }
        for (size_t i = 0; i < e->f.nwaves && i < g.nwaves; i++)
            if (g.waves[i].approved && !e->f.waves[i].approved) {
                e->f.waves[i].approved = true;
                eng_event(e, "wave %s approved", e->f.waves[i].name);
            }
        store_exec_full_cleanup(&g);
    }
}

static bool req(const struct eng *e, const char *r)
{
    return e->f.e.request && strcmp(e->f.e.request, r) == 0;
}

/* ---- waves ---- */

static const struct cred_role *role_for(void *ud, const char *account_id)
{
    struct eng *e = ud;
    for (size_t i = 0; i < e->nars; i++)
        if (strcmp(e->ars[i].account_id, account_id) == 0 && e->ars[i].has_role)
            return &e->ars[i].role;
    return NULL;
}

static void wave_end(struct eng *e, size_t w, const char *state, const char *error)
{
    struct store_exec_wave *wv = &e->f.waves[w];
    if (eng_tx_begin(e) < 0)
        return;
    eng_set_str(&wv->state, state);
    if (error)
        eng_set_str(&wv->error, error);
    wv->ended_at = e->now;
    eng_put_wave(e, w);
    /* servers that never got to run are cancelled with the wave's reason */
    for (size_t i = 0; i < e->f.nservers; i++) {
        struct store_exec_server *sv = &e->f.servers[i];
        if (sv->wave_idx == (int)w && strcmp(sv->state, "PENDING") == 0)
            eng_set_server_state(e, i, "CANCELLED", error ? error : "not started");
    }
    eng_event(e, "wave %s %s%s%s", wv->name, state, error ? ": " : "", error ? error : "");
    eng_tx_commit(e);
    eng_crash_point(e, "wave-ended");
}

static json_t *wave_instances(struct eng *e, size_t w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->f.nservers; i++) {
        const struct store_exec_server *sv = &e->f.servers[i];
        if (sv->wave_idx != (int)w || strcmp(sv->state, "LAUNCHED") != 0)
            continue;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "account_id", sv->account_id, "region",
                         sv->region, "source_server_id", sv->source_server_id,
                         "recovery_instance_id", sv->recovery_instance_id, "ec2_instance_id",
                         sv->ec2_instance_id ? sv->ec2_instance_id : sv->recovery_instance_id));
    }
    return a;
}

/* Runs the wave's actions of one list; true when all are done (ok), sets *failed. */
static bool run_actions(struct eng *e, size_t w, const char *list, char *failed, size_t flen)
{
    struct eng_wave *ew = &e->waves[w];
    const json_t *acts = json_object_get(ew->spec, list);
    struct dr_err err;

    while (ew->action_idx < json_array_size(acts)) {
        const json_t *a = json_array_get(acts, ew->action_idx);
        int st;
        if (!ew->act) {
            struct action_ctx ctx = {.client = e->c,
                                     .execution_id = e->f.e.id,
                                     .plan = e->f.e.plan_name,
                                     .kind = e->f.e.kind,
                                     .wave = e->f.waves[w].name,
                                     .role_for = role_for,
                                     .role_ud = e};
            json_decref(ew->act_instances);
            ew->act_instances = wave_instances(e, w);
            ctx.instances = ew->act_instances;
            if (action_start(a, &ctx, e->now, &ew->act, &err) < 0) {
                snprintf(failed, flen, "%s[%zu] (%s): %s", list, ew->action_idx,
                         json_str_borrow(a, "type"), err.msg);
                return false;
            }
            eng_event(e, "wave %s: %s[%zu] %s started", e->f.waves[w].name, list, ew->action_idx,
                      json_str_borrow(a, "type"));
        }
        st = action_poll(ew->act, e->now, &err);
        if (st == ACTION_RUNNING)
            return false;
        action_free(ew->act);
        ew->act = NULL;
        if (st == ACTION_FAILED) {
            snprintf(failed, flen, "%s[%zu] (%s): %s", list, ew->action_idx,
                     json_str_borrow(a, "type"), err.msg);
            return false;
        }
        eng_event(e, "wave %s: %s[%zu] %s ok", e->f.waves[w].name, list, ew->action_idx,
                  json_str_borrow(a, "type"));
        ew->action_idx++;
    }
    return true;
}

static void wave_start(struct eng *e, size_t w)
{
    struct store_exec_wave *wv = &e->f.waves[w];
    bool any_started = false;

    for (size_t i = 0; i < e->f.nservers; i++)
        if (e->f.servers[i].wave_idx == (int)w && strcmp(e->f.servers[i].state, "PENDING") != 0)
            any_started = true;
    if (eng_tx_begin(e) < 0)
        return;
    eng_set_str(&wv->state, "RUNNING");
    if (!wv->started_at)
        wv->started_at = e->now;
    eng_put_wave(e, w);
    eng_event(e, "wave %s started", wv->name);
    eng_tx_commit(e);
    /* after a take-over, pre-actions already ran once servers were started */
    e->waves[w].phase = any_started ? PH_LAUNCH : PH_PRE;
    e->waves[w].action_idx = 0;
}

static void wave_step(struct eng *e, size_t w)
{
    struct store_exec_wave *wv = &e->f.waves[w];
    struct eng_wave *ew = &e->waves[w];
    const json_t *deps = json_object_get(ew->spec, "dependsOn"), *d;
    char failed[DR_ERR_MSG_MAX + 128];
    size_t k;

    if (strcmp(wv->state, "PENDING") == 0 || strcmp(wv->state, "WAITING") == 0) {
        bool ready = true;
        json_array_foreach(deps, k, d)
        {
            const char *ds = e->f.waves[json_integer_value(d)].state;
            if (strcmp(ds, "FAILED") == 0 || strcmp(ds, "SKIPPED") == 0 ||
                strcmp(ds, "CANCELLED") == 0) {
                snprintf(failed, sizeof(failed), "skipped: wave %s ended %s",
                         e->f.waves[json_integer_value(d)].name, ds);
                wave_end(e, w, "SKIPPED", failed);
                return;
            }
            if (!(strcmp(ds, "COMPLETED") == 0 || strcmp(ds, "PARTIAL") == 0))
                ready = false;
        }
        if (req(e, "cancel")) {
            wave_end(e, w, "CANCELLED", "cancelled by the operator");
            return;
        }
        if (!ready || req(e, "pause"))
            return;
        if (json_bool_or(ew->spec, "pauseBefore", false) && !wv->approved) {
            if (strcmp(wv->state, "WAITING") != 0 && eng_tx_begin(e) == 0) {
                eng_set_str(&wv->state, "WAITING");
                eng_put_wave(e, w);
                eng_event(e, "wave %s waits for approval: drover exec resume %s", wv->name,
                          e->f.e.id);
                eng_tx_commit(e);
            }
            return;
        }
        wave_start(e, w);
        return;
    }
    if (strcmp(wv->state, "RUNNING") != 0)
        return;
    if (ew->phase == PH_IDLE)
        ew->phase = PH_LAUNCH; /* resumed: pre-actions ran before the crash */
    if (ew->phase == PH_PRE) {
        failed[0] = 0;
        if (!run_actions(e, w, "preActions", failed, sizeof(failed))) {
            if (failed[0])
                wave_end(e, w, "FAILED", failed);
            return;
        }
        ew->phase = PH_LAUNCH;
        ew->action_idx = 0;
    }
    if (ew->phase == PH_LAUNCH) {
        int64_t tmo = json_int_or(ew->spec, "timeoutSeconds", 7200) * 1000;
        size_t total = 0, failures = 0, done = 0, launched = 0;
        for (size_t i = 0; i < e->f.nservers; i++) {
            const struct store_exec_server *sv = &e->f.servers[i];
            if (sv->wave_idx != (int)w)
                continue;
            total++;
            if (eng_server_terminal(sv->state)) {
                done++;
                if (strcmp(sv->state, "FAILED") == 0)
                    failures++;
                else if (strcmp(sv->state, "CANCELLED") != 0)
                    launched++;
            }
        }
        if (done < total && e->now - wv->started_at > tmo) {
            char why[96];
            snprintf(why, sizeof(why), "wave timeout (%llds) passed before launch",
                     (long long)(tmo / 1000));
            if (eng_tx_begin(e) == 0) {
                for (size_t i = 0; i < e->f.nservers; i++)
                    if (e->f.servers[i].wave_idx == (int)w &&
                        !eng_server_terminal(e->f.servers[i].state))
                        eng_set_server_state(e, i, "FAILED", why);
                eng_tx_commit(e);
            }
            return;
        }
        if (done < total)
            return;
        /* and its jobs ended: dependents start after this wave's jobs are over */
        for (size_t b = 0; b < e->f.nbatches; b++)
            if (e->f.batches[b].wave_idx == (int)w &&
                (strcmp(e->f.batches[b].state, "STARTING") == 0 ||
                 strcmp(e->f.batches[b].state, "STARTED") == 0))
                return;
        if (req(e, "cancel") && launched < total - failures) {
            wave_end(e, w, "CANCELLED", "cancelled by the operator");
            return;
        }
        if ((int64_t)failures > json_int_or(ew->spec, "maxFailedServers", 0)) {
            snprintf(failed, sizeof(failed), "%zu of %zu servers failed (tolerance %lld)", failures,
                     total, (long long)json_int_or(ew->spec, "maxFailedServers", 0));
            wave_end(e, w, "FAILED", failed);
            return;
        }
        ew->phase = PH_POST;
        ew->action_idx = 0;
    }
    if (ew->phase == PH_POST) {
        size_t failures = 0;
        failed[0] = 0;
        if (!run_actions(e, w, "postActions", failed, sizeof(failed))) {
            if (failed[0])
                wave_end(e, w, "FAILED", failed);
            return;
        }
        for (size_t i = 0; i < e->f.nservers; i++)
            if (e->f.servers[i].wave_idx == (int)w && strcmp(e->f.servers[i].state, "FAILED") == 0)
                failures++;
        if (failures) {
            snprintf(failed, sizeof(failed), "%zu servers failed, within the tolerance", failures);
            wave_end(e, w, "PARTIAL", failed);
        } else {
            wave_end(e, w, "COMPLETED", NULL);
        }
    }
}

/* ---- the execution ---- */

static void finish(struct eng *e)
{
    bool failed = false, partial = false, cancelled = false;
    const char *state;

    for (size_t i = 0; i < e->f.nwaves; i++) {
        const char *s = e->f.waves[i].state;
        if (strcmp(s, "FAILED") == 0 || strcmp(s, "SKIPPED") == 0)
            failed = true;
        else if (strcmp(s, "PARTIAL") == 0)
            partial = true;
        else if (strcmp(s, "CANCELLED") == 0)
            cancelled = true;
    }
    state = cancelled ? "CANCELLED" : failed ? "FAILED" : partial ? "PARTIAL" : "COMPLETED";
    if (eng_tx_begin(e) < 0)
        return;
    eng_set_str(&e->f.e.state, state);
    e->f.e.ended_at = e->now;
    if (failed && !e->f.e.error)
        eng_set_str(&e->f.e.error, "one or more waves failed");
    eng_put_exec(e);
    eng_event(e, "execution %s", state);
    eng_tx_commit(e);
    if (req(e, "cancel") || req(e, "pause")) {
        struct dr_err err;
        store_exec_clear_request(e->st, e->f.e.id, e->f.e.request, &err);
    }
}

static void set_exec_state(struct eng *e, const char *state)
{
    if (strcmp(e->f.e.state, state) == 0 || eng_tx_begin(e) < 0)
        return;
    eng_set_str(&e->f.e.state, state);
    if (!e->f.e.started_at)
        e->f.e.started_at = e->now;
    eng_put_exec(e);
    eng_event(e, "execution %s", state);
    eng_tx_commit(e);
}

/* Accounts and regions of the servers, with each account's spoke role. */
static int build_ars(struct eng *e, struct dr_err *err)
{
    json_t *seen = json_object();
    int rc = 0;

    e->srv = calloc(e->f.nservers ? e->f.nservers : 1, sizeof(*e->srv));
    e->ars = calloc(e->f.nservers ? e->f.nservers : 1, sizeof(*e->ars));
    e->index = json_object();
    if (!e->srv || !e->ars || !seen || !e->index) {
        json_decref(seen);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < e->f.nservers && rc == 0; i++) {
        const struct store_exec_server *sv = &e->f.servers[i];
        char key[256];
        json_t *v;

        snprintf(key, sizeof(key), "%s/%s/%s", sv->account_id, sv->region, sv->source_server_id);
        json_object_set_new(e->index, key, json_integer((json_int_t)i));
        snprintf(key, sizeof(key), "%s/%s", sv->account_id, sv->region);
        if (!(v = json_object_get(seen, key))) {
            struct eng_ar *a = &e->ars[e->nars];
            struct store_account acct;
            a->account_id = strdup(sv->account_id);
            a->region = strdup(sv->region);
            a->poll_ms = e->o.poll_min_ms;
            a->max_per_job = e->o.max_servers_per_job;
            a->max_jobs = e->o.max_concurrent_jobs;
            a->max_active = e->o.max_servers_in_jobs;
            memset(&acct, 0, sizeof(acct));
            if (store_account_get(e->st, sv->account_id, &acct, err) == 0) {
                a->role.role_arn = strdup(acct.role_arn);
                a->role.external_id = acct.external_id ? strdup(acct.external_id) : NULL;
                a->role.session_name = strdup("drover-engine");
                a->has_role = true;
                store_account_cleanup(&acct);
            } else {
                dr_err_prefix(err, "server %s: ", key);
                rc = -DR_ENOTFOUND;
            }
            v = json_integer((json_int_t)e->nars++);
            json_object_set_new(seen, key, v);
        }
        e->srv[i].ar = (int)json_integer_value(v);
    }
    /* launch overrides still to apply: servers not yet started */
    for (size_t i = 0; i < e->f.nservers && !e->cleanup; i++) {
        const struct store_exec_server *sv = &e->f.servers[i];
        char key[256];
        snprintf(key, sizeof(key), "%s/%s/%s", sv->account_id, sv->region, sv->source_server_id);
        if (json_object_get(json_object_get(e->spec, "launch"), key) &&
            strcmp(sv->state, "PENDING") == 0)
            e->srv[i].cfg = 1;
    }
    json_decref(seen);
    return rc;
}

static void eng_free(struct eng *e)
{
    /* let callbacks of calls still in flight run and free their contexts */
    e->stopping = true;
    for (size_t w = 0; w < e->f.nwaves && e->waves; w++) {
        if (e->waves[w].act)
            action_free(e->waves[w].act);
        json_decref(e->waves[w].act_instances);
    }
    while (e->inflight > 0) {
        struct dr_err err;
        if (aws_client_run_once(e->c, 200, &err) < 0)
            break;
    }
    for (size_t i = 0; i < e->nars; i++) {
        free(e->ars[i].account_id);
        free(e->ars[i].region);
        cred_role_cleanup(&e->ars[i].role);
    }
    free(e->ars);
    free(e->srv);
    free(e->bx);
    free(e->waves);
    json_decref(e->index);
    store_exec_full_cleanup(&e->f);
}

int engine_run(struct store *st, struct aws_client *c, const char *id, const struct engine_opts *o,
               bool stop_when_paused, struct dr_err *err)
{
    struct eng *e = calloc(1, sizeof(*e));
    int rc = 0;

    if (!e)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    e->st = st;
    e->c = c;
    e->o = *o;
    if (!e->o.lease_ttl_ms)
        e->o.lease_ttl_ms = 30000;
    if (!e->o.poll_min_ms)
        e->o.poll_min_ms = 5000;
    if (!e->o.poll_max_ms)
        e->o.poll_max_ms = 30000;
    if (e->o.poll_max_ms < e->o.poll_min_ms)
        e->o.poll_max_ms = e->o.poll_min_ms;
    if (!e->o.unreachable_ms)
        e->o.unreachable_ms = 300000;
    if (!e->o.max_servers_per_job)
        e->o.max_servers_per_job = 100;
    if (e->o.max_servers_per_job > 200) /* the API's limit per StartRecovery call */
        e->o.max_servers_per_job = 200;
    if (!e->o.max_concurrent_jobs)
        e->o.max_concurrent_jobs = 20;
    if (!e->o.max_servers_in_jobs)
        e->o.max_servers_in_jobs = 500;
    if (o->host)
        snprintf(e->host, sizeof(e->host), "%s", o->host);
    else if (gethostname(e->host, sizeof(e->host)) < 0)
        snprintf(e->host, sizeof(e->host), "localhost");
    e->pid = o->pid ? o->pid : (int64_t)getpid();

    if ((rc = store_exec_get_full(st, id, &e->f, err)) < 0)
        goto out;
    e->spec = e->f.e.spec;
    e->cleanup = strcmp(e->f.e.kind, "CLEANUP") == 0;
    if (engine_state_terminal(e->f.e.state)) {
        rc = 0;
        goto out;
    }
    if ((rc = lease_take(e, err)) < 0)
        goto out;
    e->waves = calloc(e->f.nwaves ? e->f.nwaves : 1, sizeof(*e->waves));
    e->bcap = e->f.nbatches + 16;
    e->bx = calloc(e->bcap, sizeof(*e->bx));
    {
        struct store_exec_batch *nb = realloc(e->f.batches, e->bcap * sizeof(*nb));
        if (nb)
            e->f.batches = nb;
        else
            e->bcap = 0;
    }
    if (!e->waves || !e->bx || !e->bcap) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t w = 0; w < e->f.nwaves; w++)
        e->waves[w].spec = json_array_get(json_object_get(e->spec, "waves"), w);
    if ((rc = build_ars(e, err)) < 0)
        goto out;
    e->now = time_now_ms();
    jobs_resume(e);
    set_exec_state(e, "RUNNING");

    while (!e->fatal) {
        bool all_done = true, running = false;
        if (e->o.stop && *e->o.stop) {
            eng_event(e, "interrupted: the process stops; its DRS jobs go on and are found "
                         "again on resume");
            rc = 2;
            break;
        }
        e->now = time_now_ms();
        if (e->now - e->last_notify >= 1000) { /* live progress shows elapsed time */
            e->last_notify = e->now;
            eng_notify(e);
        }
        lease_renew(e);
        control(e);
        for (size_t w = 0; w < e->f.nwaves && !e->fatal; w++)
            wave_step(e, w);
        jobs_step(e);
        for (size_t w = 0; w < e->f.nwaves; w++) {
            if (!wave_terminal(e->f.waves[w].state))
                all_done = false;
            if (strcmp(e->f.waves[w].state, "RUNNING") == 0)
                running = true;
        }
        if (all_done && !jobs_active(e) && e->inflight == 0) {
            finish(e);
            break;
        }
        if (!running && !jobs_active(e) && e->inflight == 0) {
            bool waiting = req(e, "pause");
            for (size_t w = 0; w < e->f.nwaves; w++)
                if (strcmp(e->f.waves[w].state, "WAITING") == 0 && !e->f.waves[w].approved)
                    waiting = true;
            if (waiting) {
                set_exec_state(e, "PAUSED");
                if (stop_when_paused) {
                    rc = 1;
                    break;
                }
            } else {
                set_exec_state(e, "RUNNING");
            }
        } else if (strcmp(e->f.e.state, "PAUSED") == 0) {
            set_exec_state(e, "RUNNING");
        }
        {
            struct dr_err lerr;
            if (aws_client_run_once(c, 100, &lerr) < 0) {
                eng_fail_fatal(e, &lerr);
            }
        }
    }
    if (e->fatal) {
        *err = e->fatal_err;
        rc = -(int)(e->fatal_err.status ? e->fatal_err.status : DR_EINTERNAL);
    } else {
        lease_release(e);
    }
out:
    eng_free(e);
    free(e);
    return rc;
}
