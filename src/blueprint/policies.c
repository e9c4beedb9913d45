/*
 * policies.c - the IAM and KMS policy documents of a blueprint, one
 * builder per document. Trust follows the seeds' DRS cross-account
 * reference, narrowed: aws:SourceAccount pinned with StringEquals,
 * aws:SourceArn pinned to the account and the blueprint's regions, the
 * agent roles pinned to their paired account by aws:PrincipalArn, the
 * spoke role trusting only the hub's execution role with sts:ExternalId.
 * Every "*" resource carries a "#" note saying why it cannot be narrower.
 */
#include <stdio.h>
#include <string.h>

#include "blueprint/internal.h"

#define NOTE_NO_RESOURCE(svc)                                                                      \
    svc " List/Describe actions do not support resource-level permissions, so IAM requires "       \
        "Resource \"*\"; aws:RequestedRegion limits them to the blueprint's regions."

json_t *bp_doc(json_t *sts)
{
    return json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", sts);
}

json_t *bp_stmt(const char *sid, const char *effect, json_t *principal, json_t *action,
                json_t *resource, json_t *cond, const char *note)
{
    json_t *st = json_object();
    if (note)
        json_object_set_new(st, "#", json_string(note));
    json_object_set_new(st, "Sid", json_string(sid));
    json_object_set_new(st, "Effect", json_string(effect ? effect : "Allow"));
    if (principal)
        json_object_set_new(st, "Principal", principal);
    json_object_set_new(st, "Action", action);
    if (resource)
        json_object_set_new(st, "Resource", resource);
    if (cond)
        json_object_set_new(st, "Condition", cond);
    return st;
}

json_t *bp_role_arn(const char *acct, const char *path_name)
{
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:role/%s", acct, path_name);
    return json_string(arn);
}

static json_t *strs(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

#define STRS(...)                                                                                  \
    strs((const char *const[]){__VA_ARGS__},                                                       \
         sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* "arn:aws:SVC:REGION:ACCT:RES" for every blueprint region. */
static json_t *per_region(const struct bp_opts *o, const char *svc, const char *acct,
                          const char *res, json_t *into)
{
    json_t *a = into ? into : json_array();
    for (size_t i = 0; i < o->nregions; i++) {
        char arn[320];
        snprintf(arn, sizeof arn, "arn:aws:%s:%s:%s:%s", svc, o->regions[i], acct, res);
        json_array_append_new(a, json_string(arn));
    }
    return a;
}

/* "SVC.REGION.amazonaws.com" for the given services and every region. */
static json_t *via_services(const struct bp_opts *o, const char *region)
{
    json_t *a = json_array();
    static const char *const svcs[] = {"ec2", "drs"};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < (region ? 1 : o->nregions); i++) {
            char v[128];
            snprintf(v, sizeof v, "%s.%s.amazonaws.com", svcs[s], region ? region : o->regions[i]);
            json_array_append_new(a, json_string(v));
        }
    }
    return a;
}

/* Moves the elements of src (stolen) to the end of dst. */
static void append_all(json_t *dst, json_t *src)
{
    json_array_extend(dst, src);
    json_decref(src);
}

static json_t *in_regions(const struct bp_opts *o)
{
    return json_pack("{s:{s:o}}", "StringEquals", "aws:RequestedRegion",
                     strs(o->regions, o->nregions));
}

/* ---- hub ---- */

json_t *bp_exec_trust(const struct bp_opts *o)
{
    char root[64];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", o->hub);
    const char *who = o->hub_principal ? o->hub_principal : root;
    return bp_doc(json_pack(
        "[o]", bp_stmt("DroverOperators", "Allow", json_pack("{s:s}", "AWS", who),
                       json_string("sts:AssumeRole"), NULL, NULL,
                       o->hub_principal ? NULL
                                        : "The hub account root delegates to the hub's own IAM "
                                          "policies: only principals the hub grants "
                                          "sts:AssumeRole on this role can use it (pass "
                                          "--hub-principal ARN to name one principal).")));
}

json_t *bp_exec_policy(const struct bp_opts *o, const json_t *spoke_accts)
{
    json_t *arns = json_array();
    size_t i;
    json_t *a;
    (void)o;
    json_array_foreach(spoke_accts, i, a)
        json_array_append_new(arns, bp_role_arn(json_string_value(a), BP_SPOKE_ROLE));
    return bp_doc(json_pack("[o]", bp_stmt("AssumeSpokeRoles", "Allow", NULL,
                                           json_string("sts:AssumeRole"), arns, NULL, NULL)));
}

/* ---- spoke ---- */

json_t *bp_spoke_trust(json_t *exec_role_arn, json_t *ext)
{
    return bp_doc(json_pack(
        "[o]", bp_stmt("DroverHub", "Allow", json_pack("{s:o}", "AWS", exec_role_arn),
                       json_string("sts:AssumeRole"), NULL,
                       json_pack("{s:{s:o}}", "StringEquals", "sts:ExternalId", ext), NULL)));
}

/* An ARN pattern for the spoke policy: literal account, or ${AWS::AccountId}
 * under Fn::Sub for the StackSet form. */
static json_t *acct_arn(const char *acct, const char *fmt_before, const char *fmt_after)
{
    char s[320];
    snprintf(s, sizeof s, "%s%s%s", fmt_before, acct ? acct : "${AWS::AccountId}", fmt_after);
    return acct ? json_string(s) : json_pack("{s:s}", "Fn::Sub", s);
}

static json_t *acct_arns(const struct bp_opts *o, const char *svc, const char *acct,
                         const char *res)
{
    if (acct)
        return per_region(o, svc, acct, res, NULL);
    json_t *a = json_array();
    for (size_t i = 0; i < o->nregions; i++) {
        char s[320];
        snprintf(s, sizeof s, "arn:aws:%s:%s:${AWS::AccountId}:%s", svc, o->regions[i], res);
        json_array_append_new(a, json_pack("{s:s}", "Fn::Sub", s));
    }
    return a;
}

json_t *bp_spoke_policy(const struct bp_opts *o, const char *acct, bool recovery)
{
    json_t *sts = json_array();
    json_array_append_new(
        sts,
        bp_stmt("DRSList", "Allow", NULL,
                STRS("drs:DescribeSourceServers", "drs:DescribeJobs", "drs:DescribeJobLogItems",
                     "drs:DescribeRecoveryInstances", "drs:DescribeRecoverySnapshots",
                     "drs:DescribeReplicationConfigurationTemplates",
                     "drs:DescribeLaunchConfigurationTemplates", "drs:ListStagingAccounts",
                     "drs:ListExtensibleSourceServers"),
                json_string("*"), in_regions(o), NOTE_NO_RESOURCE("DRS")));
    json_array_append_new(
        sts, bp_stmt("DRSReadServers", "Allow", NULL,
                     STRS("drs:GetLaunchConfiguration", "drs:GetReplicationConfiguration"),
                     acct_arns(o, "drs", acct, "source-server/*"), NULL, NULL));
    if (recovery) {
        json_t *res = acct_arns(o, "drs", acct, "source-server/*");
        append_all(res, acct_arns(o, "drs", acct, "recovery-instance/*"));
        append_all(res, acct_arns(o, "drs", acct, "job/*"));
        json_array_append_new(
            sts, bp_stmt("DRSRecover", "Allow", NULL,
                         STRS("drs:StartRecovery", "drs:CreateRecoveryInstanceForDrs",
                              "drs:TerminateRecoveryInstances", "drs:UpdateLaunchConfiguration",
                              "drs:TagResource", "drs:ListTagsForResource"),
                         res, NULL,
                         "Every source server, recovery instance and job of this account in the "
                         "blueprint's regions: their IDs exist only once replication starts."));
        json_array_append_new(
            sts,
            bp_stmt("EC2ForDRSRecovery", "Allow", NULL,
                    STRS("ec2:RunInstances", "ec2:StartInstances", "ec2:StopInstances",
                         "ec2:TerminateInstances", "ec2:ModifyInstanceAttribute",
                         "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion",
                         "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplateVersions",
                         "ec2:CreateVolume", "ec2:AttachVolume", "ec2:DetachVolume",
                         "ec2:DeleteVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot",
                         "ec2:CreateTags"),
                    json_string("*"),
                    json_pack("{s:{s:s}, s:{s:o}}", "ForAnyValue:StringEquals", "aws:CalledVia",
                              "drs.amazonaws.com", "StringEquals", "aws:RequestedRegion",
                              strs(o->regions, o->nregions)),
                    "DRS launches recovery instances with the caller's permissions and picks "
                    "the instances, volumes and snapshots itself, so the resources cannot be "
                    "named; aws:CalledVia allows these actions only when DRS makes the call."));
        json_array_append_new(
            sts, bp_stmt("PassRecoveryInstanceRole", "Allow", NULL, json_string("iam:PassRole"),
                         json_pack("[o]", acct_arn(acct, "arn:aws:iam::",
                                                   ":role/service-role/"
                                                   "AWSElasticDisasterRecovery*")),
                         json_pack("{s:{s:s}}", "StringEquals", "iam:PassedToService",
                                   "ec2.amazonaws.com"),
                         NULL));
    }
    json_array_append_new(
        sts, bp_stmt("EC2Read", "Allow", NULL,
                     STRS("ec2:DescribeInstances", "ec2:DescribeInstanceStatus",
                          "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeLaunchTemplateVersions",
                          "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
                          "ec2:DescribeRouteTables", "ec2:DescribeVpcPeeringConnections",
                          "ec2:DescribeNetworkInterfaces"),
                     json_string("*"), in_regions(o), NOTE_NO_RESOURCE("EC2")));
    json_array_append_new(
        sts, bp_stmt("IAMReadDRSRoles", "Allow", NULL, json_string("iam:GetRole"),
                     json_pack("[o,o]", acct_arn(acct, "arn:aws:iam::", ":role/" BP_SPOKE_ROLE),
                               acct_arn(acct, "arn:aws:iam::", ":role/service-role/DRS*")),
                     NULL, NULL));
    json_array_append_new(
        sts,
        bp_stmt("IAMListRoles", "Allow", NULL, json_string("iam:ListRoles"), json_string("*"), NULL,
                "iam:ListRoles takes no resource ARN, so IAM requires Resource \"*\"; "
                "doctor reads the DRS roles' trust policies through it."));
    json_array_append_new(sts, bp_stmt("KMSReadKeys", "Allow", NULL,
                                       STRS("kms:DescribeKey", "kms:GetKeyPolicy"),
                                       acct_arns(o, "kms", acct, "key/*"), NULL,
                                       "key/*: the keys' IDs exist only once they are created; "
                                       "read-only, in this account and the blueprint's regions."));
    json_array_append_new(
        sts, bp_stmt("KMSListAliases", "Allow", NULL, json_string("kms:ListAliases"),
                     json_string("*"), in_regions(o),
                     "kms:ListAliases takes no resource ARN, so IAM requires Resource \"*\"."));
    json_array_append_new(
        sts, bp_stmt("ServiceQuotasRead", "Allow", NULL,
                     STRS("servicequotas:ListServiceQuotas", "servicequotas:GetServiceQuota"),
                     json_string("*"), in_regions(o), NOTE_NO_RESOURCE("Service Quotas")));
    return bp_doc(sts);
}

/* ---- the DRS service roles (seeds: DRS cross-account reference) ---- */

json_t *bp_staging_trust(const struct bp_opts *o, const json_t *trusted)
{
    json_t *arns = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(trusted, i, a)
        per_region(o, "drs", json_string_value(a), "source-server/*", arns);
    return bp_doc(json_pack(
        "[o]",
        bp_stmt("DRSStaging", "Allow", json_pack("{s:s}", "Service", "drs.amazonaws.com"),
                STRS("sts:AssumeRole", "sts:SetSourceIdentity"), NULL,
                json_pack("{s:{s:O, s:O}, s:{s:o}}", "StringEquals", "aws:SourceAccount", trusted,
                          "sts:SourceIdentity", trusted, "ArnLike", "aws:SourceArn", arns),
                NULL)));
}

json_t *bp_staging_kms_policy(const struct bp_opts *o, const char *acct)
{
    json_t *keys = per_region(o, "kms", acct, "key/*", NULL);
    for (size_t s = 0; s < o->nsources; s++)
        per_region(o, "kms", o->sources[s], "key/*", keys);
    return bp_doc(json_pack(
        "[o]",
        bp_stmt("DRSKMSCrossAccountPermissions", "Allow", NULL,
                STRS("kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                     "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"),
                keys,
                json_pack("{s:{s:o}}", "StringEquals", "kms:ViaService", via_services(o, NULL)),
                "key/* of this account and the source accounts: the key IDs exist only "
                "once the keys are created; the key policies name this role and are "
                "the real gate.")));
}

static json_t *drs_service_trust(const char *sid, const char *acct, json_t *source_arns)
{
    return bp_doc(json_pack(
        "[o]", bp_stmt(sid, "Allow", json_pack("{s:s}", "Service", "drs.amazonaws.com"),
                       json_string("sts:AssumeRole"), NULL,
                       json_pack("{s:{s:s}, s:{s:o}}", "StringEquals", "aws:SourceAccount", acct,
                                 "ArnLike", "aws:SourceArn", source_arns),
                       NULL)));
}

json_t *bp_network_trust(const struct bp_opts *o, const char *acct)
{
    return drs_service_trust("DRSNetwork", acct,
                             per_region(o, "drs", acct, "source-network/*", NULL));
}

json_t *bp_replication_trust(const struct bp_opts *o, const char *acct)
{
    json_t *arns = per_region(o, "drs", acct, "recovery-instance/*", NULL);
    per_region(o, "drs", acct, "source-server/*", arns);
    return drs_service_trust("DRSReplication", acct, arns);
}

json_t *bp_agent_trust(const char *target, const char *source)
{
    char root[64], auth[256];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", source);
    snprintf(auth, sizeof auth,
             "arn:aws:iam::%s:role/service-role/DRSCrossAccountAgentAuthorizedRole_%s", source,
             target);
    const char *note = "The principal is the source account, pinned to its "
                       "DRSCrossAccountAgentAuthorizedRole by aws:PrincipalArn: naming the role "
                       "itself would make this stack depend on the source stack existing first.";
    return bp_doc(
        json_pack("[o,o]",
                  bp_stmt("AgentAuthorizedRole", "Allow", json_pack("{s:s}", "AWS", root),
                          STRS("sts:AssumeRole", "sts:TagSession"), NULL,
                          json_pack("{s:{s:s}}", "ArnEquals", "aws:PrincipalArn", auth), note),
                  bp_stmt("AgentSourceIdentity", "Allow", json_pack("{s:s}", "AWS", root),
                          json_string("sts:SetSourceIdentity"), NULL,
                          json_pack("{s:{s:s}, s:{s:s}}", "StringLike", "sts:SourceIdentity", "i-*",
                                    "ArnEquals", "aws:PrincipalArn", auth),
                          NULL)));
}

json_t *bp_agent_auth_trust(const char *source)
{
    char root[64];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", source);
    return bp_doc(json_pack(
        "[o]",
        bp_stmt("AgentInstances", "Allow", json_pack("{s:s}", "AWS", root),
                STRS("sts:AssumeRole", "sts:TagSession"), NULL,
                json_pack("{s:{s:s}, s:{s:s}}", "StringLike", "aws:RequestTag/SourceInstanceARN",
                          "${ec2:SourceInstanceARN}", "ForAnyValue:StringEquals",
                          "sts:TransitiveTagKeys", "SourceInstanceARN"),
                "The DRS agent runs under each source instance's own role, which cannot "
                "be known here: the account root plus the instance's SourceInstanceARN "
                "session tag, as the seeds require.")));
}

json_t *bp_agent_auth_policy(const char *target, const char *source)
{
    char agent[256];
    snprintf(agent, sizeof agent, "arn:aws:iam::%s:role/service-role/DRSCrossAccountAgentRole_%s",
             target, source);
    return bp_doc(json_pack(
        "[o,o]",
        bp_stmt("AssumeAgentRole", "Allow", NULL, STRS("sts:AssumeRole", "sts:TagSession"),
                json_string(agent), NULL, NULL),
        bp_stmt("SetInstanceSourceIdentity", "Allow", NULL, json_string("sts:SetSourceIdentity"),
                json_string(agent),
                json_pack("{s:{s:s}}", "StringLike", "sts:SourceIdentity", "i-*"), NULL)));
}

/* ---- KMS key policies ---- */

static json_t *root_stmt(const char *acct)
{
    char root[64];
    snprintf(root, sizeof root, "arn:aws:iam::%s:root", acct);
    return bp_stmt("Enable IAM User Permissions", "Allow", json_pack("{s:s}", "AWS", root),
                   json_string("kms:*"), json_string("*"), NULL,
                   "The account root keeps full control so that the key can never become "
                   "unmanageable (KMS refuses policies that lock the account out); in a key "
                   "policy Resource \"*\" means this key.");
}

static json_t *key_policy(json_t *root, json_t *principals, json_t *use_actions, const char *region)
{
    char ec2[96], drs[96];
    snprintf(ec2, sizeof ec2, "ec2.%s.amazonaws.com", region);
    snprintf(drs, sizeof drs, "drs.%s.amazonaws.com", region);
    json_t *use =
        bp_stmt("AllowDRSStagingRoleUse", "Allow", json_pack("{s:O}", "AWS", principals),
                use_actions, json_string("*"),
                json_pack("{s:{s:[s,s]}}", "StringEquals", "kms:ViaService", ec2, drs), NULL);
    json_t *grants = bp_stmt(
        "AllowDRSStagingRoleGrants", "Allow", json_pack("{s:o}", "AWS", principals),
        STRS("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"), json_string("*"),
        json_pack("{s:{s:[s,s]}, s:{s:b}}", "StringEquals", "kms:ViaService", ec2, drs, "Bool",
                  "kms:GrantIsForAWSResource", 1),
        "Grants only for AWS resources (the EBS volumes DRS creates), only through EC2 or DRS "
        "in this region.");
    return bp_doc(json_pack("[o,o,o]", root, use, grants));
}

json_t *bp_target_key_policy(const char *acct, const char *region)
{
    return key_policy(root_stmt(acct),
                      json_pack("[o]", bp_role_arn(acct, "service-role/" BP_STAGING_ROLE)),
                      STRS("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                           "kms:DescribeKey"),
                      region);
}

json_t *bp_source_key_policy(const struct bp_opts *o, const char *acct, const char *region)
{
    json_t *p = json_array();
    for (size_t i = 0; i < o->nspokes; i++)
        json_array_append_new(p, bp_role_arn(o->spokes[i], "service-role/" BP_STAGING_ROLE));
    return key_policy(root_stmt(acct), p,
                      STRS("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey",
                           "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"),
                      region);
}
