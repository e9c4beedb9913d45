/*
 * policy.h - drover's IAM policy engine: compile policy documents once,
 * then decide many requests the way AWS does (explicit deny, SCPs and RCPs
 * per organization level, VPC endpoint policies, resource/trust/key
 * policy, identity policies, permission boundary, session policy), with a
 * human-readable explanation built only on demand.
 *
 * Typical use (the simulator on every AssumeRole, `drover doctor`):
 *
 *     struct policy *trust;
 *     policy_compile(json, len, POLICY_TRUST, "trust of DRSRole", &trust, err);
 *     struct policy_set set = {.resource = trust};
 *     struct policy_request req = {.principal = arn, .action = "sts:AssumeRole",
 *                                  .resource = role_arn, .ctx = kv, .nctx = n};
 *     enum policy_decision d = policy_evaluate(&set, &req);   // no allocation
 *     if (d != POLICY_ALLOWED) policy_explain_text(&set, &req, &buf);
 *
 * Compiled policies are immutable and may be shared between threads. All
 * strings in a request and a set are borrowed for the call only.
 * Depends on core (buf, err) and jansson. Must not depend on aws/ or sim/.
 */
#ifndef DROVER_POLICY_POLICY_H
#define DROVER_POLICY_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Policy documents larger than this are rejected (AWS's largest, SCPs and
 * key policies, are 5-32 KB; this is a defence against hostile input). */
#define POLICY_MAX_BYTES ((size_t)128 * 1024)
/* JSON nesting deeper than this is rejected before parsing. */
#define POLICY_MAX_DEPTH 16

/* What a policy is attached as; it decides which elements are required and
 * how the decision chain treats it. */
enum policy_kind {
    POLICY_IDENTITY = 0, /* user/role inline or managed policy */
    POLICY_RESOURCE,     /* bucket policy, queue policy, ... */
    POLICY_TRUST,        /* role trust policy (must allow by itself) */
    POLICY_KEY,          /* KMS key policy (must allow by itself) */
    POLICY_SCP,          /* service control policy */
    POLICY_RCP,          /* resource control policy */
    POLICY_BOUNDARY,     /* permission boundary */
    POLICY_SESSION,      /* session policy passed to AssumeRole */
    POLICY_ENDPOINT      /* VPC endpoint policy */
};

enum policy_decision {
    POLICY_IMPLICIT_DENY = 0,
    POLICY_ALLOWED = 1,
    POLICY_EXPLICIT_DENY = 2,
};

/* "Allowed", "ImplicitlyDenied", "ExplicitlyDenied". */
const char *policy_decision_name(enum policy_decision d);
/* "identity", "resource", ... */
const char *policy_kind_name(enum policy_kind k);
/* Parses a kind name as above. 0 or -DR_EINVAL. */
int policy_kind_parse(const char *s, enum policy_kind *out);

struct policy; /* opaque, immutable once compiled */

/*
 * Compiles a policy document (JSON text, at most POLICY_MAX_BYTES). `name`
 * labels it in explanations (copied; NULL means the kind's name). On bad
 * input returns -DR_EINVAL with a message naming the path, for example
 * "Statement[2].Condition.StringLike: ...". OUT *out, free with policy_free.
 */
int policy_compile(const char *text, size_t len, enum policy_kind kind, const char *name,
                   struct policy **out, struct dr_err *err);
/* The same from a parsed document (borrowed). */
int policy_compile_json(const json_t *doc, enum policy_kind kind, const char *name,
                        struct policy **out, struct dr_err *err);
void policy_free(struct policy *p);
const char *policy_name(const struct policy *p);
enum policy_kind policy_get_kind(const struct policy *p);
size_t policy_statement_count(const struct policy *p);

/* One condition key of the request context and its value(s). Key names are
 * matched case-insensitively. A single value is nvals = 1 with is_list false;
 * a list (for ForAllValues/ForAnyValue) sets is_list (nvals may be 0). */
struct policy_ctx_entry {
    const char *key;
    const char *const *vals;
    size_t nvals;
    bool is_list;
};

enum policy_principal_type {
    POLICY_PRINCIPAL_AUTO = 0, /* derive from the principal string */
    POLICY_PRINCIPAL_ANONYMOUS,
    POLICY_PRINCIPAL_ROOT,         /* arn:...:iam::ACCT:root */
    POLICY_PRINCIPAL_USER,         /* arn:...:iam::ACCT:user/... */
    POLICY_PRINCIPAL_ROLE,         /* arn:...:iam::ACCT:role/... */
    POLICY_PRINCIPAL_ASSUMED_ROLE, /* arn:...:sts::ACCT:assumed-role/ROLE/SESSION */
    POLICY_PRINCIPAL_FEDERATED_USER,
    POLICY_PRINCIPAL_SERVICE, /* drs.amazonaws.com */
    POLICY_PRINCIPAL_OTHER,
};

struct policy_request {
    const char *principal; /* ARN or service principal; NULL = anonymous */
    enum policy_principal_type principal_type;
    const char *principal_account; /* NULL: from the principal ARN */
    const char *action;            /* "sts:AssumeRole" */
    const char *resource;          /* ARN, "*", or an ARN pattern with * and ? */
    const char *resource_account;  /* NULL: from the ARN, else the principal's */
    const struct policy_ctx_entry *ctx;
    size_t nctx;
};

/* An organization level (root, OU, account) and its SCPs or RCPs. Every
 * level must allow. For RCPs, AWS attaches RCPFullAWSAccess at every level:
 * include policy_default_rcp() yourself (the engine evaluates what it gets). */
struct policy_level {
    const char *org_id; /* label for explanations */
    const struct policy *const *policies;
    size_t npolicies;
};

/* The policies that apply to one request, by their role in the chain. All
 * pointers are borrowed. A NULL/0 member means "none attached". */
struct policy_set {
    const struct policy *const *identity;
    size_t nidentity;
    const struct policy *resource; /* resource, trust or key policy */
    const struct policy *const *boundary;
    size_t nboundary;
    const struct policy *session;
    const struct policy *const *endpoint;
    size_t nendpoint;
    const struct policy_level *scp;
    size_t nscp;
    const struct policy_level *rcp;
    size_t nrcp;
};

/* The decision, without allocating. */
enum policy_decision policy_evaluate(const struct policy_set *set,
                                     const struct policy_request *req);

/*
 * The decision and a human explanation: one line per matched or nearly
 * matched statement per stage (policy name, Sid, why), then the verdict.
 * `lines` (may be NULL) receives a JSON array of {stage, policy, sid,
 * effect, result, detail, text} objects (new reference).
 */
int policy_explain(const struct policy_set *set, const struct policy_request *req,
                   enum policy_decision *decision, struct buf *text, json_t **lines,
                   struct dr_err *err);

/* The allow-all RCP AWS attaches at every level (compiled once per call;
 * free with policy_free). */
int policy_default_rcp(struct policy **out, struct dr_err *err);

/* ---- conformance-case files (../shared/testdata/iam-policy-cases format) ---- */

struct policy_case; /* one compiled case: request + policies + expected */

/* Compiles one case object. `path` labels errors ("cases.json[3]"). */
int policy_case_compile(const json_t *c, const char *path, struct policy_case **out,
                        struct dr_err *err);
void policy_case_free(struct policy_case *c);
const char *policy_case_name(const struct policy_case *c);
/* Strict-mode cases only count; Discovery cases report false. */
bool policy_case_is_strict(const struct policy_case *c);
/* Expected response, or -1 when the case has none. */
int policy_case_expected(const struct policy_case *c);
const struct policy_set *policy_case_set(const struct policy_case *c);
const struct policy_request *policy_case_request(const struct policy_case *c);
/* Evaluates the case (fast path). */
enum policy_decision policy_case_run(const struct policy_case *c);

#endif
