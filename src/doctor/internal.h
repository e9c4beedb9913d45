/*
 * internal.h - the seams between the doctor's files: the run context (the
 * AWS client, the data each account and account-region returned, the
 * findings), the async fetch helpers (fetch.c), finding construction
 * (findings.c), the policy-engine helpers (evalpol.c) and each check
 * family's entry point (trust.c, kms.c, drs.c, net.c, plan.c, launch.c). Internal
 * to src/doctor.
 */
#ifndef DROVER_DOCTOR_INTERNAL_H
#define DROVER_DOCTOR_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "doctor/doctor.h"
#include "policy/policy.h"

/* A principal account ID that belongs to nobody in the estate: trust and
 * key policies must not allow it (confused-deputy probes). */
#define DOCTOR_FOREIGN_ACCOUNT "000000000001"
#define DOCTOR_DEFAULT_RPO_MIN 15

/* One registered account as the run sees it. */
struct dacct {
    const struct doctor_account *a;
    struct cred_role role; /* the spoke role (owned copies) */
    bool assumed;          /* the real AssumeRole succeeded */
    json_t *data;          /* op -> output (IAM: GetRole, ListRoles) */
    json_t *errors;        /* op -> {code, message, status} */
};

/* One account-region. */
struct dar {
    struct dacct *acct;
    const char *region; /* borrowed from the account */
    json_t *data;       /* op -> output; "servers" -> DescribeSourceServers items */
    json_t *errors;
};

struct dctx {
    struct aws_client *c;
    const struct doctor_opts *o;
    struct dacct *accts;
    size_t naccts;
    struct dar *ars;
    size_t nars;
    char hub_arn[256]; /* the caller (GetCallerIdentity) */
    char hub_account[16];
    json_t *keys;     /* key ARN -> {"meta": KeyMetadata, "policy": doc, "error": {...}} */
    json_t *vpcs;     /* "acct|region" -> DescribeVpcs output of origin account-regions */
    json_t *findings; /* array */
    json_t *resolved; /* plan group name -> "acct|region" -> {server id: true} (plan.c) */
    json_t *launch;   /* "acct|region" -> the launch reads of the plan's servers (launch.c) */
    int rpo_minutes;  /* the plan's rpoTargetMinutes, else 15 */
};

/* ---- fetch.c: async calls on the client's loop ---- */
/* Starts one call for an account (region NULL: the account's first region)
 * storing its output under data[name] or its error under errors[name]. */
int dfetch(struct dctx *d, struct dacct *a, const char *region, const char *service, const char *op,
           json_t *input, json_t *data, json_t *errors, const char *name);
/* Same, following pagination and concatenating the list `key` into data[name]. */
int dfetch_all(struct dctx *d, struct dacct *a, const char *region, const char *service,
               const char *op, json_t *input, const char *key, json_t *data, json_t *errors,
               const char *name);
/* Runs the loop until every started call completed. */
int dfetch_wait(struct dctx *d, struct dr_err *err);
struct dacct *dctx_account(struct dctx *d, const char *account_id);
struct dar *dctx_ar(struct dctx *d, const char *account_id, const char *region);

/* ---- findings.c ---- */
/* Adds a finding of check `id` (its severity comes from the registry).
 * evidence and fix may be NULL. */
void dfind(struct dctx *d, const char *id, const char *account, const char *region,
           const char *resource, const char *evidence, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* True when an AWS error means "not allowed to read". */
bool derr_is_denied(const json_t *e);
/* Reports a failed read as the family's -000 finding. Returns true when
 * errors[op] was set (the caller then skips checks that need it). */
bool dread_failed(struct dctx *d, const char *check_id, const char *account, const char *region,
                  const json_t *errors, const char *op, const char *what);
/* Sorts by severity (highest first), then ID, account, region, resource,
 * and builds the report. New reference. */
json_t *dreport(struct dctx *d);

/* ---- evalpol.c: policy-engine helpers ---- */
struct dreq {
    const char *principal;
    enum policy_principal_type ptype;
    const char *action;
    const char *resource;
    /* the caller's own identity policies allow everything: a policy that
     * trusts the caller's account root then allows (IAM delegation) */
    bool caller_allows;
    /* up to 8 context keys; values NULL are left out */
    const char *keys[8];
    const char *vals[8];
};
/* Compiles doc as `kind`. NULL with *why set when it does not compile. */
struct policy *dpol_compile(const json_t *doc, enum policy_kind kind, const char *name, char *why,
                            size_t whylen);
enum policy_decision dpol_eval(const struct policy *p, const struct dreq *r);
/* The decision and the explanation lines for the statements that matched
 * or nearly matched, joined as "Sid 'X': detail; ..." into ev. Returns
 * the decision. *cond_key gets the condition key of the first failed
 * condition (static storage inside ev is not used: copied into key). */
enum policy_decision dpol_explain(const struct policy *p, const struct dreq *r, struct buf *ev,
                                  char *cond_key, size_t keylen);

/* ---- check families ---- */
void dcheck_trust(struct dctx *d);
void dcheck_kms_collect(struct dctx *d); /* starts DescribeKey/GetKeyPolicy calls */
void dcheck_kms(struct dctx *d);
void dcheck_drs(struct dctx *d);
void dcheck_net_collect(struct dctx *d); /* starts DescribeVpcs of origin account-regions */
void dcheck_net(struct dctx *d);
void dcheck_plan(struct dctx *d);
/* The servers a plan group selects, "acct|region" -> {id: true}, resolved
 * once (its LAUNCH-001/002 findings then); borrowed, NULL for an unknown group. */
json_t *dplan_group(struct dctx *d, const char *gname);
/* Launch readiness of the plan's servers, in three rounds of reads: the
 * DRS launch configurations, then their EC2 launch templates, then the
 * instance type offerings and network interfaces those need. */
void dcheck_launch_collect(struct dctx *d);
void dcheck_launch_templates(struct dctx *d);
void dcheck_launch_offerings(struct dctx *d);
void dcheck_launch(struct dctx *d);

/* ---- small helpers (findings.c) ---- */
/* The replication templates of an account-region (array, borrowed; may be empty). */
json_t *dar_templates(const struct dar *r);
/* DescribeSourceServers items (array, borrowed; may be empty). */
json_t *dar_servers(const struct dar *r);
/* The account ID field of an ARN into out ("" when malformed). */
void darn_account(const char *arn, char *out, size_t n);
void darn_region(const char *arn, char *out, size_t n);
/* A DRS quota of the account-region from ListServiceQuotas, or dflt. */
double dar_quota(const struct dar *r, const char *code, double dflt);
/* The first object of arr whose string member field equals id (borrowed). */
const json_t *dfind_by(const json_t *arr, const char *field, const char *id);
/* Is the server's replication healthy enough to count as replicating? */
bool dserver_replicating(const json_t *server);

#endif
