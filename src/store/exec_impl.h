/*
 * exec_impl.h - the backend half of the execution records (store/exec.h):
 * a backend points store_ops.exec at one of these tables. exec.c
 * validates arguments before dispatching. Only backends include this.
 */
#ifndef DROVER_STORE_EXEC_IMPL_H
#define DROVER_STORE_EXEC_IMPL_H

#include "store/exec.h"
#include "store/store_impl.h"

struct store_exec_ops {
    int (*create)(struct store *s, const struct store_exec_full *f, struct dr_err *err);
    int (*get)(struct store *s, const char *id, bool want_spec, struct store_exec *out,
               struct dr_err *err);
    int (*get_full)(struct store *s, const char *id, struct store_exec_full *out,
                    struct dr_err *err);
    int (*list)(struct store *s, struct store_exec_list *out, struct dr_err *err);
    int (*update)(struct store *s, const struct store_exec *e, struct dr_err *err);
    int (*set_request)(struct store *s, const char *id, const char *request, const char *seen,
                       bool conditional, struct dr_err *err);
    int (*approve_waiting)(struct store *s, const char *id, int *n, struct dr_err *err);
    int (*lease_cas)(struct store *s, const char *id, const char *seen_host, int64_t seen_pid,
                     int64_t seen_expires, const char *host, int64_t pid, int64_t expires_at,
                     struct dr_err *err);
    int (*wave_put)(struct store *s, const char *id, const struct store_exec_wave *w,
                    struct dr_err *err);
    int (*server_put)(struct store *s, const char *id, const struct store_exec_server *sv,
                      struct dr_err *err);
    int (*batch_put)(struct store *s, const char *id, const struct store_exec_batch *b,
                     struct dr_err *err);
    int (*event)(struct store *s, const char *id, int64_t at, const char *text, struct dr_err *err);
    int (*events)(struct store *s, const char *id, int64_t after_seq,
                  struct store_exec_event_list *out, struct dr_err *err);
};

/* The SQLite table (sqlite_exec.c). */
extern const struct store_exec_ops store_sq_exec_ops;

#endif
