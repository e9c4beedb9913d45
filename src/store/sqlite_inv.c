/*
 * sqlite_inv.c - the SQLite backend's inventory: atomic replacement of an
 * account-region snapshot (servers, their tags, recovery instances, jobs),
 * stale marking on failed refreshes, snapshot listing and server queries.
 * Values are always bound; the query builder only joins fixed fragments.
 * Must not depend on anything above the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "store/sqlite_int.h"

static const char SQL_SNAPSHOT_FRESH[] =
    "INSERT INTO snapshots (account_id, region, fetched_at, attempted_at, stale, last_error)"
    " VALUES (?1, ?2, ?3, ?3, 0, NULL)"
    " ON CONFLICT (account_id, region) DO UPDATE SET fetched_at = excluded.fetched_at,"
    " attempted_at = excluded.attempted_at, stale = 0, last_error = NULL";
static const char SQL_SNAPSHOT_FAILED[] =
    "INSERT INTO snapshots (account_id, region, fetched_at, attempted_at, stale, last_error)"
    " VALUES (?1, ?2, 0, ?3, 1, ?4)"
    " ON CONFLICT (account_id, region) DO UPDATE SET attempted_at = excluded.attempted_at,"
    " stale = 1, last_error = excluded.last_error";
static const char SQL_SERVER_INSERT[] =
    "INSERT INTO servers (account_id, region, source_server_id, arn, hostname,"
    " replication_state, lag_seconds, last_launch_result, last_launch_job_id, last_launch_type,"
    " last_launch_at, recovery_instance_id, origin_account_id, origin_region, ec2_instance_id,"
    " tags, body, instance_type, subnet_id, private_ip, ec2_body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_RI_INSERT[] =
    "INSERT INTO recovery_instances (account_id, region, recovery_instance_id,"
    " source_server_id, ec2_instance_id, ec2_instance_state, job_id, is_drill, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_JOB_INSERT[] =
    "INSERT INTO jobs (account_id, region, job_id, type, status, initiated_by, created_at,"
    " ended_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Steps an insert; a primary-key clash is reported as a duplicate of `what` `id`. */
static int insert_row(struct sqlite_store *ss, sqlite3_stmt *st, const char *what, size_t idx,
                      const char *id, struct dr_err *err)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (sqlite3_extended_errcode(ss->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return dr_err_set(err, DR_EPARSE, "%s[%zu]: duplicate ID '%.64s' in one snapshot", what,
                          idx, id);
    return store_sq_dberr(ss, err, what);
}

static int insert_server(struct sqlite_store *ss, const struct store_snapshot_rows *rows,
                         size_t idx, struct dr_err *err)
{
    const struct store_snapshot_in *in = rows->in;
    const struct store_drs_server *sv = &rows->servers[idx];
    const struct store_ec2_instance *ec2 = rows->server_ec2[idx];
    const json_t *merged = rows->server_tags[idx];
    sqlite3_stmt *st;
    char *tags = NULL, *body = NULL, *ec2_body = NULL;
    int rc;

    if (store_sq_prep(ss, SQL_SERVER_INSERT, &st, err) < 0)
        return -DR_ESTORE;
    tags = merged ? store_sq_dump_compact(merged) : strdup("{}");
    body = store_sq_dump_fast(rows->server_items[idx]);
    if (ec2)
        ec2_body = store_sq_dump_fast(rows->server_ec2_items[idx]);
    if (!tags || !body || (ec2 && !ec2_body)) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    store_sq_bind_text(st, 1, in->account_id);
    store_sq_bind_text(st, 2, in->region);
    store_sq_bind_text(st, 3, sv->source_server_id);
    store_sq_bind_text(st, 4, sv->arn);
    store_sq_bind_text(st, 5, sv->hostname);
    store_sq_bind_text(st, 6, sv->replication_state);
    if (sv->lag_seconds >= 0)
        sqlite3_bind_int64(st, 7, sv->lag_seconds);
    else
        sqlite3_bind_null(st, 7);
    store_sq_bind_text(st, 8, sv->last_launch_result);
    store_sq_bind_text(st, 9, sv->last_launch_job_id);
    store_sq_bind_text(st, 10, sv->last_launch_type);
    store_sq_bind_text(st, 11, sv->last_launch_at);
    store_sq_bind_text(st, 12, sv->recovery_instance_id);
    store_sq_bind_text(st, 13, sv->origin_account_id);
    store_sq_bind_text(st, 14, sv->origin_region);
    store_sq_bind_text(st, 15, sv->ec2_instance_id);
    store_sq_bind_text(st, 16, tags);
    store_sq_bind_text(st, 17, body);
    store_sq_bind_text(st, 18, ec2 ? ec2->instance_type : NULL);
    store_sq_bind_text(st, 19, ec2 ? ec2->subnet_id : NULL);
    store_sq_bind_text(st, 20, ec2 ? ec2->private_ip : NULL);
    store_sq_bind_text(st, 21, ec2_body);
    rc = insert_row(ss, st, "servers", idx, sv->source_server_id, err);
out:
    free(tags);
    free(body);
    free(ec2_body);
    return rc;
}

static int insert_ri(struct sqlite_store *ss, const struct store_snapshot_in *in,
                     const struct store_drs_recovery_instance *ri, const json_t *item, size_t idx,
                     struct dr_err *err)
{
    sqlite3_stmt *st;
    char *body;
    int rc;

    if (store_sq_prep(ss, SQL_RI_INSERT, &st, err) < 0)
        return -DR_ESTORE;
    body = store_sq_dump_fast(item);
    if (!body)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    store_sq_bind_text(st, 1, in->account_id);
    store_sq_bind_text(st, 2, in->region);
    store_sq_bind_text(st, 3, ri->recovery_instance_id);
    store_sq_bind_text(st, 4, ri->source_server_id);
    store_sq_bind_text(st, 5, ri->ec2_instance_id);
    store_sq_bind_text(st, 6, ri->ec2_instance_state);
    store_sq_bind_text(st, 7, ri->job_id);
    if (ri->is_drill >= 0)
        sqlite3_bind_int(st, 8, ri->is_drill);
    else
        sqlite3_bind_null(st, 8);
    store_sq_bind_text(st, 9, body);
    rc = insert_row(ss, st, "recoveryInstances", idx, ri->recovery_instance_id, err);
    free(body);
    return rc;
}

static int insert_job(struct sqlite_store *ss, const struct store_snapshot_in *in,
                      const struct store_drs_job *j, const json_t *item, size_t idx,
                      struct dr_err *err)
{
    sqlite3_stmt *st;
    char *body;
    int rc;

    if (store_sq_prep(ss, SQL_JOB_INSERT, &st, err) < 0)
        return -DR_ESTORE;
    body = store_sq_dump_fast(item);
    if (!body)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    store_sq_bind_text(st, 1, in->account_id);
    store_sq_bind_text(st, 2, in->region);
    store_sq_bind_text(st, 3, j->job_id);
    store_sq_bind_text(st, 4, j->type);
    store_sq_bind_text(st, 5, j->status);
    store_sq_bind_text(st, 6, j->initiated_by);
    store_sq_bind_text(st, 7, j->created_at);
    store_sq_bind_text(st, 8, j->ended_at);
    store_sq_bind_text(st, 9, body);
    rc = insert_row(ss, st, "jobs", idx, j->job_id, err);
    free(body);
    return rc;
}

int store_sq_snapshot_replace(struct store *s, const struct store_snapshot_rows *rows,
                              struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    const struct store_snapshot_in *in = rows->in;
    sqlite3_stmt *st;
    size_t i;
    int rc;

    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    rc = store_sq_account_exists(ss, in->account_id, err);
    if (rc == 0)
        rc = store_sq_delete_inventory(ss, in->account_id, in->region, err);
    if (rc == 0 && (rc = store_sq_prep(ss, SQL_SNAPSHOT_FRESH, &st, err)) == 0) {
        store_sq_bind_text(st, 1, in->account_id);
        store_sq_bind_text(st, 2, in->region);
        sqlite3_bind_int64(st, 3, in->fetched_at);
        rc = store_sq_step_done(ss, st, "writing snapshot", err);
    }
    for (i = 0; rc == 0 && i < rows->nservers; i++)
        rc = insert_server(ss, rows, i, err);
    for (i = 0; rc == 0 && i < rows->nris; i++)
        rc = insert_ri(ss, in, &rows->ris[i], rows->ri_items[i], i, err);
    for (i = 0; rc == 0 && i < rows->njobs; i++)
        rc = insert_job(ss, in, &rows->jobs[i], rows->job_items[i], i, err);
    if (rc < 0)
        dr_err_prefix(err, "snapshot %s/%s: ", in->account_id, in->region);
    return store_sq_tx_end(s, rc, err);
}

int store_sq_snapshot_mark_failed(struct store *s, const char *account_id, const char *region,
                                  const char *error, int64_t at, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    rc = store_sq_account_exists(ss, account_id, err);
    if (rc == 0 && (rc = store_sq_prep(ss, SQL_SNAPSHOT_FAILED, &st, err)) == 0) {
        store_sq_bind_text(st, 1, account_id);
        store_sq_bind_text(st, 2, region);
        sqlite3_bind_int64(st, 3, at);
        store_sq_bind_text(st, 4, error);
        rc = store_sq_step_done(ss, st, "marking snapshot stale", err);
    }
    return store_sq_tx_end(s, rc, err);
}

static const char SQL_SNAPSHOT_LIST[] =
    "SELECT n.account_id, n.region, n.fetched_at, n.attempted_at, n.stale, n.last_error,"
    " (SELECT count(*) FROM servers v WHERE v.account_id = n.account_id"
    "   AND v.region = n.region),"
    " (SELECT count(*) FROM recovery_instances r WHERE r.account_id = n.account_id"
    "   AND r.region = n.region),"
    " (SELECT count(*) FROM jobs j WHERE j.account_id = n.account_id AND j.region = n.region)"
    " FROM snapshots n WHERE (?1 IS NULL OR n.account_id = ?1) AND (?2 IS NULL OR n.region = ?2)"
    " ORDER BY n.account_id, n.region";

int store_sq_snapshot_list(struct store *s, const char *account_id, const char *region,
                           struct store_snapshot_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_SNAPSHOT_LIST, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, account_id);
    store_sq_bind_text(st, 2, region);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_snapshot *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*out->v)), *sn;
        if (!nv) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
        out->v = nv;
        sn = &out->v[out->n++];
        sn->account_id = store_sq_col_dup_nn(st, 0);
        sn->region = store_sq_col_dup_nn(st, 1);
        sn->fetched_at = sqlite3_column_int64(st, 2);
        sn->attempted_at = sqlite3_column_int64(st, 3);
        sn->stale = sqlite3_column_int(st, 4) != 0;
        sn->last_error = store_sq_col_dup(st, 5);
        sn->servers = sqlite3_column_int64(st, 6);
        sn->recovery_instances = sqlite3_column_int64(st, 7);
        sn->jobs = sqlite3_column_int64(st, 8);
        if (!sn->account_id || !sn->region) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "listing snapshots");
out:
    sqlite3_reset(st);
    if (rc < 0)
        store_snapshot_list_cleanup(out);
    return rc;
}

static const char SQL_SERVERS_SELECT[] =
    "SELECT v.account_id, v.region, v.source_server_id, v.arn, v.hostname,"
    " v.replication_state, v.lag_seconds, v.last_launch_result, v.last_launch_at,"
    " v.recovery_instance_id, v.origin_account_id, v.origin_region, v.tags, n.stale,"
    " n.fetched_at, v.instance_type, v.subnet_id, v.private_ip FROM servers v JOIN snapshots n"
    " ON n.account_id = v.account_id AND n.region = v.region WHERE 1 = 1";
/* Tags live in servers.tags (a JSON object); SQLite's json_each matches one pair. */
static const char SQL_TAG_EXISTS[] =
    " AND EXISTS (SELECT 1 FROM json_each(v.tags) t WHERE t.key = ? AND t.type = 'text'"
    " AND t.value = ?)";

static int read_server(sqlite3_stmt *st, struct store_server *sv)
{
    sv->account_id = store_sq_col_dup_nn(st, 0);
    sv->region = store_sq_col_dup_nn(st, 1);
    sv->source_server_id = store_sq_col_dup_nn(st, 2);
    sv->arn = store_sq_col_dup(st, 3);
    sv->hostname = store_sq_col_dup(st, 4);
    sv->replication_state = store_sq_col_dup(st, 5);
    sv->lag_seconds = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
    sv->last_launch_result = store_sq_col_dup(st, 7);
    sv->last_launch_at = store_sq_col_dup(st, 8);
    sv->recovery_instance_id = store_sq_col_dup(st, 9);
    sv->origin_account_id = store_sq_col_dup(st, 10);
    sv->origin_region = store_sq_col_dup(st, 11);
    sv->tags = store_sq_load_col(st, 12);
    if (!json_is_object(sv->tags)) {
        json_decref(sv->tags);
        sv->tags = json_object();
    }
    sv->stale = sqlite3_column_int(st, 13) != 0;
    sv->fetched_at = sqlite3_column_int64(st, 14);
    sv->instance_type = store_sq_col_dup(st, 15);
    sv->subnet_id = store_sq_col_dup(st, 16);
    sv->private_ip = store_sq_col_dup(st, 17);
    if (!sv->account_id || !sv->region || !sv->source_server_id || !sv->tags)
        return -DR_ENOMEM;
    return 0;
}

int store_sq_servers_query(struct store *s, const struct store_server_filter *f,
                           struct store_server_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st = NULL;
    struct buf sql;
    size_t i, cap = 0;
    int rc = 0, idx = 1;

    buf_init(&sql, 1 << 20);
    if (buf_adds(&sql, SQL_SERVERS_SELECT) < 0 ||
        (f->account_id && buf_adds(&sql, " AND v.account_id = ?") < 0) ||
        (f->region && buf_adds(&sql, " AND v.region = ?") < 0) ||
        (f->replication_state && buf_adds(&sql, " AND v.replication_state = ?") < 0) ||
        (f->lag_over >= 0 && buf_adds(&sql, " AND v.lag_seconds > ?") < 0)) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < f->ntags; i++) {
        if (buf_adds(&sql, SQL_TAG_EXISTS) < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    }
    if (buf_adds(&sql, " ORDER BY v.account_id, v.region, v.source_server_id") < 0) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(ss->db, sql.p, (int)sql.len, &st, NULL) != SQLITE_OK) {
        rc = store_sq_dberr(ss, err, "querying servers");
        goto out;
    }
    if (f->account_id)
        store_sq_bind_text(st, idx++, f->account_id);
    if (f->region)
        store_sq_bind_text(st, idx++, f->region);
    if (f->replication_state)
        store_sq_bind_text(st, idx++, f->replication_state);
    if (f->lag_over >= 0)
        sqlite3_bind_int64(st, idx++, f->lag_over);
    for (i = 0; i < f->ntags; i++) {
        store_sq_bind_text(st, idx++, f->tags[i].key);
        store_sq_bind_text(st, idx++, f->tags[i].value);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_server *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*out->v));
        if (!nv) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
        out->v = nv;
        if (read_server(st, &out->v[out->n++]) < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "querying servers");
out:
    sqlite3_finalize(st);
    buf_cleanup(&sql);
    if (rc < 0)
        store_server_list_cleanup(out);
    return rc;
}

static const char SQL_SERVER_BODY[] =
    "SELECT body FROM servers WHERE account_id = ? AND region = ? AND source_server_id = ?";

int store_sq_server_item(struct store *s, const char *account_id, const char *region,
                         const char *source_server_id, json_t **out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_SERVER_BODY, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, account_id);
    store_sq_bind_text(st, 2, region);
    store_sq_bind_text(st, 3, source_server_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = store_sq_load_col(st, 0);
        rc = *out ? 0
                  : dr_err_set(err, DR_ESTORE, "store: server %s has an unreadable body",
                               source_server_id);
    } else if (rc == SQLITE_DONE) {
        rc = dr_err_set(err, DR_ENOTFOUND, "server %s not found in %s/%s", source_server_id,
                        account_id, region);
    } else {
        rc = store_sq_dberr(ss, err, "reading server");
    }
    sqlite3_reset(st);
    return rc;
}
