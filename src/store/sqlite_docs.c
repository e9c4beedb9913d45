/*
 * sqlite_docs.c - the SQLite backend's versioned documents (protection
 * groups, recovery plans): append-only versions, tombstones for deletes,
 * latest-version listing and full history. Must not depend on anything
 * above the store.
 */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "store/sqlite_int.h"

static const char SQL_DOC_LATEST[] =
    "SELECT kind, name, version, body, deleted, created_at FROM documents"
    " WHERE kind = ? AND name = ? ORDER BY version DESC LIMIT 1";
static const char SQL_DOC_VERSION[] =
    "SELECT kind, name, version, body, deleted, created_at FROM documents"
    " WHERE kind = ? AND name = ? AND version = ?";
static const char SQL_DOC_INSERT[] =
    "INSERT INTO documents (kind, name, version, body, deleted, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_DOC_LIST[] =
    "SELECT d.kind, d.name, d.version, d.body, d.deleted, d.created_at FROM documents d"
    " WHERE d.kind = ? AND d.deleted = 0 AND d.version = (SELECT max(e.version) FROM documents e"
    " WHERE e.kind = d.kind AND e.name = d.name) ORDER BY d.name";
static const char SQL_DOC_HISTORY[] =
    "SELECT kind, name, version, body, deleted, created_at FROM documents"
    " WHERE kind = ? AND name = ? ORDER BY version";

static int read_doc(sqlite3_stmt *st, struct store_doc *d)
{
    d->kind = store_sq_col_dup_nn(st, 0);
    d->name = store_sq_col_dup_nn(st, 1);
    d->version = sqlite3_column_int64(st, 2);
    d->body = store_sq_load_col(st, 3);
    d->deleted = sqlite3_column_int(st, 4) != 0;
    d->created_at = sqlite3_column_int64(st, 5);
    if (!d->kind || !d->name)
        return -DR_ENOMEM;
    return 0;
}

/* Reads the row a prepared document statement yields. 1 found, 0 none, <0 error. */
static int fetch_doc(struct sqlite_store *ss, sqlite3_stmt *st, struct store_doc *out,
                     struct dr_err *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        rc = read_doc(st, out) < 0 ? dr_err_set(err, DR_ENOMEM, "out of memory") : 1;
        if (rc < 0)
            store_doc_cleanup(out);
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = store_sq_dberr(ss, err, "reading document");
    }
    sqlite3_reset(st);
    return rc;
}

int store_sq_doc_put(struct store *s, const char *kind, const char *name, const json_t *body,
                     bool tombstone, int64_t *version_out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    struct store_doc latest;
    sqlite3_stmt *st;
    char *text = NULL;
    int64_t next = 1;
    int rc, found;

    memset(&latest, 0, sizeof(latest));
    if (store_sq_begin(s, err) < 0)
        return -DR_ESTORE;
    rc = store_sq_prep(ss, SQL_DOC_LATEST, &st, err);
    if (rc < 0)
        goto out;
    store_sq_bind_text(st, 1, kind);
    store_sq_bind_text(st, 2, name);
    found = fetch_doc(ss, st, &latest, err);
    if (found < 0) {
        rc = found;
        goto out;
    }
    if (found) {
        next = latest.version + 1;
        if (tombstone && latest.deleted)
            found = 0;
        else if (!tombstone && !latest.deleted && latest.body && json_equal(latest.body, body)) {
            if (version_out)
                *version_out = latest.version; /* unchanged: no new version */
            goto out;
        }
    }
    if (tombstone && !found) {
        rc = dr_err_set(err, DR_ENOTFOUND, "%s %s not found", kind, name);
        goto out;
    }
    if (!tombstone && !(text = store_sq_dump_compact(body))) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = store_sq_prep(ss, SQL_DOC_INSERT, &st, err)) < 0)
        goto out;
    store_sq_bind_text(st, 1, kind);
    store_sq_bind_text(st, 2, name);
    sqlite3_bind_int64(st, 3, next);
    store_sq_bind_text(st, 4, text);
    sqlite3_bind_int(st, 5, tombstone ? 1 : 0);
    sqlite3_bind_int64(st, 6, time_now_ms());
    rc = store_sq_step_done(ss, st, "writing document", err);
    if (rc == 0 && version_out)
        *version_out = next;
out:
    free(text);
    store_doc_cleanup(&latest);
    return store_sq_tx_end(s, rc, err);
}

int store_sq_doc_get(struct store *s, const char *kind, const char *name, int64_t version,
                     struct store_doc *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    int rc;

    if (store_sq_prep(ss, version > 0 ? SQL_DOC_VERSION : SQL_DOC_LATEST, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, kind);
    store_sq_bind_text(st, 2, name);
    if (version > 0)
        sqlite3_bind_int64(st, 3, version);
    rc = fetch_doc(ss, st, out, err);
    if (rc < 0)
        return rc;
    if (rc == 0 || (version <= 0 && out->deleted)) {
        store_doc_cleanup(out);
        if (version > 0)
            return dr_err_set(err, DR_ENOTFOUND, "%s %s version %lld not found", kind, name,
                              (long long)version);
        return dr_err_set(err, DR_ENOTFOUND, "%s %s not found", kind, name);
    }
    return 0;
}

int store_sq_doc_list(struct store *s, const char *kind, const char *name, bool history,
                      struct store_doc_list *out, struct dr_err *err)
{
    struct sqlite_store *ss = store_sq_of(s);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (store_sq_prep(ss, history ? SQL_DOC_HISTORY : SQL_DOC_LIST, &st, err) < 0)
        return -DR_ESTORE;
    store_sq_bind_text(st, 1, kind);
    if (history)
        store_sq_bind_text(st, 2, name);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_doc *nv = store_sq_grow(out->v, out->n, &cap, sizeof(*out->v));
        if (!nv) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
        out->v = nv;
        if (read_doc(st, &out->v[out->n++]) < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : store_sq_dberr(ss, err, "listing documents");
out:
    sqlite3_reset(st);
    if (rc < 0)
        store_doc_list_cleanup(out);
    return rc;
}
