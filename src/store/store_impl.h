/*
 * store_impl.h - the contract between the generic store layer (store.c)
 * and a backend (sqlite.c; PostgreSQL later). Only backends include this.
 *
 * A backend embeds `struct store` as its first member and points `ops` at
 * a const table. store.c validates inputs (DRS items, names) before
 * calling an op, so ops can assume well-formed, already-parsed rows.
 * Depends on store.h only.
 */
#ifndef DROVER_STORE_STORE_IMPL_H
#define DROVER_STORE_STORE_IMPL_H

#include "store/store.h"

/* A validated snapshot: the input plus its parsed rows (borrowing from it). */
struct store_snapshot_rows {
    const struct store_snapshot_in *in;
    const json_t *const *server_items; /* parallel to servers */
    struct store_drs_server *servers;
    size_t nservers;
    const struct store_ec2_instance *const *server_ec2; /* parallel: matching instance or NULL */
    const json_t *const *server_ec2_items;              /* parallel: its EC2 item or NULL */
    json_t *const *server_tags; /* parallel: merged tags object, or NULL for none */
    const json_t *const *ri_items;
    struct store_drs_recovery_instance *ris;
    size_t nris;
    const json_t *const *job_items;
    struct store_drs_job *jobs;
    size_t njobs;
};

struct store_exec_ops; /* exec_impl.h */

struct store_ops {
    const char *name;
    const struct store_exec_ops *exec; /* execution records (store/exec.h) */
    void (*close)(struct store *s);
    int (*schema_version)(struct store *s);

    int (*begin)(struct store *s, struct dr_err *err);
    int (*commit)(struct store *s, struct dr_err *err);
    int (*rollback)(struct store *s, struct dr_err *err);

    int (*account_add)(struct store *s, const struct store_account *a, struct dr_err *err);
    int (*account_update)(struct store *s, const struct store_account *a, struct dr_err *err);
    int (*account_get)(struct store *s, const char *id, struct store_account *out,
                       struct dr_err *err);
    int (*account_list)(struct store *s, struct store_account_list *out, struct dr_err *err);
    int (*account_remove)(struct store *s, const char *id, struct dr_err *err);

    int (*snapshot_replace)(struct store *s, const struct store_snapshot_rows *rows,
                            struct dr_err *err);
    int (*snapshot_mark_failed)(struct store *s, const char *account_id, const char *region,
                                const char *error, int64_t at, struct dr_err *err);
    int (*snapshot_list)(struct store *s, const char *account_id, const char *region,
                         struct store_snapshot_list *out, struct dr_err *err);

    int (*servers_query)(struct store *s, const struct store_server_filter *f,
                         struct store_server_list *out, struct dr_err *err);
    int (*server_item)(struct store *s, const char *account_id, const char *region,
                       const char *source_server_id, json_t **out, struct dr_err *err);

    int (*doc_put)(struct store *s, const char *kind, const char *name, const json_t *body,
                   bool tombstone, int64_t *version_out, struct dr_err *err);
    int (*doc_get)(struct store *s, const char *kind, const char *name, int64_t version,
                   struct store_doc *out, struct dr_err *err);
    int (*doc_list)(struct store *s, const char *kind, const char *name, bool history,
                    struct store_doc_list *out, struct dr_err *err);
};

struct store {
    const struct store_ops *ops;
};

/* The SQLite backend's constructor (sqlite.c). */
int store_sqlite_open(const char *db_path, struct store **out, struct dr_err *err);

#endif
