/*
 * exec.h - the store's execution records: one row per execution (with its
 * lease and the spec it runs: plan, groups and resolved membership), its
 * waves, its servers, its DRS job batches and an event log. The engine
 * (src/engine/) writes every state transition through these functions,
 * grouping the rows of one transition in store_begin/store_commit.
 *
 * Timestamps are epoch milliseconds; 0 means "not yet". Strings are heap
 * copies owned by the structs when read (freed by the _cleanup functions)
 * and borrowed when written. Same guarantees as store.h.
 */
#ifndef DROVER_STORE_EXEC_H
#define DROVER_STORE_EXEC_H

#include "store/store.h"

struct store_exec {
    char *id;
    char *plan_name;
    int64_t plan_version;
    char *kind;                /* DRILL, RECOVERY, CLEANUP */
    char *state;               /* PENDING, RUNNING, PAUSED, COMPLETED, PARTIAL, FAILED, CANCELLED */
    char *source_execution_id; /* CLEANUP: the drill it cleans up; else NULL */
    int64_t created_at, updated_at, started_at, ended_at;
    char *request; /* pending operator request: "pause", "cancel", or NULL */
    char *error;   /* why it failed, or NULL */
    /* lease: who drives it, until when (0 = nobody) */
    char *lease_host;
    int64_t lease_pid;
    int64_t lease_expires_at;
    json_t *spec; /* what it runs (engine-defined JSON); new reference when read */
};

struct store_exec_wave {
    int idx;
    char *name;
    char *state; /* PENDING, WAITING, RUNNING, COMPLETED, PARTIAL, FAILED, SKIPPED, CANCELLED */
    int64_t started_at, ended_at;
    bool approved; /* pauseBefore gate opened by `exec resume` */
    char *error;
};

struct store_exec_server {
    char *account_id, *region, *source_server_id;
    int wave_idx;
    char *state;      /* PENDING, STARTING, LAUNCHING, LAUNCHED, FAILED, CANCELLED, TERMINATED */
    int attempts;     /* jobs started for it */
    int64_t batch_no; /* current or last batch, 0 = none */
    char *job_id, *recovery_instance_id, *ec2_instance_id, *error;
    int64_t job_started_at, launched_at;
};

struct store_exec_batch {
    int64_t batch_no; /* 1.. per execution */
    int wave_idx;
    char *account_id, *region;
    char *state; /* STARTING, STARTED, ENDED, FAILED */
    char *job_id;
    int64_t created_at, started_at, ended_at;
    json_t *servers; /* array of source server IDs (or recovery instance IDs for CLEANUP) */
    char *error;
};

struct store_exec_full {
    struct store_exec e;
    struct store_exec_wave *waves;
    size_t nwaves;
    struct store_exec_server *servers;
    size_t nservers;
    struct store_exec_batch *batches;
    size_t nbatches;
};

struct store_exec_list {
    struct store_exec *v;
    size_t n;
};

void store_exec_cleanup(struct store_exec *e);
void store_exec_wave_cleanup(struct store_exec_wave *w);
void store_exec_server_cleanup(struct store_exec_server *sv);
void store_exec_batch_cleanup(struct store_exec_batch *b);
void store_exec_full_cleanup(struct store_exec_full *f);
void store_exec_list_cleanup(struct store_exec_list *l);

/* Inserts the execution with its waves, servers and batches in one transaction.
 * -DR_ECONFLICT when the ID exists. */
int store_exec_create(struct store *s, const struct store_exec_full *f, struct dr_err *err);
/* The execution row only (cheap: no spec parse when want_spec is false). */
int store_exec_get(struct store *s, const char *id, bool want_spec, struct store_exec *out,
                   struct dr_err *err);
/* Everything of one execution; rows ordered by wave/account/region/server and batch. */
int store_exec_get_full(struct store *s, const char *id, struct store_exec_full *out,
                        struct dr_err *err);
/* Every execution (no spec), newest first. */
int store_exec_list(struct store *s, struct store_exec_list *out, struct dr_err *err);

/* Writes state, started_at, ended_at, error (and updated_at = now). Never the
 * request, the lease or the spec. */
int store_exec_update(struct store *s, const struct store_exec *e, struct dr_err *err);
/* Sets the operator request (NULL clears). */
int store_exec_set_request(struct store *s, const char *id, const char *request,
                           struct dr_err *err);
/* Clears the request only if it still equals `seen` (no lost concurrent request). */
int store_exec_clear_request(struct store *s, const char *id, const char *seen, struct dr_err *err);
/* Opens every WAITING wave's gate (approved = 1). *n (nullable) gets how many. */
int store_exec_approve_waiting(struct store *s, const char *id, int *n, struct dr_err *err);

/*
 * Lease compare-and-set: takes the lease for (host, pid) until expires_at
 * only if the stored lease still is (seen_host, seen_pid, seen_expires) --
 * the values the caller read and judged free (expired, dead owner) or its
 * own (renewal). -DR_ECONFLICT when someone else changed it first.
 * Release with expires_at = 0.
 */
int store_exec_lease_cas(struct store *s, const char *id, const char *seen_host, int64_t seen_pid,
                         int64_t seen_expires, const char *host, int64_t pid, int64_t expires_at,
                         struct dr_err *err);

/* Upserts: the wave (state, times, error; not approved), the server, the batch. */
int store_exec_wave_put(struct store *s, const char *id, const struct store_exec_wave *w,
                        struct dr_err *err);
int store_exec_server_put(struct store *s, const char *id, const struct store_exec_server *sv,
                          struct dr_err *err);
int store_exec_batch_put(struct store *s, const char *id, const struct store_exec_batch *b,
                         struct dr_err *err);

/* Appends a line to the execution's event log. */
int store_exec_event(struct store *s, const char *id, int64_t at, const char *text,
                     struct dr_err *err);
struct store_exec_event_row {
    int64_t seq, at;
    char *text;
};
struct store_exec_event_list {
    struct store_exec_event_row *v;
    size_t n;
};
void store_exec_event_list_cleanup(struct store_exec_event_list *l);
/* Events with seq > after_seq, oldest first. */
int store_exec_events(struct store *s, const char *id, int64_t after_seq,
                      struct store_exec_event_list *out, struct dr_err *err);

#endif
