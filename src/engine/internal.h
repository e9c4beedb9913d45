/*
 * internal.h - the engine's in-memory model, shared by its files:
 * engine.c (the loop, waves, control requests, leases, completion),
 * jobs.c (batches: quotas, StartRecovery / TerminateRecoveryInstances,
 * reconciliation, DescribeJobs polling, job logs), create.c and status.c.
 *
 * The authoritative state is the store record; `f` mirrors it and every
 * change is written through (eng_put_*) inside one transaction per
 * transition. Runtime-only facts (calls in flight, timers) live in the
 * parallel arrays and are rebuilt on resume.
 */
#ifndef DROVER_ENGINE_INTERNAL_H
#define DROVER_ENGINE_INTERNAL_H

#include "aws/credentials.h"
#include "engine/actions.h"
#include "engine/engine.h"

#define ENG_TAG_EXEC  "drover:execution"
#define ENG_TAG_BATCH "drover:batch"

enum wave_phase { PH_IDLE = 0, PH_PRE, PH_LAUNCH, PH_POST };

struct eng_ar {
    char *account_id, *region;
    struct cred_role role;
    bool has_role;
    int max_per_job, max_jobs, max_active;
    int quota_state; /* 0 unread, 1 reading, 2 known */
    int active_jobs, active_servers;
    int64_t next_poll_at;
    int poll_ms;
    bool poll_busy;
    int64_t hold_until;    /* no new batch before (quota or conflict back-off) */
    int64_t failing_since; /* first failure of a run of failures, 0 when healthy */
    bool down;             /* declared unreachable: its servers failed, no more retries */
    int64_t down_since;    /* ...until unreachable_ms later, when it is probed again */
    char last_error[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 8];
    int cfg_inflight; /* UpdateLaunchConfiguration calls in flight */
};

struct eng_srv {
    int ar;
    int cfg; /* launch overrides: 0 none needed, 1 needed, 2 in flight, 3 applied */
};

struct eng_bx {
    int ar;
    bool busy;        /* a call about this batch is in flight */
    bool reconcile;   /* look for its job by tags before (re)starting it */
    bool conflict;    /* the last StartRecovery said a server is in another job */
    int64_t retry_at; /* next start/reconcile attempt */
    int backoff_ms;
    uint64_t seen; /* fingerprint of the job as last polled (status, launch statuses) */
};

struct eng_wave {
    const json_t *spec; /* borrowed from eng.spec */
    enum wave_phase phase;
    size_t action_idx;
    struct action_run *act;
    json_t *act_instances; /* targets of a running wait-healthy */
};

struct eng {
    struct store *st;
    struct aws_client *c;
    struct engine_opts o;
    char host[256];
    int64_t pid;
    struct store_exec_full f;
    json_t *spec;
    bool cleanup; /* kind CLEANUP */
    struct eng_ar *ars;
    size_t nars;
    struct eng_srv *srv; /* parallel to f.servers */
    struct eng_bx *bx;   /* parallel to f.batches */
    size_t bcap;
    struct eng_wave *waves; /* parallel to f.waves */
    json_t *index;          /* "acct/region/sid" -> server index */
    const char *request;    /* latest operator request seen (in f.e.request) */
    int64_t now;
    int64_t next_control_at;
    int inflight; /* engine-owned AWS calls in flight */
    bool fatal;
    struct dr_err fatal_err;
    bool stopping; /* callbacks only clean up */
    int crash_seen;
    int64_t last_notify;
};

/* Per-call context handed to aws callbacks. */
struct eng_call {
    struct eng *e;
    int kind;
    size_t idx;   /* batch, server or account-region index */
    json_t *acc;  /* accumulated pages */
    void *je;     /* the job end being assembled (jobs.c) */
    bool changed; /* a poll saw a change */
};

/* ---- engine.c ---- */
/* The crash-test hook (engine_opts.crash_point). */
void eng_crash_point(struct eng *e, const char *name);
/* Whether the store still names this process as the lease owner (else: fatal). */
bool eng_lease_held(struct eng *e);
/* Opens a transaction, after checking the lease (fencing). <0: fatal, nothing to do. */
int eng_tx_begin(struct eng *e);
void eng_tx_commit(struct eng *e);
void eng_put_server(struct eng *e, size_t i);
void eng_put_batch(struct eng *e, size_t i);
void eng_put_wave(struct eng *e, size_t i);
void eng_put_exec(struct eng *e);
void eng_event(struct eng *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void eng_fail_fatal(struct eng *e, const struct dr_err *err);
void eng_set_str(char **dst, const char *v);
void eng_set_server_state(struct eng *e, size_t i, const char *state, const char *error);
void eng_notify(struct eng *e);
struct eng_call *eng_call_new(struct eng *e, int kind, size_t idx);
/* true when the engine is tearing down: callbacks must only free ctx */
bool eng_call_done(struct eng_call *cc);
bool eng_server_terminal(const char *state);
ssize_t eng_server_index(struct eng *e, const char *acct, const char *region, const char *sid);

/* ---- jobs.c ---- */
void jobs_resume(struct eng *e); /* after loading: batches STARTING get reconciled */
void jobs_step(struct eng *e);   /* quotas, overrides, new batches, starts, polls */
void jobs_count_active(struct eng *e);
bool jobs_active(const struct eng *e); /* any batch STARTING/STARTED */
void jobs_ar_failed(struct eng *e, int ar, const struct dr_err *err);
void jobs_ar_ok(struct eng *e, int ar);
bool jobs_transient(const struct dr_err *err);
void jobs_errtext(char *out, size_t n, const struct dr_err *err);
void jobs_call_req(struct eng *e, int ar, struct aws_call_req *r, const char *service,
                   const char *op, const json_t *in);
bool jobs_start_call(struct eng *e, int ar, const char *service, const char *op, json_t *in,
                     int kind, size_t idx, aws_done_cb cb);
/* A paginated DRS call; je rides in the call's context. Takes `in`. False:
 * nothing started (the caller undoes its bookkeeping and owns je again). */
bool jobs_paginate(struct eng *e, int ar, const char *op, json_t *in, int kind, size_t idx,
                   aws_page_cb pcb, void *je);
/* Fails a server's attempt: back to PENDING for a new job while retries are left. */
void jobs_server_failed(struct eng *e, size_t i, const char *why, bool may_retry);
size_t jobs_batch_members(struct eng *e, size_t bi, size_t *out, size_t cap);

/* ---- jobend.c ---- */
enum { K_QUOTA = 1, K_CFG, K_VERIFY, K_START, K_RECON, K_POLL, K_LOG, K_RI };
void jobs_job_ended(struct eng *e, size_t bi, const json_t *job);
void jobs_verify_targets(struct eng *e, int ar);
const json_t *jobs_ps_of(const json_t *job, const char *sid);
const json_t *jobs_ri_of(const json_t *ris, const char *key, const char *val);

#endif
