/*
 * validate.h - `drover plan validate` as a library function: checks a
 * normalized recovery plan against the protection groups and the
 * inventory in the store, reports every problem with its path, and says
 * how each wave splits into DRS jobs under the quotas. The execution
 * engine calls it before it starts a plan (and reuses the resolved
 * membership in the report). Depends on plan/, store/ and core/; no AWS.
 *
 * What is an error (the plan is invalid) and what is a warning is listed
 * in docs/plan-format.md, "Validation".
 */
#ifndef DROVER_PLAN_VALIDATE_H
#define DROVER_PLAN_VALIDATE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "plan/plan.h"
#include "store/store.h"

/* DRS quotas, per account and region. The engine fills these from Service Quotas. */
struct plan_quotas {
    int64_t servers_per_job; /* source servers in one StartRecovery job (DRS: 100) */
    int64_t active_jobs;     /* jobs in progress at a time (DRS: 20) */
    int64_t active_servers;  /* source servers across jobs in progress (DRS: 500) */
};

struct plan_validate_opts {
    struct plan_quotas quotas;
    /* path -> line map of the plan's source document (yamljson), or NULL */
    const json_t *lines;
    /* the time that inventory age is measured against (epoch ms); 0: now */
    int64_t now_ms;
    /* an account-region inventory older than this is a warning; 0: no check */
    int64_t max_inventory_age_seconds;
};

/* Defaults: quotas 100/20/500, inventory older than 24 hours is a warning. */
void plan_validate_opts_default(struct plan_validate_opts *o);

/*
 * Validates a normalized plan (plan_normalize) against `groups` (object
 * name -> normalized group, e.g. plan_load_groups plus a file's own).
 * Problems are appended to `is` (is->errors counts those that make the
 * plan invalid). opts may be NULL for the defaults.
 *
 * On success (0, whatever was found) *report is a new object
 *   {"waves":[{"name","servers":N,
 *              "jobs":[{"account_id","region","servers":N,"jobs":K}],
 *              "members":[{"account_id","region","source_server_id","group",
 *                          "in_inventory","replication_state","lag_seconds",
 *                          "stale","tags"}]}]}
 * with one entry per wave in plan order; a server counts once per wave.
 * Fails only on store or memory errors.
 */
int plan_validate(struct store *st, const json_t *plan, const json_t *groups,
                  const struct plan_validate_opts *opts, struct plan_issues *is, json_t **report,
                  struct dr_err *err);

/* Jobs needed for n servers: ceil(n / servers_per_job). */
int64_t plan_jobs_for(int64_t n, const struct plan_quotas *q);

#endif
