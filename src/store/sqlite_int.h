/*
 * sqlite_int.h - internals shared by the SQLite backend's files
 * (sqlite.c: open, migrations, transactions, accounts; sqlite_inv.c:
 * inventory snapshots and queries; sqlite_docs.c: documents). Not for use
 * outside src/store/sqlite*.c.
 */
#ifndef DROVER_STORE_SQLITE_INT_H
#define DROVER_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_impl.h"

#define STMT_CACHE      64 /* > the number of static statements, so nothing is evicted */
#define BUSY_TIMEOUT_MS 10000

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    int depth;   /* open transaction depth (0 = none) */
    int version; /* schema version after migration */
    struct {
        const char *sql; /* identity: always a static string */
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
    size_t ncache;
};

static inline struct sqlite_store *store_sq_of(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* DR_ESTORE with "store: what: sqlite message". */
int store_sq_dberr(struct sqlite_store *ss, struct dr_err *err, const char *what);
/* A cached, reset, unbound statement for a static SQL string (keyed by pointer). */
int store_sq_prep(struct sqlite_store *ss, const char *sql, sqlite3_stmt **out, struct dr_err *err);
/* Binds text, or NULL when v is NULL. */
void store_sq_bind_text(sqlite3_stmt *st, int idx, const char *v);
/* Heap copy of a text column, NULL for SQL NULL (or ENOMEM). */
char *store_sq_col_dup(sqlite3_stmt *st, int i);
/* Heap copy of a NOT NULL text column ("" if NULL); NULL only on ENOMEM. */
char *store_sq_col_dup_nn(sqlite3_stmt *st, int i);
int store_sq_exec_sql(struct sqlite_store *ss, const char *sql, struct dr_err *err);
/* Steps a statement that returns no rows, then resets it. */
int store_sq_step_done(struct sqlite_store *ss, sqlite3_stmt *st, const char *what,
                       struct dr_err *err);
/* Makes room for element n in a zero-filled growing array; NULL on ENOMEM (v untouched). */
void *store_sq_grow(void *v, size_t n, size_t *cap, size_t elem);
/* Compact, key-sorted JSON text (free()). */
char *store_sq_dump_compact(const json_t *v);
/* Compact JSON text in the value's own key order, for stored API items. */
char *store_sq_dump_fast(const json_t *v);
/* Parses a JSON text column; NULL when NULL or unparsable. */
json_t *store_sq_load_col(sqlite3_stmt *st, int i);

int store_sq_begin(struct store *s, struct dr_err *err);
int store_sq_commit(struct store *s, struct dr_err *err);
int store_sq_rollback(struct store *s, struct dr_err *err);
/* Commits when rc == 0, else rolls back and returns rc. */
int store_sq_tx_end(struct store *s, int rc, struct dr_err *err);

/* 0 when registered, -DR_ENOTFOUND otherwise. */
int store_sq_account_exists(struct sqlite_store *ss, const char *id, struct dr_err *err);
/* Deletes inventory rows of an account (region NULL: every region), not the snapshot rows. */
int store_sq_delete_inventory(struct sqlite_store *ss, const char *account_id, const char *region,
                              struct dr_err *err);

/* ops implemented in sqlite_inv.c and sqlite_docs.c */
int store_sq_snapshot_replace(struct store *s, const struct store_snapshot_rows *rows,
                              struct dr_err *err);
int store_sq_snapshot_mark_failed(struct store *s, const char *account_id, const char *region,
                                  const char *error, int64_t at, struct dr_err *err);
int store_sq_snapshot_list(struct store *s, const char *account_id, const char *region,
                           struct store_snapshot_list *out, struct dr_err *err);
int store_sq_servers_query(struct store *s, const struct store_server_filter *f,
                           struct store_server_list *out, struct dr_err *err);
int store_sq_server_item(struct store *s, const char *account_id, const char *region,
                         const char *source_server_id, json_t **out, struct dr_err *err);
int store_sq_doc_put(struct store *s, const char *kind, const char *name, const json_t *body,
                     bool tombstone, int64_t *version_out, struct dr_err *err);
int store_sq_doc_get(struct store *s, const char *kind, const char *name, int64_t version,
                     struct store_doc *out, struct dr_err *err);
int store_sq_doc_list(struct store *s, const char *kind, const char *name, bool history,
                      struct store_doc_list *out, struct dr_err *err);

#endif
