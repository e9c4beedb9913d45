/*
 * kms.c - the KMS checks. The keys are those the replication templates
 * name (ebsEncryptionKeyArn) and those with an alias/drs* alias; each is
 * read with DescribeKey and GetKeyPolicy in its own account and region.
 * A key must exist (KMS-004), be enabled (KMS-001) and not pending
 * deletion (KMS-002), live in the region that uses it (KMS-003), be
 * customer managed when used cross-account (KMS-005), and its key policy
 * must grant the account's DRSStagingAccountRole the actions the seeds
 * list through kms:ViaService for that region (KMS-006/007), decided by
 * the policy engine on the policy without its account-root statements
 * (those only delegate to IAM; KMS-008 when nothing else grants access).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "doctor/internal.h"

static const char *const staging_actions[] = {
    "kms:Decrypt",         "kms:DescribeKey",
    "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",   "kms:ReEncryptTo",
    "kms:CreateGrant",
};
#define NACTIONS (sizeof staging_actions / sizeof staging_actions[0])

static void add_use(struct dctx *d, const char *arn, const char *acct, const char *region,
                    const char *resource)
{
    json_t *k = json_object_get(d->keys, arn);
    if (!k) {
        k = json_pack("{s:[], s:{}, s:{}}", "uses", "data", "errors");
        json_object_set_new(d->keys, arn, k);
    }
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(k, "uses"), i, u)
    {
        if (!strcmp(json_str_borrow(u, "account"), acct) &&
            !strcmp(json_str_borrow(u, "region"), region))
            return;
    }
    json_array_append_new(
        json_object_get(k, "uses"),
        json_pack("{s:s, s:s, s:s}", "account", acct, "region", region, "resource", resource));
}

void dcheck_kms_collect(struct dctx *d)
{
    for (size_t i = 0; i < d->nars; i++) {
        struct dar *r = &d->ars[i];
        const char *acct = r->acct->a->account_id;
        size_t j;
        json_t *t;
        json_array_foreach(dar_templates(r), j, t)
        {
            const char *k = json_str_borrow(t, "ebsEncryptionKeyArn");
            const char *enc = json_str_borrow(t, "ebsEncryption");
            if (!k || !*k || (enc && strcmp(enc, "CUSTOM") != 0))
                continue;
            char arn[512];
            if (strncmp(k, "arn:", 4) == 0)
                snprintf(arn, sizeof arn, "%s", k);
            else
                snprintf(arn, sizeof arn, "arn:aws:kms:%s:%s:key/%s", r->region, acct, k);
            add_use(d, arn, acct, r->region,
                    json_str_borrow(t, "replicationConfigurationTemplateID"));
        }
        json_array_foreach(json_object_get(r->data, "aliases"), j, t)
        {
            const char *name = json_str_borrow(t, "AliasName");
            const char *kid = json_str_borrow(t, "TargetKeyId");
            if (!name || !kid || strncmp(name, "alias/drs", 9) != 0)
                continue;
            char arn[512];
            snprintf(arn, sizeof arn, "arn:aws:kms:%s:%s:key/%s", r->region, acct, kid);
            add_use(d, arn, acct, r->region, name);
        }
    }
    const char *arn;
    json_t *k;
    json_object_foreach(d->keys, arn, k)
    {
        char acct[16], region[64];
        darn_account(arn, acct, sizeof acct);
        darn_region(arn, region, sizeof region);
        struct dacct *a = dctx_account(d, acct);
        json_t *data = json_object_get(k, "data"), *errors = json_object_get(k, "errors");
        if (!a || !a->assumed) {
            json_object_set_new(errors, "DescribeKey",
                                json_pack("{s:s, s:s, s:i}", "code", "NotRegistered", "message",
                                          a ? "the spoke role of the key's account cannot be "
                                              "assumed"
                                            : "the key's account is not registered with drover",
                                          "status", 0));
            continue;
        }
        dfetch(d, a, region, "kms", "DescribeKey", json_pack("{s:s}", "KeyId", arn), data, errors,
               "DescribeKey");
        dfetch(d, a, region, "kms", "GetKeyPolicy",
               json_pack("{s:s, s:s}", "KeyId", arn, "PolicyName", "default"), data, errors,
               "GetKeyPolicy");
    }
}

/* Servers of the account-region replicated from another account? */
static bool ar_cross_account(struct dctx *d, const char *acct, const char *region)
{
    struct dar *r = dctx_ar(d, acct, region);
    size_t i;
    json_t *s;
    if (!r)
        return false;
    json_array_foreach(dar_servers(r), i, s)
    {
        const char *o =
            json_str_borrow(json_object_get(s, "sourceCloudProperties"), "originAccountID");
        if (o && *o && strcmp(o, acct) != 0)
            return true;
    }
    return false;
}

static bool is_root_principal(const json_t *st, const char *acct)
{
    const json_t *p = json_object_get(json_object_get(st, "Principal"), "AWS");
    char root[64];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", acct);
    if (json_is_string(p))
        return !strcmp(json_string_value(p), root) || !strcmp(json_string_value(p), acct);
    return false;
}

static void check_policy(struct dctx *d, const char *arn, const char *key_acct, const json_t *doc,
                         const json_t *use)
{
    const char *acct = json_str_borrow(use, "account"), *region = json_str_borrow(use, "region");
    const char *res = json_str_borrow(use, "resource");
    char staging[256], via[128], why[300];
    snprintf(staging, sizeof staging, "arn:aws:iam::%s:role/service-role/DRSStagingAccountRole",
             acct);
    snprintf(via, sizeof via, "ec2.%s.amazonaws.com", region);
    /* the policy without the statements that only delegate to the account's IAM */
    json_t *st = json_object_get(doc, "Statement");
    json_t *kept = json_array();
    bool delegates = false, names_staging = false;
    size_t i;
    json_t *s;
    json_t *all = json_is_object(st) ? json_pack("[O]", st) : json_incref(st);
    json_array_foreach(all, i, s)
    {
        if (is_root_principal(s, key_acct)) {
            delegates = true;
            continue;
        }
        json_array_append(kept, s);
        char *txt = json_dumps(json_object_get(s, "Principal"), 0);
        if (txt && (strstr(txt, staging) || strstr(txt, "DRSStagingAccountRole")))
            names_staging = true;
        free(txt);
    }
    json_decref(all);
    json_t *p2 = json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", kept);
    struct policy *pol = dpol_compile(p2, POLICY_KEY, "key policy", why, sizeof why);
    json_decref(p2);
    if (!pol && json_array_size(kept)) {
        dfind(d, "KMS-006", acct, region, arn, why, "Fix the key policy so that KMS accepts it.",
              "the key policy of %s is not a valid policy", arn);
        return;
    }
    if (!names_staging) {
        policy_free(pol);
        if (delegates && !strcmp(key_acct, acct)) {
            dfind(d, "KMS-008", acct, region, arn,
                  "the key policy grants the DRS staging role nothing itself; the account-root "
                  "statement delegates to IAM policies, which drover does not evaluate",
                  "Add a statement for the staging role (drover blueprint generates one).",
                  "access of %s to the key depends on IAM policies (used by %s)", staging, res);
            return;
        }
        char ev[800];
        snprintf(ev, sizeof ev,
                 "no statement of the key policy names %s; expected an Allow of kms:Decrypt, "
                 "kms:DescribeKey, kms:GenerateDataKey*, kms:ReEncrypt*, kms:CreateGrant with "
                 "kms:ViaService '%s'",
                 staging, via);
        dfind(d, "KMS-006", acct, region, arn, ev,
              "Add the staging-role statement of the seeds' key policy (drover blueprint "
              "generates it).",
              "the key policy does not grant the DRS staging role of %s access to the key (used by "
              "%s)",
              acct, res);
        return;
    }
    char missing[512] = "";
    const char *first = NULL;
    for (size_t a = 0; a < NACTIONS; a++) {
        struct dreq r = {
            .principal = staging,
            .ptype = POLICY_PRINCIPAL_ROLE,
            .action = staging_actions[a],
            .resource = arn,
            .keys = {"kms:ViaService", "kms:CallerAccount", "kms:GrantIsForAWSResource"},
            .vals = {via, acct, "true"}};
        if (dpol_eval(pol, &r) == POLICY_ALLOWED)
            continue;
        if (!first)
            first = staging_actions[a];
        size_t l = strlen(missing);
        snprintf(missing + l, sizeof missing - l, "%s%s", l ? ", " : "", staging_actions[a]);
    }
    if (first) {
        struct dreq r = {
            .principal = staging,
            .ptype = POLICY_PRINCIPAL_ROLE,
            .action = first,
            .resource = arn,
            .keys = {"kms:ViaService", "kms:CallerAccount", "kms:GrantIsForAWSResource"},
            .vals = {via, acct, "true"}};
        struct buf ev;
        char key[128];
        buf_init(&ev, 8192);
        int rc = buf_addf(&ev, "probe: %s as %s with kms:ViaService '%s'; ", first, staging, via);
        (void)rc;
        dpol_explain(pol, &r, &ev, key, sizeof key);
        if (dr_strcaseeq(key, "kms:ViaService")) {
            char fix[300];
            snprintf(fix, sizeof fix,
                     "Set the condition to \"StringEquals\": {\"kms:ViaService\": "
                     "[\"ec2.%s.amazonaws.com\", \"drs.%s.amazonaws.com\"]}.",
                     region, region);
            dfind(d, "KMS-007", acct, region, arn, ev.p, fix,
                  "the key policy's kms:ViaService does not include %s, so DRS in %s cannot use "
                  "the key (denied: %s)",
                  via, region, missing);
        } else {
            dfind(d, "KMS-006", acct, region, arn, ev.p,
                  "Add the missing actions to the staging-role statement of the key policy.",
                  "the key policy does not grant the DRS staging role %s (used by %s)", missing,
                  res);
        }
        buf_cleanup(&ev);
    }
    policy_free(pol);
}

void dcheck_kms(struct dctx *d)
{
    const char *arn;
    json_t *k;
    json_object_foreach(d->keys, arn, k)
    {
        json_t *uses = json_object_get(k, "uses");
        json_t *errors = json_object_get(k, "errors");
        const json_t *u0 = json_array_get(uses, 0);
        const char *acct0 = json_str_borrow(u0, "account"), *reg0 = json_str_borrow(u0, "region");
        const json_t *e = json_object_get(errors, "DescribeKey");
        char key_acct[16], key_region[64];
        darn_account(arn, key_acct, sizeof key_acct);
        darn_region(arn, key_region, sizeof key_region);
        if (e && strstr(json_str_borrow(e, "code"), "NotFound")) {
            size_t i;
            json_t *u;
            json_array_foreach(uses, i, u)
            {
                char ev[700];
                snprintf(ev, sizeof ev, "DescribeKey %s in %s answered %s: %s", arn, key_region,
                         json_str_borrow(e, "code"), json_str_borrow(e, "message"));
                dfind(d, "KMS-004", json_str_borrow(u, "account"), json_str_borrow(u, "region"),
                      arn, ev,
                      "Point the replication template at an existing key (aws drs "
                      "update-replication-configuration-template --ebs-encryption-key-arn ...).",
                      "the key used by %s does not exist (\"The ciphertext refers to a customer "
                      "master key that does not exist\")",
                      json_str_borrow(u, "resource"));
            }
            continue;
        }
        if (e) {
            dread_failed(d, "KMS-000", acct0, reg0, errors, "DescribeKey", arn);
            continue;
        }
        const json_t *meta = json_object_get(
            json_object_get(json_object_get(k, "data"), "DescribeKey"), "KeyMetadata");
        const char *state = json_str_borrow(meta, "KeyState");
        const char *mgr = json_str_borrow(meta, "KeyManager");
        char ev[600];
        if (state && strcmp(state, "Enabled") != 0) {
            bool pending = !strcmp(state, "PendingDeletion");
            snprintf(ev, sizeof ev, "DescribeKey: KeyState expected 'Enabled', actual '%s'%s",
                     state, pending ? " (DeletionDate set)" : "");
            char fix[400];
            snprintf(fix, sizeof fix,
                     pending ? "aws kms cancel-key-deletion --key-id %s --region %s && aws kms "
                               "enable-key --key-id %s --region %s"
                             : "aws kms enable-key --key-id %s --region %s%.0s%.0s",
                     arn, key_region, arn, key_region);
            dfind(d, pending ? "KMS-002" : "KMS-001", acct0, reg0, arn, ev, fix,
                  pending ? "the key used by %s is pending deletion"
                          : "the key used by %s is not "
                            "usable (KMSInvalidState)",
                  json_str_borrow(u0, "resource"));
            continue;
        }
        size_t i;
        json_t *u;
        json_array_foreach(uses, i, u)
        {
            const char *acct = json_str_borrow(u, "account"), *reg = json_str_borrow(u, "region");
            const char *res = json_str_borrow(u, "resource");
            if (strcmp(reg, key_region) != 0) {
                snprintf(ev, sizeof ev, "%s is used in %s; key region expected '%s', actual '%s'",
                         res, reg, reg, key_region);
                dfind(d, "KMS-003", acct, reg, arn, ev,
                      "Create (or replicate, with a multi-Region key) the key in the region of the "
                      "replication template and point the template at it.",
                      "the key used by %s is in %s, not in %s", res, key_region, reg);
                continue;
            }
            bool cross = strcmp(acct, key_acct) != 0 || ar_cross_account(d, acct, reg);
            if (mgr && !strcmp(mgr, "AWS")) {
                if (cross) {
                    snprintf(ev, sizeof ev,
                             "DescribeKey: KeyManager expected 'CUSTOMER', actual 'AWS'; key "
                             "account %s, used by %s in account %s with servers replicated "
                             "cross-account",
                             key_acct, res, acct);
                    dfind(d, "KMS-005", acct, reg, arn, ev,
                          "AWS managed keys cannot be shared across accounts: create a customer "
                          "managed key with the DRS key policy (drover blueprint) and use it.",
                          "an AWS managed key is used cross-account by %s", res);
                }
                continue;
            }
            const json_t *pd = json_object_get(
                json_object_get(json_object_get(k, "data"), "GetKeyPolicy"), "Policy");
            json_t *doc = NULL;
            if (json_is_string(pd))
                doc = json_loads(json_string_value(pd), 0, NULL);
            else if (json_is_object(pd))
                doc = json_incref((json_t *)pd);
            if (!doc) {
                dread_failed(d, "KMS-000", acct, reg, errors, "GetKeyPolicy", arn);
                continue;
            }
            check_policy(d, arn, key_acct, doc, u);
            json_decref(doc);
        }
    }
}
