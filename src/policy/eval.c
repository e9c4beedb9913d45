/*
 * eval.c - the IAM decision chain, as AWS documents it: an explicit deny
 * anywhere wins; every SCP and RCP level must allow; VPC endpoint policies
 * must allow; then the resource policy and identity policies, limited by
 * the permission boundary and the session policy. Within one account a
 * resource policy naming the principal allows on its own, except trust
 * and KMS key policies, which must allow themselves (naming the account
 * root delegates to IAM, so an identity allow is needed too). Across
 * accounts both sides must allow. The same code runs with a NULL
 * explainer on the fast path (no heap) and with one to explain.
 * Depends on internal.h and core only.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
#include "policy/internal.h"

/* ---- request preparation ---- */

const struct policy_ctx_entry *ctx_find(const struct eval_req *r, const char *key, size_t keylen)
{
    size_t i;
    for (i = 0; i < r->q->nctx; i++) {
        const char *k = r->q->ctx[i].key;
        if (k && strncasecmp(k, key, keylen) == 0 && k[keylen] == '\0')
            return &r->q->ctx[i];
    }
    return NULL;
}

/*
 * Actions that take no resource ARN (the Service Authorization Reference
 * lists "*" as their only resource): for them a request for "*" is the
 * literal resource "*", so only Resource "*" (or a NotResource that
 * excludes it) applies. A small table of the ones drover meets; any other
 * action with resource "*" is read as "some resource" (a pattern).
 */
static const char *const wildcard_only_actions[] = {
    "s3:listallmybuckets", "sts:getcalleridentity",  "kms:createkey", "kms:listkeys",
    "kms:listaliases",     "kms:generaterandom",     "iam:listroles", "iam:listpolicies",
    "iam:listusers",       "iam:listaccountaliases",
};

static bool is_wildcard_only(const char *action)
{
    size_t i;
    for (i = 0; i < sizeof(wildcard_only_actions) / sizeof(wildcard_only_actions[0]); i++) {
        if (strcmp(action, wildcard_only_actions[i]) == 0)
            return true;
    }
    return false;
}

static enum policy_principal_type detect_type(const char *p, struct arn_parts *ap, bool *arn)
{
    size_t len = strlen(p);
    struct str svc, res;

    *arn = false;
    if (arn_split(p, len, ap) < 0)
        return strchr(p, '.') ? POLICY_PRINCIPAL_SERVICE : POLICY_PRINCIPAL_OTHER;
    *arn = true;
    svc = (struct str){ap->p[2], ap->n[2]};
    res = (struct str){ap->p[5], ap->n[5]};
    if (str_eq_cstr(svc, "iam")) {
        if (str_eq_cstr(res, "root"))
            return POLICY_PRINCIPAL_ROOT;
        if (str_starts_with(res, "user/"))
            return POLICY_PRINCIPAL_USER;
        if (str_starts_with(res, "role/"))
            return POLICY_PRINCIPAL_ROLE;
    } else if (str_eq_cstr(svc, "sts")) {
        if (str_starts_with(res, "assumed-role/"))
            return POLICY_PRINCIPAL_ASSUMED_ROLE;
        if (str_starts_with(res, "federated-user/"))
            return POLICY_PRINCIPAL_FEDERATED_USER;
    }
    return POLICY_PRINCIPAL_OTHER;
}

int eval_prepare(const struct policy_request *q, const struct policy_set *set, struct eval_req *r)
{
    struct arn_parts ap;
    size_t i, n;
    bool arn = false;

    memset(r, 0, sizeof(*r));
    r->q = q;
    n = q->action ? strlen(q->action) : 0;
    if (n >= sizeof(r->action))
        return -DR_EINVAL;
    for (i = 0; i < n; i++)
        r->action[i] = (char)tolower((unsigned char)q->action[i]);
    r->action[n] = '\0';
    r->action_len = n;
    r->resource = q->resource ? q->resource : "*";
    r->resource_len = strlen(r->resource);
    if (memchr(r->resource, '*', r->resource_len) || memchr(r->resource, '?', r->resource_len)) {
        r->wildcard_only = is_wildcard_only(r->action);
        r->resource_glob = !r->wildcard_only;
    }
    r->principal = q->principal;
    r->ptype = q->principal_type;
    if (!q->principal) {
        r->ptype = POLICY_PRINCIPAL_ANONYMOUS;
    } else {
        enum policy_principal_type t = detect_type(q->principal, &r->pp, &arn);
        if (r->ptype == POLICY_PRINCIPAL_AUTO)
            r->ptype = t;
        r->p_arn = arn;
        r->principal_len = strlen(q->principal);
    }
    r->paccount = "";
    if (q->principal_account) {
        r->paccount = q->principal_account;
        r->paccount_len = strlen(q->principal_account);
    } else if (arn) {
        r->paccount = r->pp.p[4];
        r->paccount_len = r->pp.n[4];
    }
    if (q->resource_account) {
        r->raccount = q->resource_account;
        r->raccount_len = strlen(q->resource_account);
    } else if (arn_split(r->resource, r->resource_len, &ap) == 0 && ap.n[4]) {
        r->raccount = ap.p[4];
        r->raccount_len = ap.n[4];
    } else {
        r->raccount = r->paccount; /* unknown: taken as the principal's own */
        r->raccount_len = r->paccount_len;
    }
    r->has_boundary = set && set->nboundary > 0;
    return 0;
}

/* ---- statement matching ---- */

static bool action_matches(const struct stmt *s, const struct eval_req *r)
{
    size_t i;
    for (i = 0; i < s->nactions; i++) {
        if (pat_match(&s->actions[i], r->action, r->action_len))
            return !s->not_action;
    }
    return s->not_action;
}

#define RES_MAX 2048

static bool resource_matches(const struct stmt *s, const struct eval_req *r)
{
    char tmp[RES_MAX];
    enum arn_rel rel;
    size_t i;
    bool any = false;

    if (!s->has_resource)
        return true;
    /* For a request naming a pattern: an Allow applies when it covers some
     * of it, a Deny only when it covers all of it. */
    if (!r->resource_glob)
        rel = ARN_MATCH;
    else if (s->allow != s->not_resource)
        rel = ARN_INTERSECT;
    else
        rel = ARN_SUBSET;
    for (i = 0; i < s->nresources && !any; i++) {
        const struct pat *p = &s->resources[i];
        const char *ps = p->s;
        size_t plen = p->len;
        if (p->kind == PAT_ANY) {
            any = true;
            break;
        }
        if (p->has_var) {
            const char *var;
            size_t varlen;
            long n = var_resolve(p->s, p->len, true, r, tmp, sizeof(tmp), &var, &varlen);
            if (n < 0)
                continue; /* an unresolved variable matches nothing */
            ps = tmp;
            plen = (size_t)n;
        } else if (p->kind == PAT_EXACT && rel == ARN_MATCH) {
            any = plen == r->resource_len && memcmp(ps, r->resource, plen) == 0;
            continue;
        }
        if (rel == ARN_MATCH)
            any = arn_match(ps, plen, r->resource, r->resource_len);
        else
            any = arn_relate(ps, plen, r->resource, r->resource_len, rel);
    }
    return any != s->not_resource;
}

/* A role (or user) ARN named in a policy vs the request's session ARN
 * (arn:P:sts::A:assumed-role/NAME/SESSION or federated-user/NAME): same
 * partition and account, and NAME equals the last component of the
 * role's (or user's) name, since session ARNs drop the path. */
static bool session_of(const struct principal_ent *e, const struct eval_req *r, uint8_t iam_kind)
{
    struct str res, name;
    size_t skip;

    if (e->iam_kind != iam_kind || !r->p_arn)
        return false;
    if (e->part_len != r->pp.n[1] || memcmp(e->part, r->pp.p[1], e->part_len) != 0 ||
        e->acct_len != r->pp.n[4] || memcmp(e->acct, r->pp.p[4], e->acct_len) != 0)
        return false;
    res = (struct str){r->pp.p[5], r->pp.n[5]};
    skip = iam_kind == 1 ? sizeof("assumed-role/") - 1 : sizeof("federated-user/") - 1;
    if (res.len <= skip)
        return false;
    name = (struct str){res.p + skip, res.len - skip};
    if (iam_kind == 1) {
        const char *slash = memchr(name.p, '/', name.len);
        if (!slash)
            return false;
        name.len = (size_t)(slash - name.p);
    }
    return name.len == e->name_len && memcmp(name.p, e->name, name.len) == 0;
}

static enum pmatch ent_match(const struct principal_ent *e, const struct eval_req *r)
{
    if (e->kind == PR_ANY)
        return PM_WILDCARD;
    if (r->ptype == POLICY_PRINCIPAL_ANONYMOUS)
        return PM_NONE;
    switch (e->kind) {
    case PR_ACCOUNT:
        return r->ptype != POLICY_PRINCIPAL_SERVICE && r->paccount_len &&
                       e->account_len == r->paccount_len &&
                       memcmp(e->account, r->paccount, r->paccount_len) == 0
                   ? PM_ACCOUNT
                   : PM_NONE;
    case PR_ARN:
        if (e->len == r->principal_len && memcmp(e->val, r->principal, e->len) == 0)
            return PM_EXACT;
        if (r->ptype == POLICY_PRINCIPAL_ASSUMED_ROLE && session_of(e, r, 1))
            return PM_SESSION_ROLE;
        if (r->ptype == POLICY_PRINCIPAL_FEDERATED_USER && session_of(e, r, 2))
            return PM_SESSION_USER;
        return PM_NONE;
    case PR_SERVICE:
        return e->len == r->principal_len && strncasecmp(e->val, r->principal, e->len) == 0
                   ? PM_EXACT
                   : PM_NONE;
    case PR_FEDERATED:
    case PR_CANONICAL:
        return e->len == r->principal_len && memcmp(e->val, r->principal, e->len) == 0 ? PM_EXACT
                                                                                       : PM_NONE;
    case PR_ANY:
        break;
    }
    return PM_NONE;
}

static enum pmatch principal_matches(const struct stmt *s, const struct eval_req *r)
{
    enum pmatch best = PM_NONE;
    size_t i;

    if (s->pelem == PE_NOT_PRINCIPAL) {
        /* AWS: a Deny with NotPrincipal always denies principals that have
         * a permissions boundary (access_policies_boundaries.html). */
        if (!s->allow && r->has_boundary)
            return PM_WILDCARD;
        for (i = 0; i < s->nprinc; i++) {
            if (ent_match(&s->princ[i], r) != PM_NONE)
                return PM_NONE;
        }
        return PM_WILDCARD;
    }
    for (i = 0; i < s->nprinc; i++) {
        enum pmatch m = ent_match(&s->princ[i], r);
        if (m > best)
            best = m;
    }
    return best;
}

bool stmt_match(const struct stmt *s, const struct eval_req *r, int uses_principal,
                struct smatch *m)
{
    m->pm = PM_EXACT;
    m->miss = SM_OK;
    if (!action_matches(s, r)) {
        m->miss = SM_ACTION;
        return false;
    }
    if (!resource_matches(s, r)) {
        m->miss = SM_RESOURCE;
        return false;
    }
    if (uses_principal) {
        if (s->pelem == PE_NONE && uses_principal == 2) {
            m->pm = PM_WILDCARD; /* an endpoint policy without Principal applies to all */
        } else if (s->pelem == PE_NONE) {
            m->pm = PM_NONE;
            m->miss = SM_NOPRINCIPAL;
            return false;
        } else {
            m->pm = principal_matches(s, r);
        }
        if (m->pm == PM_NONE) {
            m->miss = SM_PRINCIPAL;
            return false;
        }
    }
    if (s->nconds && !conds_match(s->conds, s->nconds, r, &m->cf)) {
        m->miss = SM_CONDITION;
        return false;
    }
    return true;
}

/* ---- stages ---- */

struct stage_result {
    bool denied;
    bool allowed;
    enum pmatch best_allow; /* strongest principal match among allows */
};

static void eval_policy(const struct policy *p, const struct eval_req *r, int uses_principal,
                        const char *stage, struct explainer *ex, struct stage_result *out)
{
    size_t i;
    struct smatch m;

    for (i = 0; i < p->nstmts; i++) {
        const struct stmt *s = &p->stmts[i];
        bool hit;
        if (!ex && (s->allow ? out->allowed && (!uses_principal || out->best_allow == PM_WILDCARD)
                             : out->denied))
            continue; /* nothing this statement could change */
        hit = stmt_match(s, r, uses_principal, &m);
        if (ex)
            explain_stmt(ex, stage, p, s, &m);
        if (!hit)
            continue;
        if (s->allow) {
            out->allowed = true;
            if (m.pm > out->best_allow)
                out->best_allow = m.pm;
        } else {
            out->denied = true;
        }
    }
}

static void eval_list(const struct policy *const *ps, size_t n, const struct eval_req *r,
                      int uses_principal, const char *stage, struct explainer *ex,
                      struct stage_result *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (ps[i])
            eval_policy(ps[i], r, uses_principal, stage, ex, out);
    }
}

/* Every level must allow; a deny at any level is recorded. Returns ok. */
static bool eval_levels(const struct policy_level *lv, size_t n, const struct eval_req *r,
                        const char *stage, struct explainer *ex, bool *denied)
{
    size_t i;
    bool ok = true;

    for (i = 0; i < n; i++) {
        struct stage_result sr = {0};
        eval_list(lv[i].policies, lv[i].npolicies, r, 0, stage, ex, &sr);
        if (sr.denied)
            *denied = true;
        if (!sr.allowed) {
            ok = false;
            if (ex)
                explain_note(ex, stage, "no %s at level '%s' allows %s", stage,
                             lv[i].org_id ? lv[i].org_id : "?", r->q->action);
            if (!ex)
                return false;
        }
    }
    return ok;
}

/* AWS-owned resources nobody may change, whatever the policies say:
 * AWS managed policies (arn:aws:iam::aws:policy/...), roles under the
 * /aws-reserved/ path (IAM Identity Center), and alias/aws/ KMS aliases. */
static const char *aws_owned_guard(const struct eval_req *r)
{
    struct arn_parts ap;
    struct str res, name;

    if (r->action_len < 4 ||
        (memcmp(r->action, "iam:", 4) != 0 && memcmp(r->action, "kms:", 4) != 0))
        return NULL;
    if (arn_split(r->resource, r->resource_len, &ap) < 0)
        return NULL;
    res = (struct str){ap.p[5], ap.n[5]};
    if (str_starts_with((struct str){r->action, r->action_len}, "iam:")) {
        bool owned = (str_eq_cstr((struct str){ap.p[4], ap.n[4]}, "aws") &&
                      str_starts_with(res, "policy/")) ||
                     str_starts_with(res, "role/aws-reserved/");
        if (!owned)
            return NULL;
        name = (struct str){r->action + 4, r->action_len - 4};
        if (str_starts_with(name, "get") || str_starts_with(name, "list") ||
            str_starts_with(name, "generate") || str_starts_with(name, "simulate"))
            return NULL;
        return "the resource is owned by AWS (an AWS managed policy or an aws-reserved role) and "
               "cannot be changed";
    }
    if (str_starts_with((struct str){r->action, r->action_len}, "kms:") &&
        str_starts_with(res, "alias/aws/") &&
        (strcmp(r->action, "kms:createalias") == 0 || strcmp(r->action, "kms:deletealias") == 0 ||
         strcmp(r->action, "kms:updatealias") == 0))
        return "alias/aws/ names are reserved for AWS managed keys";
    return NULL;
}

/* kms: requests on a key ARN: the key policy must allow (every key has
 * one; IAM policies count only when it delegates to the account). */
static bool kms_key_resource(const struct eval_req *r)
{
    struct arn_parts ap;
    return str_starts_with((struct str){r->action, r->action_len}, "kms:") &&
           arn_split(r->resource, r->resource_len, &ap) == 0 &&
           str_starts_with((struct str){ap.p[5], ap.n[5]}, "key/");
}

static enum policy_decision verdict(struct explainer *ex, enum policy_decision d, const char *msg,
                                    const char *more)
{
    if (ex)
        explain_note(ex, "decision", "%s%s", msg, more ? more : "");
    return d;
}

enum policy_decision eval_run(const struct policy_set *set, const struct eval_req *r,
                              struct explainer *ex)
{
    struct stage_result rp = {0}, id = {0}, pb = {0}, sp = {0}, ep = {0};
    bool denied = false, scp_ok = true, rcp_ok = true, ep_ok = true;
    bool anonymous = r->ptype == POLICY_PRINCIPAL_ANONYMOUS;
    bool service = r->ptype == POLICY_PRINCIPAL_SERVICE;
    const char *guard;
    size_t i;

    if (r->action_len == 21 && memcmp(r->action, "sts:getcalleridentity", 21) == 0)
        return verdict(ex, POLICY_ALLOWED,
                       "Allowed: sts:GetCallerIdentity needs no permission and cannot be denied",
                       NULL);

    /* SCPs apply to the organization's own principals, not to anonymous
     * callers or AWS service principals. */
    if (!anonymous && !service && set->nscp)
        scp_ok = eval_levels(set->scp, set->nscp, r, "SCP", ex, &denied);
    if (set->nrcp)
        rcp_ok = eval_levels(set->rcp, set->nrcp, r, "RCP", ex, &denied);
    for (i = 0; i < set->nendpoint; i++) {
        struct stage_result one = {0};
        if (!set->endpoint[i])
            continue;
        eval_policy(set->endpoint[i], r, 2, "endpoint", ex, &one);
        ep.denied |= one.denied;
        if (!one.allowed)
            ep_ok = false;
    }
    if (set->resource)
        eval_policy(set->resource, r, 1, policy_kind_name(set->resource->kind), ex, &rp);
    eval_list(set->identity, set->nidentity, r, 0, "identity", ex, &id);
    if (set->nboundary)
        eval_list(set->boundary, set->nboundary, r, 0, "boundary", ex, &pb);
    if (set->session)
        eval_policy(set->session, r, 0, "session", ex, &sp);

    if (denied || ep.denied || rp.denied || id.denied || pb.denied || sp.denied)
        return verdict(ex, POLICY_EXPLICIT_DENY,
                       "ExplicitlyDenied: a Deny statement matched (an explicit deny wins)", NULL);
    if (!scp_ok)
        return verdict(ex, POLICY_IMPLICIT_DENY,
                       "ImplicitlyDenied: an SCP level does not allow the action", NULL);
    if (!rcp_ok)
        return verdict(ex, POLICY_IMPLICIT_DENY,
                       "ImplicitlyDenied: an RCP level does not allow the action", NULL);
    if (!ep_ok)
        return verdict(ex, POLICY_IMPLICIT_DENY,
                       "ImplicitlyDenied: the VPC endpoint policy does not allow the request",
                       NULL);
    if (set->session && !sp.allowed)
        return verdict(ex, POLICY_IMPLICIT_DENY,
                       "ImplicitlyDenied: the session policy does not allow the action", NULL);

    bool rp_direct = rp.allowed && rp.best_allow >= PM_SESSION_ROLE;
    bool rp_account = rp.allowed && rp.best_allow == PM_ACCOUNT;
    bool strict =
        set->resource && (set->resource->kind == POLICY_TRUST || set->resource->kind == POLICY_KEY);
    enum policy_decision d = POLICY_IMPLICIT_DENY;
    const char *why;

    if (anonymous || service) {
        d = rp_direct ? POLICY_ALLOWED : POLICY_IMPLICIT_DENY;
        why = rp_direct ? "Allowed: the resource policy allows this principal"
                        : (anonymous ? "ImplicitlyDenied: anonymous requests need a resource "
                                       "policy that allows \"*\""
                                     : "ImplicitlyDenied: a service principal needs a resource "
                                       "policy that names it");
    } else if (r->paccount_len == r->raccount_len &&
               memcmp(r->paccount, r->raccount, r->paccount_len) == 0) {
        if (set->nboundary && !pb.allowed) {
            /* Only a resource policy naming the user or session itself (or
             * "*") is not limited by the boundary. */
            bool bypass =
                rp.allowed &&
                (rp.best_allow == PM_WILDCARD ||
                 (rp.best_allow == PM_EXACT &&
                  (r->ptype == POLICY_PRINCIPAL_USER || r->ptype == POLICY_PRINCIPAL_ASSUMED_ROLE ||
                   r->ptype == POLICY_PRINCIPAL_FEDERATED_USER)));
            d = bypass ? POLICY_ALLOWED : POLICY_IMPLICIT_DENY;
            why = bypass ? "Allowed: the resource policy names this principal, so the "
                           "permission boundary does not limit it"
                         : "ImplicitlyDenied: the permission boundary does not allow the action";
        } else if (rp_direct) {
            d = POLICY_ALLOWED;
            why = "Allowed: the resource policy allows this principal (same account)";
        } else {
            bool trusted = !strict || rp_account;
            if (!set->resource)
                trusted = !kms_key_resource(r);
            d = trusted && id.allowed ? POLICY_ALLOWED : POLICY_IMPLICIT_DENY;
            if (d == POLICY_ALLOWED)
                why = "Allowed: an identity policy allows the action (same account)";
            else if (!set->resource && !trusted)
                why = "ImplicitlyDenied: a KMS key is governed by its key policy, and none was "
                      "given (IAM policies alone cannot allow use of a key)";
            else if (!trusted)
                why = set->resource->kind == POLICY_TRUST
                          ? "ImplicitlyDenied: the trust policy does not allow this principal "
                            "(a trust policy must allow by itself)"
                          : "ImplicitlyDenied: the key policy does not allow this principal "
                            "(a key policy must allow by itself)";
            else if (rp_account)
                why = "ImplicitlyDenied: the resource policy delegates to the account (root), "
                      "and no identity policy allows the action";
            else
                why = "ImplicitlyDenied: no identity or resource policy allows the action";
        }
    } else {
        if (set->nboundary && !pb.allowed) {
            why = "ImplicitlyDenied: the permission boundary does not allow the action";
        } else if (!(rp_direct || rp_account)) {
            if (!set->resource)
                why = "ImplicitlyDenied: cross-account, and there is no resource policy to allow "
                      "it";
            else if (set->resource->kind == POLICY_TRUST)
                why = "ImplicitlyDenied: cross-account, and the role's trust policy does not allow "
                      "this principal or its account";
            else if (set->resource->kind == POLICY_KEY)
                why = "ImplicitlyDenied: cross-account, and the key policy does not allow this "
                      "principal or its account";
            else
                why = "ImplicitlyDenied: cross-account, and the resource policy does not allow "
                      "this principal or its account";
        } else if (!id.allowed) {
            why = "ImplicitlyDenied: cross-account, and no identity policy in the principal's "
                  "account allows the action (both sides must allow)";
        } else {
            d = POLICY_ALLOWED;
            why = "Allowed: cross-account, allowed by both the resource policy and an identity "
                  "policy";
        }
    }
    if (d == POLICY_ALLOWED && (guard = aws_owned_guard(r)))
        return verdict(ex, POLICY_IMPLICIT_DENY, "ImplicitlyDenied: ", guard);
    return verdict(ex, d, why, NULL);
}

enum policy_decision policy_evaluate(const struct policy_set *set, const struct policy_request *req)
{
    struct eval_req r;
    if (eval_prepare(req, set, &r) < 0)
        return POLICY_IMPLICIT_DENY;
    return eval_run(set, &r, NULL);
}
