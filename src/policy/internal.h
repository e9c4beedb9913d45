/*
 * internal.h - the policy engine's compiled form and the helpers its files
 * share (arena, glob and ARN matching, conditions, variables, the
 * statement matcher used by eval.c and explain.c). Private to src/policy/.
 * Depends on core only.
 */
#ifndef DROVER_POLICY_INTERNAL_H
#define DROVER_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "policy/policy.h"

/* ---- arena: every allocation of a compiled policy, freed at once ---- */
struct arena_block;
struct arena {
    struct arena_block *head;
};
void *arena_alloc(struct arena *a, size_t n); /* zeroed; NULL on ENOMEM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* ---- patterns: actions, resources, condition values ---- */

/* The escape byte in compiled glob patterns: ESC c means the literal c
 * (from ${*}, ${?}, or resolved variable values). */
#define PAT_ESC '\x1b'

enum pat_kind {
    PAT_ANY,    /* "*" */
    PAT_EXACT,  /* no wildcard */
    PAT_PREFIX, /* literal prefix then one trailing "*" */
    PAT_GLOB,   /* general */
};

struct pat {
    const char *s; /* compiled (escapes as PAT_ESC c), NUL-terminated */
    uint32_t len;
    uint8_t kind;    /* enum pat_kind */
    bool has_var;    /* contains ${...} to resolve per request */
    const char *raw; /* as written, for explanations */
};

/* Classifies s (already escaped) into kind. */
void pat_classify(struct pat *p);
/* Glob match: '*' any run, '?' one char, PAT_ESC c literal. */
bool glob_match(const char *p, size_t plen, const char *s, size_t slen);
bool pat_match(const struct pat *p, const char *s, size_t slen);
/* Whether two globs can match a common string; whether every string that
 * `sub` matches is matched by `sup`. */
bool glob_intersects(const char *a, size_t alen, const char *b, size_t blen);
bool glob_subset(const char *sub, size_t sublen, const char *sup, size_t suplen);

/* ARN matching part by part: '*' does not cross ':' in the first five
 * parts; the resource part is matched as a whole. `req` may itself hold
 * wildcards when req_glob is set (the request names a pattern). */
enum arn_rel { ARN_MATCH, ARN_INTERSECT, ARN_SUBSET };
bool arn_match(const char *pat, size_t plen, const char *req, size_t rlen);
bool arn_relate(const char *pat, size_t plen, const char *req, size_t rlen, enum arn_rel rel);
/* Splits an ARN into its six parts (0 ok, -1 when not an ARN). */
struct arn_parts {
    const char *p[6];
    size_t n[6];
};
int arn_split(const char *s, size_t len, struct arn_parts *out);

/* ---- conditions ---- */

enum cond_op {
    OP_STRING_EQUALS,
    OP_STRING_NOT_EQUALS,
    OP_STRING_EQUALS_IC,
    OP_STRING_NOT_EQUALS_IC,
    OP_STRING_LIKE,
    OP_STRING_NOT_LIKE,
    OP_NUM_EQ,
    OP_NUM_NE,
    OP_NUM_LT,
    OP_NUM_LE,
    OP_NUM_GT,
    OP_NUM_GE,
    OP_DATE_EQ,
    OP_DATE_NE,
    OP_DATE_LT,
    OP_DATE_LE,
    OP_DATE_GT,
    OP_DATE_GE,
    OP_BOOL,
    OP_BINARY_EQUALS,
    OP_IP,
    OP_NOT_IP,
    OP_ARN_EQUALS,
    OP_ARN_LIKE,
    OP_ARN_NOT_EQUALS,
    OP_ARN_NOT_LIKE,
    OP_NULL,
    OP__COUNT
};

enum cond_set { SET_NONE, SET_ALL, SET_ANY };

struct cval {
    struct pat pat; /* the string (escaped for Like/Arn operators) */
    double num;     /* numeric, date (epoch ms) */
    bool num_ok;
    uint8_t ip[16]; /* IpAddress: network, 16 bytes (v4 mapped) */
    int prefix;     /* bits, -1 when the value is not a valid CIDR */
    bool v4;
};

struct cond {
    enum cond_op op;
    enum cond_set set;
    bool if_exists;
    const char *op_name; /* as written */
    const char *key;     /* as written */
    size_t keylen;
    struct cval *vals;
    size_t nvals;
};

/* The operator's name table entry: name, negated?, family. */
bool cond_op_negated(enum cond_op op);
int cond_op_parse(const char *name, enum cond_op *op, enum cond_set *set, bool *if_exists);
/* Compiles one condition value for op. -DR_EINVAL when invalid, -DR_ENOMEM. */
int cond_value_compile(struct arena *a, enum cond_op op, const char *s, bool v2012,
                       struct cval *out);

/* Why a condition failed, for explanations. */
struct cond_fail {
    const struct cond *cond;
    bool missing;       /* the key was absent */
    bool unresolved;    /* a policy variable could not be resolved */
    const char *actual; /* first request value, borrowed */
    const char *var;    /* unresolved variable, borrowed (not NUL-terminated) */
    size_t varlen;
};

struct eval_req; /* below */
/* True when every condition holds. On false and fail != NULL, records the
 * first failing condition. */
bool conds_match(const struct cond *c, size_t n, const struct eval_req *r, struct cond_fail *fail);

/* ---- variables ---- */

/* Resolves ${...} in s into out (capacity cap). glob: escape wildcards of
 * substituted values and turn ${*} ${?} into escaped literals; otherwise
 * produce the plain string. Returns length, or -1 when a variable is
 * unresolved (its name in var and varlen), -2 when out is too small. */
long var_resolve(const char *s, size_t len, bool glob, const struct eval_req *r, char *out,
                 size_t cap, const char **var, size_t *varlen);
/* Compiles written text into a pattern source: with glob, '*'/'?' stay
 * wildcards and ${*} ${?} ${$} become literals; variables are kept as
 * written (has_var). Without v2012, ${ is literal. Returns NULL on ENOMEM. */
char *var_compile(struct arena *a, const char *s, size_t len, bool glob, bool v2012, bool *has_var,
                  size_t *outlen);

/* ---- statements and policies ---- */

enum pr_kind { PR_ANY, PR_ACCOUNT, PR_ARN, PR_SERVICE, PR_FEDERATED, PR_CANONICAL };

struct principal_ent {
    enum pr_kind kind;
    const char *val;
    size_t len;
    char account[16]; /* PR_ACCOUNT */
    size_t account_len;
    /* PR_ARN of an IAM role or user, precomputed to match sessions:
     * 1 role, 2 user, 0 other; partition, account and the last path
     * component of the name, all slices of val. */
    uint8_t iam_kind;
    const char *part, *acct, *name;
    size_t part_len, acct_len, name_len;
};

enum pr_elem { PE_NONE, PE_PRINCIPAL, PE_NOT_PRINCIPAL };

struct stmt {
    int index;
    const char *sid; /* NULL when none */
    bool allow;
    bool not_action;
    struct pat *actions;
    size_t nactions;
    bool has_resource; /* false: no Resource element (trust policies) */
    bool not_resource;
    struct pat *resources;
    size_t nresources;
    enum pr_elem pelem;
    struct principal_ent *princ;
    size_t nprinc;
    struct cond *conds;
    size_t nconds;
};

struct policy {
    struct arena arena;
    enum policy_kind kind;
    const char *name;
    bool v2012;
    struct stmt *stmts;
    size_t nstmts;
};

/* ---- evaluation ---- */

#define EVAL_ACTION_MAX 256

/* A request prepared once per evaluation (no heap). */
struct eval_req {
    const struct policy_request *q;
    char action[EVAL_ACTION_MAX]; /* lowercased */
    size_t action_len;
    const char *resource;
    size_t resource_len;
    bool resource_glob; /* the request resource holds wildcards */
    bool wildcard_only; /* the action takes no resource ARN ("*" is literal) */
    enum policy_principal_type ptype;
    const char *principal; /* NULL for anonymous */
    size_t principal_len;
    const char *paccount; /* principal account, may be "" */
    size_t paccount_len;
    const char *raccount;
    size_t raccount_len;
    bool p_arn; /* the principal is an ARN, split in pp */
    struct arn_parts pp;
    bool has_boundary; /* for NotPrincipal+Deny in resource policies */
};

/* How a statement's principal element matched. */
enum pmatch {
    PM_NONE = 0,
    PM_ACCOUNT,      /* account ID or :root: delegates to the account's IAM */
    PM_SESSION_ROLE, /* role ARN named, the request is a session of it */
    PM_SESSION_USER, /* user ARN named, the request is its federated session */
    PM_EXACT,        /* the exact principal ARN */
    PM_WILDCARD,     /* "*" */
};

/* Statement match outcome, with what failed (for explanations). */
enum smiss { SM_OK, SM_ACTION, SM_RESOURCE, SM_PRINCIPAL, SM_CONDITION, SM_NOPRINCIPAL };

struct smatch {
    enum smiss miss;
    enum pmatch pm;
    struct cond_fail cf;
};

/* uses_principal: 0 the element is ignored (identity, boundary, session,
 * SCP, RCP), 1 required (resource, trust, key policies: a statement
 * without one never applies), 2 optional (endpoint policies: none = all). */
bool stmt_match(const struct stmt *s, const struct eval_req *r, int uses_principal,
                struct smatch *m);
int eval_prepare(const struct policy_request *q, const struct policy_set *set, struct eval_req *r);
/* Finds a context entry by key (case-insensitive), or NULL. */
const struct policy_ctx_entry *ctx_find(const struct eval_req *r, const char *key, size_t keylen);

/* The explanation collector; NULL on the fast path. */
struct explainer;
enum policy_decision eval_run(const struct policy_set *set, const struct eval_req *r,
                              struct explainer *ex);
void explain_stmt(struct explainer *ex, const char *stage, const struct policy *p,
                  const struct stmt *s, const struct smatch *m);
void explain_note(struct explainer *ex, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
