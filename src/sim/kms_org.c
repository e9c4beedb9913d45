/*
 * kms_org.c - the json-1.1 services of the simulator: KMS (DescribeKey,
 * GetKeyPolicy, ListAliases, ListKeys, with key state), Organizations
 * (ListAccounts, DescribeOrganization; hub account only) and Service
 * Quotas (GetServiceQuota, ListServiceQuotas for the DRS quotas the
 * simulator enforces). Depends on the core module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "sim/internal.h"

/* ---- KMS ---- */

static json_t *kms_of(struct sim_call *c)
{
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    return ar ? json_object_get(ar, "kms") : NULL;
}

static json_t *find_key(struct sim_call *c, json_t *in)
{
    json_t *kms = kms_of(c);
    const char *id = json_string_value(json_object_get(in, "KeyId"));
    if (!kms) {
        sim_fail(c, 500, "KMSInternalException", "out of memory");
        return NULL;
    }
    if (!id || !*id) {
        sim_fail(c, 400, "ValidationException",
                 "1 validation error detected: Value null at 'keyId' failed to satisfy "
                 "constraint: Member must not be null");
        return NULL;
    }
    const char *kid = id;
    if (strncmp(id, "arn:aws:kms:", 12) == 0) {
        const char *slash = strstr(id, ":key/");
        const char *al = strstr(id, ":alias/");
        if (slash)
            kid = slash + 5;
        else if (al)
            kid = al + 1;
    }
    if (strncmp(kid, "alias/", 6) == 0) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(kms, "aliases"), i, a)
        {
            if (strcmp(json_string_value(json_object_get(a, "AliasName")), kid) == 0) {
                kid = json_string_value(json_object_get(a, "TargetKeyId"));
                break;
            }
        }
    }
    json_t *k = json_object_get(json_object_get(kms, "keys"), kid);
    if (!k)
        sim_fail(c, 400, "NotFoundException", "Key '%s' does not exist", id);
    return k;
}

static int describe_key(struct sim_call *c, json_t *in)
{
    json_t *k = find_key(c, in);
    if (!k)
        return -1;
    const char *state = json_string_value(json_object_get(k, "state"));
    c->out = json_pack(
        "{s:{s:s, s:O, s:O, s:I, s:b, s:O, s:s, s:s, s:s, s:O, s:s, s:s, s:[s], s:b}}",
        "KeyMetadata", "AWSAccountId", c->account_id, "KeyId", json_object_get(k, "id"), "Arn",
        json_object_get(k, "arn"), "CreationDate",
        (json_int_t)json_integer_value(json_object_get(k, "created_s")), "Enabled",
        strcmp(state, "Enabled") == 0, "Description", json_object_get(k, "description"), "KeyUsage",
        "ENCRYPT_DECRYPT", "KeyState", state, "Origin", "AWS_KMS", "KeyManager",
        json_object_get(k, "manager"), "CustomerMasterKeySpec", "SYMMETRIC_DEFAULT", "KeySpec",
        "SYMMETRIC_DEFAULT", "EncryptionAlgorithms", "SYMMETRIC_DEFAULT", "MultiRegion", 0);
    return 0;
}

static int get_key_policy(struct sim_call *c, json_t *in)
{
    json_t *k = find_key(c, in);
    if (!k)
        return -1;
    const char *pn = json_string_value(json_object_get(in, "PolicyName"));
    if (pn && strcmp(pn, "default") != 0)
        return sim_fail(c, 400, "NotFoundException", "Policy %s does not exist", pn);
    json_t *pol = json_object_get(k, "policy");
    json_t *dflt = NULL;
    if (!pol) {
        char root[64];
        snprintf(root, sizeof root, "arn:aws:iam::%s:root", c->account_id);
        dflt = json_pack("{s:s, s:s, s:[{s:s, s:s, s:{s:s}, s:s, s:s}]}", "Version", "2012-10-17",
                         "Id", "key-default-1", "Statement", "Sid", "Enable IAM User Permissions",
                         "Effect", "Allow", "Principal", "AWS", root, "Action", "kms:*", "Resource",
                         "*");
        pol = dflt;
    }
    struct buf b;
    buf_init(&b, SIM_BODY_MAX);
    int rc = json_dump_buf(pol, 0, &b);
    if (rc == 0)
        c->out = json_pack("{s:s, s:s}", "Policy", b.p, "PolicyName", "default");
    buf_cleanup(&b);
    json_decref(dflt);
    return rc < 0 ? sim_fail(c, 500, "KMSInternalException", "out of memory") : 0;
}

static int list_aliases(struct sim_call *c, json_t *in)
{
    json_t *kms = kms_of(c);
    if (!kms)
        return sim_fail(c, 500, "KMSInternalException", "out of memory");
    const char *kid = json_string_value(json_object_get(in, "KeyId"));
    json_t *k = NULL;
    if (kid && !(k = find_key(c, in)))
        return -1;
    json_t *arr = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(kms, "aliases"), i, a)
    {
        if (k && strcmp(json_string_value(json_object_get(a, "TargetKeyId")),
                        json_string_value(json_object_get(k, "id"))) != 0)
            continue;
        json_array_append(arr, a);
    }
    c->out = json_pack("{s:o, s:b}", "Aliases", arr, "Truncated", 0);
    return 0;
}

static int list_keys(struct sim_call *c, json_t *in)
{
    (void)in;
    json_t *kms = kms_of(c);
    if (!kms)
        return sim_fail(c, 500, "KMSInternalException", "out of memory");
    json_t *arr = json_array();
    const char *id;
    json_t *k;
    json_object_foreach(json_object_get(kms, "keys"), id, k) json_array_append_new(
        arr, json_pack("{s:s, s:O}", "KeyId", id, "KeyArn", json_object_get(k, "arn")));
    c->out = json_pack("{s:o, s:b}", "Keys", arr, "Truncated", 0);
    return 0;
}

const struct sim_op sim_kms_ops[] = {
    {"DescribeKey", describe_key},
    {"GetKeyPolicy", get_key_policy},
    {"ListAliases", list_aliases},
    {"ListKeys", list_keys},
    {NULL, NULL},
};

/* ---- Organizations ---- */

static int org_check(struct sim_call *c)
{
    if (strcmp(c->account_id, c->w->hub_account) != 0)
        return sim_fail(c, 400, "AccessDeniedException",
                        "You don't have permissions to access this resource. Only the "
                        "organization's management account can call this operation.");
    return 0;
}

static json_t *org_account(struct sim_call *c, const json_t *a)
{
    const char *org = sim_json_path_str(c->w->estate, "organization", "id");
    const char *id = json_string_value(json_object_get(a, "account_id"));
    char arn[256], email[128];
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:account/%s/%s", c->w->hub_account, org,
             id);
    const char *em = json_string_value(json_object_get(a, "email"));
    if (!em || !*em) {
        snprintf(email, sizeof email, "aws+%s@example.com", id);
        em = email;
    }
    return json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:i}", "Id", id, "Arn", arn, "Email", em,
                     "Name", json_object_get(a, "name"), "Status", "ACTIVE", "State", "ACTIVE",
                     "JoinedMethod",
                     json_is_true(json_object_get(a, "is_hub")) ? "CREATED" : "INVITED",
                     "JoinedTimestamp", 1609459200);
}

static int list_accounts(struct sim_call *c, json_t *in)
{
    if (org_check(c) < 0)
        return -1;
    json_t *all = json_array();
    const char *id;
    json_t *a;
    json_object_foreach(c->w->accounts, id, a) json_array_append_new(all, org_account(c, a));
    size_t start = 0, end = json_array_size(all), max = 20;
    json_t *mr = json_object_get(in, "MaxResults");
    if (mr && (!json_is_integer(mr) || json_integer_value(mr) < 1 || json_integer_value(mr) > 20)) {
        json_decref(all);
        return sim_fail(c, 400, "InvalidInputException", "MaxResults must be between 1 and 20");
    }
    if (mr)
        max = (size_t)json_integer_value(mr);
    const char *tok = json_string_value(json_object_get(in, "NextToken"));
    uint64_t off = 0;
    if (tok && (dr_parse_u64(tok, &off) < 0 || off > end)) {
        json_decref(all);
        return sim_fail(c, 400, "InvalidInputException", "Invalid NextToken");
    }
    start = (size_t)off;
    if (end - start > max)
        end = start + max;
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(all, i));
    c->out = json_pack("{s:o}", "Accounts", page);
    if (end < json_array_size(all)) {
        char t[32];
        snprintf(t, sizeof t, "%zu", end);
        json_object_set_new(c->out, "NextToken", json_string(t));
    }
    json_decref(all);
    return 0;
}

static int describe_organization(struct sim_call *c, json_t *in)
{
    (void)in;
    const char *org = sim_json_path_str(c->w->estate, "organization", "id");
    char arn[256], marn[256];
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:organization/%s", c->w->hub_account, org);
    snprintf(marn, sizeof marn, "arn:aws:organizations::%s:account/%s/%s", c->w->hub_account, org,
             c->w->hub_account);
    c->out = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "Organization", "Id", org, "Arn", arn,
                       "FeatureSet", "ALL", "MasterAccountArn", marn, "MasterAccountId",
                       c->w->hub_account, "MasterAccountEmail", "aws+hub@example.com");
    return 0;
}

const struct sim_op sim_org_ops[] = {
    {"ListAccounts", list_accounts},
    {"DescribeOrganization", describe_organization},
    {NULL, NULL},
};

/* ---- Service Quotas ---- */

struct quota_def {
    const char *code;
    const char *name;
    size_t off; /* offsetof in struct sim_quotas */
};

static const struct quota_def quota_defs[] = {
    {"L-DRS0001", "Max source servers in a single Job",
     offsetof(struct sim_quotas, max_servers_per_job)},
    {"L-DRS0002", "Concurrent Jobs in progress", offsetof(struct sim_quotas, max_concurrent_jobs)},
    {"L-DRS0003", "Max source servers in all Jobs",
     offsetof(struct sim_quotas, max_servers_in_active_jobs)},
    {"L-DRS0004", "Max replicating source servers",
     offsetof(struct sim_quotas, max_replicating_servers)},
    {"L-DRS0005", "Max total source servers", offsetof(struct sim_quotas, max_source_servers)},
    {NULL, NULL, 0},
};

static json_t *quota_json(struct sim_call *c, const struct quota_def *q)
{
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:servicequotas:%s:%s:drs/%s", c->region, c->account_id,
             q->code);
    int v = *(const int *)((const char *)&c->w->quotas + q->off);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:b, s:b}", "ServiceCode", "drs",
                     "ServiceName", "AWS Elastic Disaster Recovery", "QuotaArn", arn, "QuotaCode",
                     q->code, "QuotaName", q->name, "Value", (double)v, "Unit", "None",
                     "Adjustable", 1, "GlobalQuota", 0);
}

static int get_service_quota(struct sim_call *c, json_t *in)
{
    const char *svc = json_string_value(json_object_get(in, "ServiceCode"));
    const char *code = json_string_value(json_object_get(in, "QuotaCode"));
    if (!svc || !code)
        return sim_fail(c, 400, "IllegalArgumentException",
                        "ServiceCode and QuotaCode are required");
    for (const struct quota_def *q = quota_defs; q->code && !strcmp(svc, "drs"); q++) {
        if (strcmp(q->code, code) == 0) {
            c->out = json_pack("{s:o}", "Quota", quota_json(c, q));
            return 0;
        }
    }
    return sim_fail(c, 400, "NoSuchResourceException", "The quota %s of service %s does not exist",
                    code, svc);
}

static int list_service_quotas(struct sim_call *c, json_t *in)
{
    const char *svc = json_string_value(json_object_get(in, "ServiceCode"));
    if (!svc)
        return sim_fail(c, 400, "IllegalArgumentException", "ServiceCode is required");
    if (strcmp(svc, "drs") != 0)
        return sim_fail(c, 400, "NoSuchResourceException", "The service %s is not simulated", svc);
    json_t *arr = json_array();
    for (const struct quota_def *q = quota_defs; q->code; q++)
        json_array_append_new(arr, quota_json(c, q));
    c->out = json_pack("{s:o}", "Quotas", arr);
    return 0;
}

const struct sim_op sim_quotas_ops[] = {
    {"GetServiceQuota", get_service_quota},
    {"ListServiceQuotas", list_service_quotas},
    {NULL, NULL},
};
