/*
 * doctor.h - `drover doctor`: readiness checks that prove a recovery will
 * work before a disaster. Every check has a stable ID (TRUST-001, KMS-006,
 * ...) and a severity in one registry; a run reads the real configuration
 * of every registered account-region through the AWS client (async, on
 * its curl-multi loop, spoke roles assumed through the credential cache),
 * evaluates trust and key policies with the policy engine and returns a
 * report: {"findings":[{id, severity, account_id, region, resource,
 * message, evidence, fix}], "summary":{CRITICAL, ERROR, WARNING, INFO}}
 * sorted by severity. Renderers for a table and a self-contained HTML page.
 * Depends on aws/client, policy, plan, core and jansson (no store, no CLI).
 */
#ifndef DROVER_DOCTOR_DOCTOR_H
#define DROVER_DOCTOR_DOCTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "core/buf.h"
#include "core/err.h"

enum doctor_severity { DOCTOR_INFO = 0, DOCTOR_WARNING, DOCTOR_ERROR, DOCTOR_CRITICAL };

/* One entry of the check registry. */
struct doctor_check {
    const char *id; /* "TRUST-001" */
    enum doctor_severity severity;
    const char *title; /* one line: what the check proves */
};

/* The registry, in ID order. */
const struct doctor_check *doctor_checks(size_t *n);
const struct doctor_check *doctor_check_find(const char *id);
const char *doctor_severity_name(enum doctor_severity s);

/* A registered spoke account (borrowed strings). */
struct doctor_account {
    const char *account_id;
    const char *role_arn;
    const char *external_id; /* secret: never printed; may be NULL */
    const char *const *regions;
    size_t nregions;
};

struct doctor_opts {
    const struct doctor_account *accounts;
    size_t naccounts;
    const char *region; /* only this region; NULL = every registered region */
    /* --plan: the normalized RecoveryPlan and an object group name ->
     * normalized ProtectionGroup (both borrowed, NULL without --plan). */
    const json_t *plan;
    const json_t *groups;
};

/* Runs every check. *report is a new reference (see above). Fails only when
 * nothing could be checked (no credentials, out of memory); AWS errors
 * become findings. */
int doctor_run(struct aws_client *c, const struct doctor_opts *o, json_t **report,
               struct dr_err *err);

/* True when the report has a finding above WARNING (exit code 1). */
bool doctor_report_failed(const json_t *report);

/* Table: SEVERITY ID ACCOUNT REGION RESOURCE MESSAGE, then a summary line;
 * with verbose, each finding's evidence and fix under it. */
int doctor_render_table(const json_t *report, bool verbose, struct buf *out, struct dr_err *err);
/* A self-contained HTML report (inline CSS, no scripts or external links). */
int doctor_render_html(const json_t *report, struct buf *out, struct dr_err *err);

#endif
