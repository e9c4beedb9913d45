/*
 * sqlite.c - the SQLite backend of the store (see store.h for the
 * contract): WAL mode, busy timeout, foreign keys, migrations applied at
 * open, cached prepared statements with bound values, nested
 * transactions via savepoints. All SQL dialect specifics live here and in
 * schema_sqlite.h. Must not depend on anything above the store.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "store/exec_impl.h"
#include "store/schema_sqlite.h"
#include "store/sqlite_int.h"

int store_schema_latest(void)
{
    return SQLITE_SCHEMA_LATEST;
}

/* ---- helpers ---------------------------------------------------------- */

int store_sq_dberr(struct sqlite_store *ss, struct dr_err *err, const char *what)
{
    return dr_err_set(err, DR_ESTORE, "store: %s: %s", what, sqlite3_errmsg(ss->db));
}

/* A cached statement for a literal SQL string, reset and unbound. */
int store_sq_prep(struct sqlite_store *ss, const char *sql, sqlite3_stmt **out, struct dr_err *err)
{
    size_t i;
    sqlite3_stmt *st;

    for (i = 0; i < ss->ncache; i++) {
        if (ss->cache[i].sql == sql) {
            sqlite3_reset(ss->cache[i].st);
            sqlite3_clear_bindings(ss->cache[i].st);
            *out = ss->cache[i].st;
            return 0;
        }
    }
    /* keys are static strings, so their number is fixed by the code: never evict
     * (a caller may still be stepping any cached statement) */
    if (ss->ncache == STMT_CACHE)
        return dr_err_set(err, DR_EINTERNAL, "store: statement cache full (raise STMT_CACHE)");
    if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return store_sq_dberr(ss, err, "prepare");
    ss->cache[ss->ncache].sql = sql;
    ss->cache[ss->ncache].st = st;
    ss->ncache++;
    *out = st;
    return 0;
}

void store_sq_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
    if (v)
        sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, idx);
}

char *store_sq_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? strdup((const char *)t) : NULL;
}

/* A NOT NULL text column copied, "" when somehow NULL. NULL only on ENOMEM. */
char *store_sq_col_dup_nn(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return strdup(t ? (const char *)t : "");
}

int store_sq_exec_sql(struct sqlite_store *ss, const char *sql, struct dr_err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(ss->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        dr_err_set(err, DR_ESTORE, "store: %s", msg ? msg : sqlite3_errmsg(ss->db));
        sqlite3_free(msg);
        return -DR_ESTORE;
    }
    return 0;
}

/* Runs a statement that returns no rows. */
int store_sq_step_done(struct sqlite_store *ss, sqlite3_stmt *st, const char *what,
                       struct dr_err *err)
{
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int r = store_sq_dberr(ss, err, what);
        sqlite3_reset(st);
        return r;
    }
    sqlite3_reset(st);
    return 0;
}

void *store_sq_grow(void *v, size_t n, size_t *cap, size_t elem)
{
    void *nv;
    size_t ncap;

    if (n < *cap)
        return v;
    ncap = *cap ? *cap * 2 : 16;
    nv = realloc(v, ncap * elem);
    if (!nv)
        return NULL;
    memset((char *)nv + *cap * elem, 0, (ncap - *cap) * elem);
    *cap = ncap;
    return nv;
}

char *store_sq_dump_compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

char *store_sq_dump_fast(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

json_t *store_sq_load_col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);

    if (!t)
        return NULL;
    return json_loads(t, JSON_DECODE_ANY, NULL);
}

/* ---- transactions ------------------------------------------------------ */

int store_sq_begin(struct store *s, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    char sql[48];

    if (ss->depth == 0)
        dr_strlcpy(sql, "BEGIN IMMEDIATE", sizeof(sql));
    else
        snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", ss->depth);
    if (store_sq_exec_sql(ss, sql, err) < 0)
        return -DR_ESTORE;
    ss->depth++;
    return 0;
}

int store_sq_rollback(struct store *s, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    char sql[80];

    if (ss->depth == 0)
        return dr_err_set(err, DR_EINTERNAL, "store: rollback without a transaction");
    ss->depth--;
    if (ss->depth == 0) {
        /* ROLLBACK fails only when SQLite already rolled back on its own */
        if (sqlite3_get_autocommit(ss->db))
            return 0;
        return store_sq_exec_sql(ss, "ROLLBACK", err);
    }
    snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d; RELEASE sp%d", ss->depth, ss->depth);
    return store_sq_exec_sql(ss, sql, err);
}

int store_sq_commit(struct store *s, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    char sql[48];

    if (ss->depth == 0)
        return dr_err_set(err, DR_EINTERNAL, "store: commit without a transaction");
    if (ss->depth == 1)
        dr_strlcpy(sql, "COMMIT", sizeof(sql));
    else
        snprintf(sql, sizeof(sql), "RELEASE sp%d", ss->depth - 1);
    if (store_sq_exec_sql(ss, sql, err) < 0) {
        store_sq_rollback(s, NULL);
        return -DR_ESTORE;
    }
    ss->depth--;
    return 0;
}

/* Ends a transaction opened by this file: commit when rc == 0, else roll back. */
int store_sq_tx_end(struct store *s, int rc, struct dr_err *err)
{
    if (rc == 0)
        return store_sq_commit(s, err);
    store_sq_rollback(s, NULL);
    return rc;
}

/* ---- open, migrate, close ---------------------------------------------- */

static int read_version(struct sqlite_store *ss, int *out, struct dr_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(ss->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st,
                           NULL) != SQLITE_OK)
        return store_sq_dberr(ss, err, "reading schema_version");
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = store_sq_dberr(ss, err, "reading schema_version");
        sqlite3_finalize(st);
        return rc;
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int migrate(struct sqlite_store *ss, const char *path, struct dr_err *err)
{
    sqlite3_stmt *st = NULL;
    int v = 0, rc;

    if (store_sq_begin(&ss->base, err) < 0)
        return -DR_ESTORE;
    rc = store_sq_exec_sql(ss,
                           "CREATE TABLE IF NOT EXISTS schema_version ("
                           " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                           err);
    if (rc == 0)
        rc = read_version(ss, &v, err);
    if (rc == 0 && v > SQLITE_SCHEMA_LATEST)
        rc = dr_err_set(err, DR_ESTORE,
                        "%s has schema version %d, newer than this drover supports (%d); "
                        "use a newer drover",
                        path, v, SQLITE_SCHEMA_LATEST);
    if (rc == 0 && sqlite3_prepare_v2(ss->db,
                                      "INSERT INTO schema_version (version, applied_at)"
                                      " VALUES (?, ?)",
                                      -1, &st, NULL) != SQLITE_OK)
        rc = store_sq_dberr(ss, err, "migrate");
    for (; rc == 0 && v < SQLITE_SCHEMA_LATEST; v++) {
        rc = store_sq_exec_sql(ss, sqlite_migrations[v], err);
        if (rc < 0) {
            dr_err_prefix(err, "migration %d: ", v + 1);
            break;
        }
        sqlite3_bind_int(st, 1, v + 1);
        sqlite3_bind_int64(st, 2, time_now_ms());
        rc = store_sq_step_done(ss, st, "recording migration", err);
    }
    sqlite3_finalize(st);
    if (rc == 0)
        ss->version = v;
    return store_sq_tx_end(&ss->base, rc, err);
}

static void sq_close(struct store *s)
{
    struct sqlite_store *ss = store_sq_of(s);
    size_t i;

    for (i = 0; i < ss->ncache; i++)
        sqlite3_finalize(ss->cache[i].st);
    sqlite3_close(ss->db);
    free(ss);
}

static int sq_schema_version(struct store *s)
{
    return store_sq_of(s)->version;
}

static const struct store_ops sqlite_ops;

int store_sqlite_open(const char *db_path, struct store **out, struct dr_err *err)
{
    struct sqlite_store *ss;
    sqlite3_stmt *st = NULL;
    const char *mode;
    int rc = 0;

    *out = NULL;
    ss = calloc(1, sizeof(*ss));
    if (!ss)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    ss->base.ops = &sqlite_ops;
    if (sqlite3_open_v2(db_path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = dr_err_set(err, DR_ESTORE, "%s: %s", db_path,
                        ss->db ? sqlite3_errmsg(ss->db) : "cannot open");
        goto out;
    }
    sqlite3_extended_result_codes(ss->db, 1);
    sqlite3_busy_timeout(ss->db, BUSY_TIMEOUT_MS);
    if (sqlite3_prepare_v2(ss->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = store_sq_dberr(ss, err, "enabling WAL");
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (!mode || strcmp(mode, "wal") != 0) {
        rc = dr_err_set(err, DR_ESTORE, "%s: WAL mode is not available (journal mode %s)", db_path,
                        mode ? mode : "?");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* a 32 MiB page cache: replacing a snapshot reads the old rows' overflow pages */
    rc = store_sq_exec_sql(
        ss, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768", err);
    if (rc == 0)
        rc = migrate(ss, db_path, err);
out:
    sqlite3_finalize(st);
    if (rc < 0) {
        sq_close(&ss->base);
        return rc;
    }
    *out = &ss->base;
    return 0;
}

/* ---- accounts ----------------------------------------------------------- */

static const char SQL_ACCOUNT_ADD[] =
    "INSERT INTO accounts (account_id, name, role_arn, external_id, regions, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_ACCOUNT_UPDATE[] =
    "UPDATE accounts SET name = ?2, role_arn = ?3, external_id = ?4, regions = ?5"
    " WHERE account_id = ?1";
static const char SQL_ACCOUNT_GET[] =
    "SELECT account_id, name, role_arn, external_id, regions, created_at FROM accounts"
    " WHERE account_id = ?";
static const char SQL_ACCOUNT_LIST[] =
    "SELECT account_id, name, role_arn, external_id, regions, created_at FROM accounts"
    " ORDER BY account_id";
static const char SQL_ACCOUNT_EXISTS[] = "SELECT 1 FROM accounts WHERE account_id = ?";

static char *regions_json(const struct store_account *a)
{
    json_t *arr = json_array();
    char *s;
    size_t i;

    if (!arr)
        return NULL;
    for (i = 0; i < a->nregions; i++)
        json_array_append_new(arr, json_string(a->regions[i]));
    s = store_sq_dump_compact(arr);
    json_decref(arr);
    return s;
}

static int bind_account(sqlite3_stmt *st, const struct store_account *a, char **regions,
                        struct dr_err *err)
{
    *regions = regions_json(a);
    if (!*regions)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    store_sq_bind_text(st, 1, a->account_id);
    store_sq_bind_text(st, 2, dr_nonempty(a->name) ? a->name : NULL);
    store_sq_bind_text(st, 3, a->role_arn);
    store_sq_bind_text(st, 4, a->external_id);
    store_sq_bind_text(st, 5, *regions);
    return 0;
}

static int sq_account_add(struct store *s, const struct store_account *a, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    char *regions = NULL;
    int rc;

    if (store_sq_prep(ss, SQL_ACCOUNT_ADD, &st, err) < 0)
        return -DR_ESTORE;
    rc = bind_account(st, a, &regions, err);
    if (rc == 0) {
        sqlite3_bind_int64(st, 6, a->created_at ? a->created_at : time_now_ms());
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            rc = 0;
        else if (sqlite3_extended_errcode(ss->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
            rc = dr_err_set(err, DR_ECONFLICT, "account %s is already registered", a->account_id);
        else
            rc = store_sq_dberr(ss, err, "adding account");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st); /* drop the bound external ID copy */
    free(regions);
    return rc;
}

static int sq_account_update(struct store *s, const struct store_account *a, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    char *regions = NULL;
    int rc;

    if (store_sq_prep(ss, SQL_ACCOUNT_UPDATE, &st, err) < 0)
        return -DR_ESTORE;
    rc = bind_account(st, a, &regions, err);
    if (rc == 0)
        rc = store_sq_step_done(ss, st, "updating account", err);
    if (rc == 0 && sqlite3_changes(ss->db) == 0)
        rc = dr_err_set(err, DR_ENOTFOUND, "account %s is not registered", a->account_id);
    sqlite3_clear_bindings(st);
    free(regions);
    return rc;
}

static int read_account(sqlite3_stmt *st, struct store_account *a, struct dr_err *err)
{
    json_t *regions = store_sq_load_col(st, 4), *r;
    size_t i;

    memset(a, 0, sizeof(*a));
    a->account_id = store_sq_col_dup_nn(st, 0);
    a->name = store_sq_col_dup(st, 1);
    a->role_arn = store_sq_col_dup_nn(st, 2);
    a->external_id = store_sq_col_dup_nn(st, 3);
    a->created_at = sqlite3_column_int64(st, 5);
    if (json_is_array(regions) && json_array_size(regions) > 0) {
        a->regions = calloc(json_array_size(regions), sizeof(char *));
        if (a->regions) {
            json_array_foreach(regions, i, r)
            {
                if (json_is_string(r))
                    a->regions[a->nregions++] = strdup(json_string_value(r));
            }
        }
    }
    json_decref(regions);
    if (!a->account_id || !a->role_arn || !a->external_id) {
        store_account_cleanup(a);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    return 0;
}

static int sq_account_get(struct store *s, const char *id, struct store_account *out,
                          struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_ACCOUNT_GET, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_account(st, out, err);
    else if (rc == SQLITE_DONE)
        rc = dr_err_set(err, DR_ENOTFOUND, "account %s is not registered", id);
    else
        rc = store_sq_dberr(ss, err, "reading account");
    sqlite3_reset(st);
    return rc;
}

static int sq_account_list(struct store *s, struct store_account_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, SQL_ACCOUNT_LIST, &st, err) < 0)
        return -DR_ESTORE;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_account *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*out->v));
        if (!nv) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
        out->v = nv;
        if (read_account(st, &out->v[out->n], err) < 0) {
            rc = -DR_ENOMEM;
            goto out;
        }
        out->n++;
    }
    rc = rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "listing accounts");
out:
    sqlite3_reset(st);
    if (rc < 0)
        store_account_list_cleanup(out);
    return rc;
}

int store_sq_account_exists(struct sqlite_store *ss, const char *id, struct dr_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, SQL_ACCOUNT_EXISTS, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return dr_err_set(err, DR_ENOTFOUND, "account %s is not registered", id);
    return store_sq_dberr(ss, err, "reading account");
}

/* Deletes one account's rows from each inventory table (region NULL = all regions). */
static const char *const SQL_DELETE_INVENTORY[] = {
    "DELETE FROM servers WHERE account_id = ?1 AND (?2 IS NULL OR region = ?2)",
    "DELETE FROM recovery_instances WHERE account_id = ?1 AND (?2 IS NULL OR region = ?2)",
    "DELETE FROM jobs WHERE account_id = ?1 AND (?2 IS NULL OR region = ?2)",
};

int store_sq_delete_inventory(struct sqlite_store *ss, const char *account_id, const char *region,
                              struct dr_err *err)
{
    sqlite3_stmt *st;
    size_t i;

    for (i = 0; i < sizeof(SQL_DELETE_INVENTORY) / sizeof(SQL_DELETE_INVENTORY[0]); i++) {
        if (store_sq_prep(ss, SQL_DELETE_INVENTORY[i], &st, err) < 0)
            return -DR_ESTORE;
        store_sq_bind_text(st, 1, account_id);
        store_sq_bind_text(st, 2, region);
        if (store_sq_step_done(ss, st, "deleting inventory", err) < 0)
            return -DR_ESTORE;
    }
    return 0;
}

static const char SQL_SNAPSHOTS_DELETE[] = "DELETE FROM snapshots WHERE account_id = ?";
static const char SQL_ACCOUNT_DELETE[] = "DELETE FROM accounts WHERE account_id = ?";

static int sq_account_remove(struct store *s, const char *id, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    rc = store_sq_account_exists(ss, id, err);
    if (rc == 0)
        rc = store_sq_delete_inventory(ss, id, NULL, err);
    if (rc == 0 && (rc = store_sq_prep(ss, SQL_SNAPSHOTS_DELETE, &st, err)) == 0) {
        store_sq_bind_text(st, 1, id);
        rc = store_sq_step_done(ss, st, "deleting snapshots", err);
    }
    if (rc == 0 && (rc = store_sq_prep(ss, SQL_ACCOUNT_DELETE, &st, err)) == 0) {
        store_sq_bind_text(st, 1, id);
        rc = store_sq_step_done(ss, st, "deleting account", err);
    }
    return store_sq_tx_end(s, rc, err);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .exec = &store_sq_exec_ops,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = store_sq_begin,
    .commit = store_sq_commit,
    .rollback = store_sq_rollback,
    .account_add = sq_account_add,
    .account_update = sq_account_update,
    .account_get = sq_account_get,
    .account_list = sq_account_list,
    .account_remove = sq_account_remove,
    .snapshot_replace = store_sq_snapshot_replace,
    .snapshot_mark_failed = store_sq_snapshot_mark_failed,
    .snapshot_list = store_sq_snapshot_list,
    .servers_query = store_sq_servers_query,
    .server_item = store_sq_server_item,
    .doc_put = store_sq_doc_put,
    .doc_get = store_sq_doc_get,
    .doc_list = store_sq_doc_list,
};
