/*
 * trust.c - the trust-chain checks: the hub really assumes each spoke
 * role (TRUST-001) and its trust policy requires the external ID
 * (TRUST-002); the trust policies of the five DRS cross-account roles
 * (staging, network, replication, agent, agent-authorized) allow the
 * intended principal (TRUST-005), no wildcard principal without a
 * condition (TRUST-003), and no other account through the DRS service
 * principal or an agent role (TRUST-004, the confused deputy). Policies
 * are decided by the policy engine; evidence comes from its explanation.
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "doctor/internal.h"

enum drs_role { R_STAGING, R_NETWORK, R_REPLICATION, R_AGENT, R_AGENT_AUTH };

static const struct {
    const char *prefix;
    enum drs_role kind;
} drs_roles[] = {
    {"DRSStagingAccountRole", R_STAGING},
    {"DRSSourceNetworkRole", R_NETWORK},
    {"DRSCrossAccountReplicationRole", R_REPLICATION},
    {"DRSCrossAccountAgentAuthorizedRole", R_AGENT_AUTH}, /* before its prefix R_AGENT */
    {"DRSCrossAccountAgentRole", R_AGENT},
};

#define PROBE_INSTANCE "i-0123456789abcdef0"

static void sid_of(const json_t *st, size_t idx, char *out, size_t n)
{
    const char *sid = json_str_borrow(st, "Sid");
    if (sid && *sid)
        snprintf(out, n, "Sid '%s'", sid);
    else
        snprintf(out, n, "statement #%zu", idx + 1);
}

static json_t *statements(const json_t *doc)
{
    json_t *st = json_object_get(doc, "Statement");
    if (json_is_object(st))
        return json_pack("[O]", st);
    return json_is_array(st) ? json_incref(st) : json_array();
}

static bool principal_is_wild(const json_t *p)
{
    if (json_is_string(p))
        return strcmp(json_string_value(p), "*") == 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), "*") == 0)
            return true;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (json_is_string(x) &&
                                        !strcmp(json_string_value(x), "*")) return true;
    }
    return false;
}

/* Does any condition operator of the statement name this key? */
static bool has_cond_key(const json_t *st, const char *key)
{
    const char *op, *k;
    json_t *block, *v;
    json_object_foreach(json_object_get(st, "Condition"), op, block)
    {
        json_object_foreach(block, k, v) if (dr_strcaseeq(k, key)) return true;
    }
    return false;
}

/* TRUST-003: an Allow with a wildcard principal and no Condition. */
static void check_wildcards(struct dctx *d, const char *acct, const char *role_arn,
                            const json_t *doc)
{
    json_t *sts = statements(doc);
    size_t i;
    json_t *st;
    json_array_foreach(sts, i, st)
    {
        const char *eff = json_str_borrow(st, "Effect");
        json_t *cond = json_object_get(st, "Condition");
        if (!eff || strcmp(eff, "Allow") || !principal_is_wild(json_object_get(st, "Principal")) ||
            json_object_size(cond) > 0)
            continue;
        char sid[128], ev[512];
        sid_of(st, i, sid, sizeof sid);
        snprintf(ev, sizeof ev,
                 "%s: Effect Allow, Principal \"*\", no Condition: expected a named principal or "
                 "a condition (aws:PrincipalArn, aws:SourceAccount), actual: none",
                 sid);
        dfind(d, "TRUST-003", acct, "", role_arn, ev,
              "Name the principal (\"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}) or add "
              "a condition such as {\"StringEquals\": {\"aws:PrincipalAccount\": \"ACCOUNT\"}}.",
              "the trust policy of %s lets anyone assume it (%s)", role_arn, sid);
    }
    json_decref(sts);
}

/* The first region of an account, for probe ARNs. */
static const char *first_region(const struct dacct *a)
{
    return a->a->nregions ? a->a->regions[0] : "us-east-1";
}

/* Fills a probe of role kind k for caller account `who` (intended or foreign).
 * Strings go into the caller's buffers. Returns false when the kind has no
 * intended principal to probe (agent role without the _SOURCE suffix). */
struct probe_buf {
    char principal[256], arn[256], inst[256];
};

static bool make_probe(enum drs_role k, const char *acct, const char *region, const char *role_name,
                       const char *role_arn, const char *who, struct probe_buf *b, struct dreq *r)
{
    memset(r, 0, sizeof(*r));
    r->caller_allows = true;
    r->action = "sts:AssumeRole";
    r->resource = role_arn;
    switch (k) {
    case R_STAGING:
    case R_NETWORK:
    case R_REPLICATION:
        r->principal = "drs.amazonaws.com";
        r->ptype = POLICY_PRINCIPAL_SERVICE;
        snprintf(b->arn, sizeof b->arn, "arn:aws:drs:%s:%s:%s", region, who,
                 k == R_NETWORK ? "source-network/sn-0123456789abcdef0"
                                : "source-server/s-0123456789abcdef0");
        r->keys[0] = "aws:SourceAccount";
        r->vals[0] = who;
        r->keys[1] = "aws:SourceArn";
        r->vals[1] = b->arn;
        /* the caller chooses the source identity: it pins nothing */
        r->keys[2] = "sts:SourceIdentity";
        r->vals[2] = acct;
        return true;
    case R_AGENT: {
        /* DRSCrossAccountAgentRole_<source account> trusts the source's
         * DRSCrossAccountAgentAuthorizedRole_<this account> */
        const char *us = strchr(role_name, '_');
        const char *src = strcmp(who, acct) == 0 ? (us ? us + 1 : NULL) : who;
        if (!src || strlen(src) != 12)
            return false;
        snprintf(b->principal, sizeof b->principal,
                 "arn:aws:iam::%s:role/service-role/DRSCrossAccountAgentAuthorizedRole_%s", src,
                 acct);
        r->principal = b->principal;
        r->ptype = POLICY_PRINCIPAL_ROLE;
        r->keys[0] = "aws:PrincipalArn";
        r->vals[0] = b->principal;
        r->keys[1] = "sts:SourceIdentity";
        r->vals[1] = PROBE_INSTANCE;
        return true;
    }
    case R_AGENT_AUTH:
        snprintf(b->principal, sizeof b->principal,
                 "arn:aws:sts::%s:assumed-role/AWSElasticDisasterRecoveryReplicationServerRole/%s",
                 who, PROBE_INSTANCE);
        snprintf(b->inst, sizeof b->inst, "arn:aws:ec2:%s:%s:instance/%s", region, who,
                 PROBE_INSTANCE);
        r->principal = b->principal;
        r->ptype = POLICY_PRINCIPAL_ASSUMED_ROLE;
        r->keys[0] = "ec2:SourceInstanceARN";
        r->vals[0] = b->inst;
        r->keys[1] = "aws:RequestTag/SourceInstanceARN";
        r->vals[1] = b->inst;
        r->keys[2] = "[]sts:TransitiveTagKeys";
        r->vals[2] = "SourceInstanceARN";
        r->keys[3] = "aws:PrincipalArn";
        r->vals[3] = b->principal;
        return true;
    }
    return false;
}

/* The Sid of the first statement the engine says matched (for TRUST-004). */
static const json_t *allowing_stmt(const json_t *doc, const struct policy *pol, struct dreq *r,
                                   size_t *idx)
{
    json_t *sts = statements(doc);
    size_t i;
    json_t *st;
    const json_t *hit = NULL;
    json_array_foreach(sts, i, st)
    {
        json_t *one = json_pack("{s:s, s:[O]}", "Version", "2012-10-17", "Statement", st);
        char why[256];
        struct policy *p1 = dpol_compile(one, POLICY_TRUST, "probe", why, sizeof why);
        json_decref(one);
        if (p1 && dpol_eval(p1, r) == POLICY_ALLOWED) {
            hit = st;
            *idx = i;
        }
        policy_free(p1);
        if (hit)
            break;
    }
    (void)pol;
    json_decref(sts); /* the statement stays alive inside doc */
    return hit;
}

static void check_drs_role(struct dctx *d, struct dacct *a, const json_t *role, enum drs_role k)
{
    const char *acct = a->a->account_id;
    const char *name = json_str_borrow(role, "RoleName");
    const char *arn = json_str_borrow(role, "Arn");
    const json_t *doc = json_object_get(role, "AssumeRolePolicyDocument");
    char why[300];
    struct policy *pol = dpol_compile(doc, POLICY_TRUST, name, why, sizeof why);
    if (!pol) {
        dfind(d, "TRUST-006", acct, "", arn, why,
              "Fix the trust policy so that IAM accepts it (drover policy check).",
              "the trust policy of %s is not a valid policy", name);
        return;
    }
    check_wildcards(d, acct, arn, doc);
    const char *region = first_region(a);
    struct probe_buf b;
    struct dreq r;
    /* TRUST-005: the intended principal */
    if (make_probe(k, acct, region, name, arn, acct, &b, &r) &&
        dpol_eval(pol, &r) != POLICY_ALLOWED) {
        struct buf ev;
        char key[128];
        buf_init(&ev, 8192);
        int rc = buf_addf(&ev, "probe: %s as %s; ", r.action, r.principal);
        (void)rc;
        dpol_explain(pol, &r, &ev, key, sizeof key);
        dfind(d, "TRUST-005", acct, "", arn, ev.p,
              k <= R_REPLICATION
                  ? "Let DRS assume the role for this account: {\"StringEquals\": "
                    "{\"aws:SourceAccount\": \"ACCOUNT\"}, \"ArnLike\": {\"aws:SourceArn\": "
                    "\"arn:aws:drs:*:ACCOUNT:source-server/*\"}} (drover blueprint generates it)."
                  : "Compare the trust policy with the one `drover blueprint` generates for this "
                    "role.",
              "the intended principal cannot assume %s%s%s", name, key[0] ? ": condition " : "",
              key);
        buf_cleanup(&ev);
    }
    /* TRUST-004: a foreign account must be denied */
    if (make_probe(k, acct, region, name, arn, DOCTOR_FOREIGN_ACCOUNT, &b, &r) &&
        dpol_eval(pol, &r) == POLICY_ALLOWED) {
        size_t idx = 0;
        const json_t *st = allowing_stmt(doc, pol, &r, &idx);
        char sid[128], ev[1400];
        if (st)
            sid_of(st, idx, sid, sizeof sid);
        else
            snprintf(sid, sizeof sid, "the policy");
        if (k <= R_REPLICATION) {
            bool has_acct = st && has_cond_key(st, "aws:SourceAccount");
            bool has_arn = st && has_cond_key(st, "aws:SourceArn");
            snprintf(ev, sizeof ev,
                     "%s allows %s with aws:SourceAccount='%s' and aws:SourceArn='%s'; condition "
                     "aws:SourceAccount: expected '%s', actual: %s%s",
                     sid, r.principal, DOCTOR_FOREIGN_ACCOUNT, b.arn, acct,
                     has_acct ? "a value that also matches other accounts" : "absent",
                     has_arn ? " (aws:SourceArn is present but does not pin the account)" : "");
            dfind(d, "TRUST-004", acct, "", arn, ev,
                  "Add to the statement: \"StringEquals\": {\"aws:SourceAccount\": \"ACCOUNT\"} "
                  "(and pin the account in aws:SourceArn).",
                  "confused deputy: drs.amazonaws.com can assume %s on behalf of any account "
                  "(%s has no aws:SourceAccount pinning)",
                  name, sid);
        } else {
            snprintf(ev, sizeof ev,
                     "%s allows %s; condition aws:PrincipalArn: expected a principal of the "
                     "paired account, actual: any account",
                     sid, r.principal);
            dfind(d, "TRUST-004", acct, "", arn, ev,
                  "Pin the principal with {\"ArnEquals\": {\"aws:PrincipalArn\": "
                  "\"arn:aws:iam::SOURCE:role/service-role/"
                  "DRSCrossAccountAgentAuthorizedRole_TARGET\"}}.",
                  "%s can be assumed from an unrelated account (%s)", name, sid);
        }
    }
    policy_free(pol);
}

static void check_spoke_role(struct dctx *d, struct dacct *a)
{
    const char *acct = a->a->account_id;
    if (!a->assumed) {
        const json_t *e = json_object_get(a->errors, "identity");
        char ev[700];
        snprintf(ev, sizeof ev,
                 "AssumeRole %s as %s with the external ID registered in drover (%s) failed: %s: "
                 "%s",
                 a->a->role_arn, d->hub_arn[0] ? d->hub_arn : "the hub",
                 a->a->external_id ? "set" : "none", json_str_borrow(e, "code"),
                 json_str_borrow(e, "message"));
        char fix[600];
        snprintf(fix, sizeof fix,
                 "Make the trust policy of %s allow the hub (%s) with \"Condition\": "
                 "{\"StringEquals\": {\"sts:ExternalId\": \"<the registered ID>\"}}, or correct "
                 "the registration: drover accounts add %s --role-arn %s --external-id ID --update",
                 a->a->role_arn, d->hub_account[0] ? d->hub_account : "hub", acct, a->a->role_arn);
        dfind(d, "TRUST-001", acct, "", a->a->role_arn, ev, fix,
              "the hub cannot assume the spoke role %s", a->a->role_arn);
        return;
    }
    if (dread_failed(d, "TRUST-000", acct, "", a->errors, "GetRole", a->a->role_arn))
        return;
    const json_t *role = json_object_get(json_object_get(a->data, "GetRole"), "Role");
    const json_t *doc = json_object_get(role, "AssumeRolePolicyDocument");
    char why[300];
    struct policy *pol = dpol_compile(doc, POLICY_TRUST, "spoke trust", why, sizeof why);
    if (!pol) {
        dfind(d, "TRUST-006", acct, "", a->a->role_arn, why,
              "Fix the trust policy so that IAM accepts it.",
              "the trust policy of the spoke role is not a valid policy");
        return;
    }
    check_wildcards(d, acct, a->a->role_arn, doc);
    struct dreq r = {
        .principal = d->hub_arn, .action = "sts:AssumeRole", .resource = a->a->role_arn};
    if (d->hub_arn[0] && dpol_eval(pol, &r) == POLICY_ALLOWED) {
        char ev[600];
        snprintf(ev, sizeof ev,
                 "probe: sts:AssumeRole as %s with no sts:ExternalId is Allowed; condition "
                 "sts:ExternalId: expected a StringEquals condition, actual: absent",
                 d->hub_arn);
        dfind(d, "TRUST-002", acct, "", a->a->role_arn, ev,
              "Add \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"<ID>\"}} to the "
              "statement that trusts the hub, and register the ID with drover accounts add "
              "--external-id.",
              "the spoke role can be assumed without the external ID");
    }
    policy_free(pol);
}

void dcheck_trust(struct dctx *d)
{
    for (size_t i = 0; i < d->naccts; i++) {
        struct dacct *a = &d->accts[i];
        check_spoke_role(d, a);
        if (!a->assumed ||
            dread_failed(d, "TRUST-000", a->a->account_id, "", a->errors, "ListRoles", "IAM roles"))
            continue;
        size_t j;
        json_t *role;
        json_array_foreach(json_object_get(a->data, "ListRoles"), j, role)
        {
            const char *name = json_str_borrow(role, "RoleName");
            for (size_t k = 0; name && k < sizeof drs_roles / sizeof drs_roles[0]; k++) {
                if (strncmp(name, drs_roles[k].prefix, strlen(drs_roles[k].prefix)) == 0) {
                    check_drs_role(d, a, role, drs_roles[k].kind);
                    break;
                }
            }
        }
    }
}
