/*
 * sqlite_exec.c - the SQLite backend's execution records (store/exec.h):
 * executions with their lease (compare-and-set on the row), waves,
 * servers, batches and the event log. Must not depend on anything above
 * the store.
 */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "store/exec_impl.h"
#include "store/sqlite_int.h"

#define EXEC_COLS                                                                                  \
    "id, plan_name, plan_version, kind, state, source_execution_id, created_at, updated_at,"       \
    " started_at, ended_at, request, error, lease_host, lease_pid, lease_expires_at"

static const char SQL_EXEC_INSERT[] = "INSERT INTO executions (" EXEC_COLS ", spec)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EXEC_GET[] = "SELECT " EXEC_COLS ", spec FROM executions WHERE id = ?";
static const char SQL_EXEC_GET_NOSPEC[] = "SELECT " EXEC_COLS ", NULL FROM executions WHERE id = ?";
static const char SQL_EXEC_LIST[] =
    "SELECT " EXEC_COLS ", NULL FROM executions ORDER BY created_at DESC, id DESC";
static const char SQL_EXEC_UPDATE[] =
    "UPDATE executions SET state = ?2, started_at = ?3, ended_at = ?4, error = ?5,"
    " updated_at = ?6 WHERE id = ?1";
static const char SQL_EXEC_REQUEST[] =
    "UPDATE executions SET request = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EXEC_REQUEST_IF[] =
    "UPDATE executions SET request = NULL, updated_at = ?3 WHERE id = ?1 AND request = ?2";
static const char SQL_EXEC_APPROVE[] =
    "UPDATE execution_waves SET approved = 1 WHERE execution_id = ? AND state = 'WAITING'"
    " AND approved = 0";
static const char SQL_EXEC_EXISTS[] = "SELECT 1 FROM executions WHERE id = ?";
static const char SQL_EXEC_LEASE[] =
    "UPDATE executions SET lease_host = ?5, lease_pid = ?6, lease_expires_at = ?7"
    " WHERE id = ?1 AND coalesce(lease_host, '') = coalesce(?2, '') AND lease_pid = ?3"
    " AND lease_expires_at = ?4";
static const char SQL_WAVE_PUT[] =
    "INSERT INTO execution_waves (execution_id, idx, name, state, started_at, ended_at,"
    " approved, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (execution_id, idx) DO UPDATE SET name = ?3, state = ?4, started_at = ?5,"
    " ended_at = ?6, error = ?8";
static const char SQL_WAVES[] =
    "SELECT idx, name, state, started_at, ended_at, approved, error FROM execution_waves"
    " WHERE execution_id = ? ORDER BY idx";
static const char SQL_SERVER_PUT[] =
    "INSERT INTO execution_servers (execution_id, account_id, region, source_server_id,"
    " wave_idx, state, attempts, batch_no, job_id, recovery_instance_id, ec2_instance_id, error,"
    " job_started_at, launched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13, ?14) ON CONFLICT (execution_id, account_id, region, source_server_id) DO UPDATE SET"
    " wave_idx = ?5, state = ?6, attempts = ?7, batch_no = ?8, job_id = ?9,"
    " recovery_instance_id = ?10, ec2_instance_id = ?11, error = ?12, job_started_at = ?13,"
    " launched_at = ?14";
static const char SQL_SERVERS[] =
    "SELECT account_id, region, source_server_id, wave_idx, state, attempts, batch_no, job_id,"
    " recovery_instance_id, ec2_instance_id, error, job_started_at, launched_at"
    " FROM execution_servers WHERE execution_id = ?"
    " ORDER BY wave_idx, account_id, region, source_server_id";
static const char SQL_BATCH_PUT[] =
    "INSERT INTO execution_batches (execution_id, batch_no, wave_idx, account_id, region, state,"
    " job_id, created_at, started_at, ended_at, servers, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
    " ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (execution_id, batch_no) DO UPDATE SET"
    " wave_idx = ?3, account_id = ?4, region = ?5, state = ?6, job_id = ?7, created_at = ?8,"
    " started_at = ?9, ended_at = ?10, servers = ?11, error = ?12";
static const char SQL_BATCHES[] =
    "SELECT batch_no, wave_idx, account_id, region, state, job_id, created_at, started_at,"
    " ended_at, servers, error FROM execution_batches WHERE execution_id = ? ORDER BY batch_no";
static const char SQL_EVENT[] =
    "INSERT INTO execution_events (execution_id, at, text) VALUES (?, ?, ?)";
static const char SQL_EVENTS[] =
    "SELECT seq, at, text FROM execution_events WHERE execution_id = ? AND seq > ?"
    " ORDER BY seq";

static int oom(struct dr_err *err)
{
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

static int read_exec(sqlite3_stmt *st, struct store_exec *e)
{
    e->id = store_sq_col_dup_nn(st, 0);
    e->plan_name = store_sq_col_dup_nn(st, 1);
    e->plan_version = sqlite3_column_int64(st, 2);
    e->kind = store_sq_col_dup_nn(st, 3);
    e->state = store_sq_col_dup_nn(st, 4);
    e->source_execution_id = store_sq_col_dup(st, 5);
    e->created_at = sqlite3_column_int64(st, 6);
    e->updated_at = sqlite3_column_int64(st, 7);
    e->started_at = sqlite3_column_int64(st, 8);
    e->ended_at = sqlite3_column_int64(st, 9);
    e->request = store_sq_col_dup(st, 10);
    e->error = store_sq_col_dup(st, 11);
    e->lease_host = store_sq_col_dup(st, 12);
    e->lease_pid = sqlite3_column_int64(st, 13);
    e->lease_expires_at = sqlite3_column_int64(st, 14);
    e->spec = store_sq_load_col(st, 15);
    if (!e->id || !e->plan_name || !e->kind || !e->state) {
        store_exec_cleanup(e);
        return -DR_ENOMEM;
    }
    return 0;
}

static int exists(struct sqlite_store *ss, const char *id, struct dr_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_EXEC_EXISTS, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return dr_err_set(err, DR_ENOTFOUND, "execution %s does not exist", id);
    return store_sq_dberr(ss, err, "reading execution");
}

static int sq_wave_put(struct store *s, const char *id, const struct store_exec_wave *w,
                       struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;

    if (store_sq_prep(ss, SQL_WAVE_PUT, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, w->idx);
    store_sq_bind_text(st, 3, w->name);
    store_sq_bind_text(st, 4, w->state);
    sqlite3_bind_int64(st, 5, w->started_at);
    sqlite3_bind_int64(st, 6, w->ended_at);
    sqlite3_bind_int(st, 7, w->approved);
    store_sq_bind_text(st, 8, w->error);
    return store_sq_step_done(ss, st, "writing execution wave", err);
}

static int sq_server_put(struct store *s, const char *id, const struct store_exec_server *sv,
                         struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;

    if (store_sq_prep(ss, SQL_SERVER_PUT, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    store_sq_bind_text(st, 2, sv->account_id);
    store_sq_bind_text(st, 3, sv->region);
    store_sq_bind_text(st, 4, sv->source_server_id);
    sqlite3_bind_int(st, 5, sv->wave_idx);
    store_sq_bind_text(st, 6, sv->state);
    sqlite3_bind_int(st, 7, sv->attempts);
    sqlite3_bind_int64(st, 8, sv->batch_no);
    store_sq_bind_text(st, 9, sv->job_id);
    store_sq_bind_text(st, 10, sv->recovery_instance_id);
    store_sq_bind_text(st, 11, sv->ec2_instance_id);
    store_sq_bind_text(st, 12, sv->error);
    sqlite3_bind_int64(st, 13, sv->job_started_at);
    sqlite3_bind_int64(st, 14, sv->launched_at);
    return store_sq_step_done(ss, st, "writing execution server", err);
}

static int sq_batch_put(struct store *s, const char *id, const struct store_exec_batch *b,
                        struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    char *servers;
    int rc;

    servers = store_sq_dump_fast(b->servers);
    if (!servers)
        return oom(err);
    if (store_sq_prep(ss, SQL_BATCH_PUT, &st, err) < 0) {
        free(servers);
        return -DR_ESTORE;
    }
    store_sq_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, b->batch_no);
    sqlite3_bind_int(st, 3, b->wave_idx);
    store_sq_bind_text(st, 4, b->account_id);
    store_sq_bind_text(st, 5, b->region);
    store_sq_bind_text(st, 6, b->state);
    store_sq_bind_text(st, 7, b->job_id);
    sqlite3_bind_int64(st, 8, b->created_at);
    sqlite3_bind_int64(st, 9, b->started_at);
    sqlite3_bind_int64(st, 10, b->ended_at);
    store_sq_bind_text(st, 11, servers);
    store_sq_bind_text(st, 12, b->error);
    rc = store_sq_step_done(ss, st, "writing execution batch", err);
    free(servers);
    return rc;
}

static int sq_create(struct store *s, const struct store_exec_full *f, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    const struct store_exec *e = &f->e;
    sqlite3_stmt *st;
    char *spec;
    int64_t now = time_now_ms();
    size_t i;
    int rc;

    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    spec = store_sq_dump_fast(e->spec);
    if (!spec) {
        rc = oom(err);
        goto out;
    }
    if ((rc = store_sq_prep(ss, SQL_EXEC_INSERT, &st, err)) < 0)
        goto out;
    store_sq_bind_text(st, 1, e->id);
    store_sq_bind_text(st, 2, e->plan_name);
    sqlite3_bind_int64(st, 3, e->plan_version);
    store_sq_bind_text(st, 4, e->kind);
    store_sq_bind_text(st, 5, e->state);
    store_sq_bind_text(st, 6, e->source_execution_id);
    sqlite3_bind_int64(st, 7, e->created_at ? e->created_at : now);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int64(st, 9, e->started_at);
    sqlite3_bind_int64(st, 10, e->ended_at);
    store_sq_bind_text(st, 11, e->request);
    store_sq_bind_text(st, 12, e->error);
    store_sq_bind_text(st, 13, e->lease_host);
    sqlite3_bind_int64(st, 14, e->lease_pid);
    sqlite3_bind_int64(st, 15, e->lease_expires_at);
    store_sq_bind_text(st, 16, spec);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (sqlite3_extended_errcode(ss->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = dr_err_set(err, DR_ECONFLICT, "execution %s already exists", e->id);
    else
        rc = store_sq_dberr(ss, err, "creating execution");
    sqlite3_reset(st);
    for (i = 0; rc == 0 && i < f->nwaves; i++)
        rc = sq_wave_put(s, e->id, &f->waves[i], err);
    for (i = 0; rc == 0 && i < f->nservers; i++)
        rc = sq_server_put(s, e->id, &f->servers[i], err);
    for (i = 0; rc == 0 && i < f->nbatches; i++)
        rc = sq_batch_put(s, e->id, &f->batches[i], err);
out:
    free(spec);
    return store_sq_tx_end(s, rc, err);
}

static int sq_get(struct store *s, const char *id, bool want_spec, struct store_exec *out,
                  struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, want_spec ? SQL_EXEC_GET : SQL_EXEC_GET_NOSPEC, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_exec(st, out) < 0 ? oom(err) : 0;
    else if (rc == SQLITE_DONE)
        rc = dr_err_set(err, DR_ENOTFOUND, "execution %s does not exist", id);
    else
        rc = store_sq_dberr(ss, err, "reading execution");
    sqlite3_reset(st);
    return rc;
}

static int read_waves(struct sqlite_store *ss, const char *id, struct store_exec_full *f,
                      struct dr_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_WAVES, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_exec_wave *nv = store_sq_grow(f->waves, f->nwaves, &cap, sizeof(*nv));
        struct store_exec_wave *w;
        if (!nv) {
            sqlite3_reset(st);
            return oom(err);
        }
        f->waves = nv;
        w = &f->waves[f->nwaves++];
        w->idx = sqlite3_column_int(st, 0);
        w->name = store_sq_col_dup_nn(st, 1);
        w->state = store_sq_col_dup_nn(st, 2);
        w->started_at = sqlite3_column_int64(st, 3);
        w->ended_at = sqlite3_column_int64(st, 4);
        w->approved = sqlite3_column_int(st, 5) != 0;
        w->error = store_sq_col_dup(st, 6);
        if (!w->name || !w->state) {
            sqlite3_reset(st);
            return oom(err);
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "reading execution waves");
}

static int read_servers(struct sqlite_store *ss, const char *id, struct store_exec_full *f,
                        struct dr_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_SERVERS, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_exec_server *nv = store_sq_grow(f->servers, f->nservers, &cap, sizeof(*nv));
        struct store_exec_server *sv;
        if (!nv) {
            sqlite3_reset(st);
            return oom(err);
        }
        f->servers = nv;
        sv = &f->servers[f->nservers++];
        sv->account_id = store_sq_col_dup_nn(st, 0);
        sv->region = store_sq_col_dup_nn(st, 1);
        sv->source_server_id = store_sq_col_dup_nn(st, 2);
        sv->wave_idx = sqlite3_column_int(st, 3);
        sv->state = store_sq_col_dup_nn(st, 4);
        sv->attempts = sqlite3_column_int(st, 5);
        sv->batch_no = sqlite3_column_int64(st, 6);
        sv->job_id = store_sq_col_dup(st, 7);
        sv->recovery_instance_id = store_sq_col_dup(st, 8);
        sv->ec2_instance_id = store_sq_col_dup(st, 9);
        sv->error = store_sq_col_dup(st, 10);
        sv->job_started_at = sqlite3_column_int64(st, 11);
        sv->launched_at = sqlite3_column_int64(st, 12);
        if (!sv->account_id || !sv->region || !sv->source_server_id || !sv->state) {
            sqlite3_reset(st);
            return oom(err);
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "reading execution servers");
}

static int read_batches(struct sqlite_store *ss, const char *id, struct store_exec_full *f,
                        struct dr_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_BATCHES, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_exec_batch *nv = store_sq_grow(f->batches, f->nbatches, &cap, sizeof(*nv));
        struct store_exec_batch *b;
        if (!nv) {
            sqlite3_reset(st);
            return oom(err);
        }
        f->batches = nv;
        b = &f->batches[f->nbatches++];
        b->batch_no = sqlite3_column_int64(st, 0);
        b->wave_idx = sqlite3_column_int(st, 1);
        b->account_id = store_sq_col_dup_nn(st, 2);
        b->region = store_sq_col_dup_nn(st, 3);
        b->state = store_sq_col_dup_nn(st, 4);
        b->job_id = store_sq_col_dup(st, 5);
        b->created_at = sqlite3_column_int64(st, 6);
        b->started_at = sqlite3_column_int64(st, 7);
        b->ended_at = sqlite3_column_int64(st, 8);
        b->servers = store_sq_load_col(st, 9);
        b->error = store_sq_col_dup(st, 10);
        if (!b->account_id || !b->region || !b->state) {
            sqlite3_reset(st);
            return oom(err);
        }
        if (!json_is_array(b->servers)) {
            json_decref(b->servers);
            b->servers = json_array();
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "reading execution batches");
}

static int sq_get_full(struct store *s, const char *id, struct store_exec_full *out,
                       struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    int rc;

    /* One read transaction: a consistent picture even while another process writes. */
    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    rc = sq_get(s, id, true, &out->e, err);
    if (rc == 0)
        rc = read_waves(ss, id, out, err);
    if (rc == 0)
        rc = read_servers(ss, id, out, err);
    if (rc == 0)
        rc = read_batches(ss, id, out, err);
    rc = store_sq_tx_end(s, rc, err);
    if (rc < 0)
        store_exec_full_cleanup(out);
    return rc;
}

static int sq_list(struct store *s, struct store_exec_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_EXEC_LIST, &st, err) < 0)
        return -DR_ESTORE;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_exec *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*nv));
        if (!nv || read_exec(st, &(out->v = nv)[out->n]) < 0) {
            sqlite3_reset(st);
            store_exec_list_cleanup(out);
            return oom(err);
        }
        out->n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_exec_list_cleanup(out);
        return store_sq_dberr(ss, err, "listing executions");
    }
    return 0;
}

static int sq_update(struct store *s, const struct store_exec *e, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_EXEC_UPDATE, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, e->id);
    store_sq_bind_text(st, 2, e->state);
    sqlite3_bind_int64(st, 3, e->started_at);
    sqlite3_bind_int64(st, 4, e->ended_at);
    store_sq_bind_text(st, 5, e->error);
    sqlite3_bind_int64(st, 6, time_now_ms());
    rc = store_sq_step_done(ss, st, "updating execution", err);
    if (rc == 0 && sqlite3_changes(ss->db) == 0)
        rc = dr_err_set(err, DR_ENOTFOUND, "execution %s does not exist", e->id);
    return rc;
}

static int sq_set_request(struct store *s, const char *id, const char *request, const char *seen,
                          bool conditional, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, conditional ? SQL_EXEC_REQUEST_IF : SQL_EXEC_REQUEST, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    store_sq_bind_text(st, 2, conditional ? seen : request);
    sqlite3_bind_int64(st, 3, time_now_ms());
    rc = store_sq_step_done(ss, st, "setting execution request", err);
    if (rc == 0 && !conditional && sqlite3_changes(ss->db) == 0)
        rc = dr_err_set(err, DR_ENOTFOUND, "execution %s does not exist", id);
    return rc;
}

static int sq_approve_waiting(struct store *s, const char *id, int *n, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if ((rc = exists(ss, id, err)) < 0)
        return rc;
    if (store_sq_prep(ss, SQL_EXEC_APPROVE, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    rc = store_sq_step_done(ss, st, "approving waves", err);
    if (rc == 0 && n)
        *n = sqlite3_changes(ss->db);
    return rc;
}

static int sq_lease_cas(struct store *s, const char *id, const char *seen_host, int64_t seen_pid,
                        int64_t seen_expires, const char *host, int64_t pid, int64_t expires_at,
                        struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_EXEC_LEASE, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    store_sq_bind_text(st, 2, seen_host);
    sqlite3_bind_int64(st, 3, seen_pid);
    sqlite3_bind_int64(st, 4, seen_expires);
    store_sq_bind_text(st, 5, host);
    sqlite3_bind_int64(st, 6, pid);
    sqlite3_bind_int64(st, 7, expires_at);
    rc = store_sq_step_done(ss, st, "taking execution lease", err);
    if (rc == 0 && sqlite3_changes(ss->db) == 0)
        rc = dr_err_set(err, DR_ECONFLICT,
                        "execution %s: its lease changed: another process holds it", id);
    return rc;
}

static int sq_event(struct store *s, const char *id, int64_t at, const char *text,
                    struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;

    if (store_sq_prep(ss, SQL_EVENT, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    store_sq_bind_text(st, 3, text);
    return store_sq_step_done(ss, st, "writing execution event", err);
}

static int sq_events(struct store *s, const char *id, int64_t after_seq,
                     struct store_exec_event_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_EVENTS, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, after_seq);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_exec_event_row *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*nv));
        if (!nv) {
            sqlite3_reset(st);
            store_exec_event_list_cleanup(out);
            return oom(err);
        }
        out->v = nv;
        nv[out->n].seq = sqlite3_column_int64(st, 0);
        nv[out->n].at = sqlite3_column_int64(st, 1);
        nv[out->n].text = store_sq_col_dup_nn(st, 2);
        out->n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_exec_event_list_cleanup(out);
        return store_sq_dberr(ss, err, "reading execution events");
    }
    return 0;
}

const struct store_exec_ops store_sq_exec_ops = {
    .create = sq_create,
    .get = sq_get,
    .get_full = sq_get_full,
    .list = sq_list,
    .update = sq_update,
    .set_request = sq_set_request,
    .approve_waiting = sq_approve_waiting,
    .lease_cas = sq_lease_cas,
    .wave_put = sq_wave_put,
    .server_put = sq_server_put,
    .batch_put = sq_batch_put,
    .event = sq_event,
    .events = sq_events,
};
