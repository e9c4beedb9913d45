/*
 * engine.h - drover's execution engine: runs a recovery plan (a DRILL or
 * a RECOVERY) or the CLEANUP of a drill against DRS, durably.
 *
 * An execution is created (engine_create, engine_create_cleanup) as a
 * PENDING record in the store holding everything it needs (the plan, its
 * groups, the resolved membership), then driven by engine_run in one
 * process that holds its lease. Every state transition is committed before
 * the next AWS call that depends on it; a process that dies is replaced by
 * another engine_run on the same ID, which reconciles with DRS (jobs
 * carry tags drover:execution and drover:batch) and goes on. See
 * docs/engine.md.
 *
 * Depends on the store, the plan module, the AWS client and core.
 */
#ifndef DROVER_ENGINE_ENGINE_H
#define DROVER_ENGINE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/client.h"
#include "core/err.h"
#include "store/exec.h"

struct engine_opts {
    const char *host;     /* lease owner host (NULL = gethostname) */
    int64_t pid;          /* lease owner PID (0 = getpid) */
    int64_t lease_ttl_ms; /* 0 = 30 s */
    int poll_min_ms;      /* DescribeJobs interval while jobs change (0 = 5000) */
    int poll_max_ms;      /* ...backing off to this when idle (0 = 30000) */
    int unreachable_ms;   /* an account-region failing every call this long fails its
                             servers (0 = 300000) */
    /* DRS quota fallbacks when Service Quotas cannot be read (0 = 100, 20, 500) */
    int max_servers_per_job, max_concurrent_jobs, max_servers_in_jobs;
    /* Called after every committed change (may be NULL): the whole record. */
    void (*on_change)(void *ud, const struct store_exec_full *f);
    void *ud;
    /*
     * Crash testing: the process SIGKILLs itself the crash_count-th time it
     * reaches crash_point: "batch-recorded" (a batch committed STARTING,
     * StartRecovery not sent), "start-answered" (StartRecovery answered, not
     * yet committed), "job-adopted" (the job committed), "poll-answered" (a
     * DescribeJobs answer, not yet applied), "wave-ended". "" = never.
     * Set from DROVER_CRASH_POINT=NAME[:COUNT] by engine_opts_from_env.
     */
    char crash_point[32];
    int crash_count;
    /* Set (by a signal handler) to stop: engine_run returns 2 with the lease
     * released, the execution left as it is for a later resume. May be NULL. */
    const volatile sig_atomic_t *stop;
    /* Called for each event line (may be NULL). */
    void (*on_event)(void *ud, const char *line);
};

/* Reads DROVER_POLL_MIN_MS, DROVER_POLL_MAX_MS, DROVER_UNREACHABLE_SECONDS,
 * DROVER_LEASE_TTL_MS into o (unset fields stay). */
void engine_opts_from_env(struct engine_opts *o);

/*
 * Creates a PENDING execution of the stored plan `plan_name` (kind "DRILL"
 * or "RECOVERY"): loads the plan and its groups, resolves every group
 * against the inventory, refuses (DR_EINVAL, naming both groups) a server
 * in two waves and a plan that selects no server at all. *id_out is a new
 * "ex-<hex>" ID from the CSPRNG (free()).
 */
int engine_create(struct store *st, const char *plan_name, const char *kind, char **id_out,
                  struct dr_err *err);

/*
 * Creates a PENDING CLEANUP execution for a DRILL execution: its targets
 * are the recovery instances that drill launched. Refuses RECOVERY
 * executions (never terminates real recovery instances) and drills that
 * are still running.
 */
int engine_create_cleanup(struct store *st, const char *drill_id, char **id_out,
                          struct dr_err *err);

/*
 * Drives execution `id` to a terminal state (or until it is paused with
 * nothing running and `stop_when_paused`), taking its lease first: at once
 * when it is free, expired, ours, or held by a dead process on this host;
 * otherwise -DR_ECONFLICT naming the owner. Returns 0 when the execution
 * reached a terminal state (its state says how it went), 1 when it stopped
 * paused, 2 when opts->stop was set, <0 on an error that stopped the engine itself (the lease is
 * then left to expire so another process can take over).
 */
int engine_run(struct store *st, struct aws_client *c, const char *id, const struct engine_opts *o,
               bool stop_when_paused, struct dr_err *err);

/* True for COMPLETED, PARTIAL, FAILED, CANCELLED. */
bool engine_state_terminal(const char *state);

/* Whether an execution's lease is held by a live owner now (another process). */
bool engine_lease_live(const struct store_exec *e, int64_t now_ms);

/*
 * The cli.md status document of a full record:
 * {"id","plan","kind","state","created_at","started_at","ended_at","error","request",
 *  "lease":{...},"rto_seconds",
 *  "waves":[{"name","state","started_at","ended_at","rto_seconds","launched","total",
 *            "failed","servers":[{"account_id","region","source_server_id","state","job_id",
 *            "recovery_instance_id","error","attempts","job_started_at","launched_at"}]}]}
 * Times are ISO 8601 strings or null. New reference.
 */
json_t *engine_status_json(const struct store_exec_full *f);

#endif
