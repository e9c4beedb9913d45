/*
 * templates.c - assembles a blueprint: for each account role (hub, spoke,
 * target, source) the CloudFormation templates, and beside them the raw
 * policy documents and the manifest. Every IAM role and KMS key goes
 * through add_role / add_key, which put the same document into the
 * template (with its "#" notes) and into policies/ACCT/ (without),
 * so the two can never disagree. Templates of the target and source
 * roles are per region (a stack is regional; IAM roles, being global,
 * live in the first region's template only, and a Rules assertion keeps
 * each template in its region).
 */
#include <stdio.h>
#include <string.h>

#include "blueprint/internal.h"
#include "core/jsonutil.h"

struct gen {
    const struct bp_opts *o;
    const json_t *ext; /* account -> external ID */
    json_t *templates, *policies, *secret, *manifest_accts;
};

/* The manifest entry of an account (created on first use). */
static json_t *macct(struct gen *g, const char *acct)
{
    json_t *m = json_object_get(g->manifest_accts, acct);
    if (!m) {
        m = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "account_id", acct, "kinds", "roles",
                      "kms_keys", "templates");
        json_object_set_new(g->manifest_accts, acct, m);
    }
    return m;
}

static void add_kind(struct gen *g, const char *acct, const char *kind)
{
    json_t *k = json_object_get(macct(g, acct), "kinds");
    size_t i;
    json_t *v;
    json_array_foreach(k, i, v) if (!strcmp(json_string_value(v), kind)) return;
    json_array_append_new(k, json_string(kind));
}

static json_t *new_template(struct gen *g, const char *name, const char *acct, const char *desc,
                            const char *region)
{
    json_t *t = json_pack("{s:s, s:s, s:{}, s:{}}", "AWSTemplateFormatVersion", "2010-09-09",
                          "Description", desc, "Resources", "Outputs");
    if (region) {
        char why[160];
        snprintf(why, sizeof why, "this template is for %s: its policies name that region", region);
        json_object_set_new(t, "Rules",
                            json_pack("{s:{s:[{s:{s:[{s:s}, s]}, s:s}]}}", "InBlueprintRegion",
                                      "Assertions", "Assert", "Fn::Equals", "Ref", "AWS::Region",
                                      region, "AssertDescription", why));
    }
    json_object_set_new(g->templates, name, t);
    if (acct)
        json_array_append_new(json_object_get(macct(g, acct), "templates"), json_string(name));
    return t;
}

static void add_param(json_t *t, const char *name, json_t *spec)
{
    json_t *p = json_object_get(t, "Parameters");
    if (!p) {
        p = json_object();
        /* Parameters read best before Resources */
        json_object_set_new(t, "Parameters", p);
    }
    json_object_set_new(p, name, spec);
}

/* Logical ID: the name without non-alphanumerics. */
static void logical_id(const char *name, char *out, size_t n)
{
    size_t j = 0;
    for (const char *p = name; *p && j + 1 < n; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            out[j++] = *p;
    out[j] = '\0';
}

static void raw_doc(struct gen *g, const char *path, const json_t *doc, bool secret)
{
    json_t *copy = json_deep_copy(doc);
    bp_strip_notes(copy, NULL);
    json_object_set_new(g->policies, path, copy);
    if (secret)
        json_array_append_new(g->secret, json_string(path));
}

struct role {
    const char *acct, *name, *path; /* path "/" or "/service-role/" */
    const char *desc;
    json_t *trust;     /* stolen */
    json_t *trust_tpl; /* the template's form when it differs (stolen), or NULL */
    bool trust_secret; /* the raw trust holds an external ID */
    const char *pname; /* inline policy name, or NULL */
    json_t *policy;    /* stolen, or NULL */
    const char *managed;
};

static void add_role(struct gen *g, json_t *t, struct role *r)
{
    char id[128], path[320];
    logical_id(r->name, id, sizeof id);
    json_t *props =
        json_pack("{s:s, s:s, s:s, s:O}", "RoleName", r->name, "Path", r->path, "Description",
                  r->desc, "AssumeRolePolicyDocument", r->trust_tpl ? r->trust_tpl : r->trust);
    json_t *m = json_pack("{s:s, s:s}", "name", r->name, "path", r->path);
    snprintf(path, sizeof path, "policies/%s/%s.trust.json", r->acct, r->name);
    raw_doc(g, path, r->trust, r->trust_secret);
    json_object_set_new(m, "trust", json_string(path));
    if (r->managed) {
        json_object_set_new(props, "ManagedPolicyArns", json_pack("[s]", r->managed));
        json_object_set_new(m, "managed_policy_arns", json_pack("[s]", r->managed));
    }
    if (r->policy) {
        json_object_set_new(
            props, "Policies",
            json_pack("[{s:s, s:O}]", "PolicyName", r->pname, "PolicyDocument", r->policy));
        snprintf(path, sizeof path, "policies/%s/%s.%s.json", r->acct, r->name, r->pname);
        raw_doc(g, path, r->policy, false);
        json_object_set_new(m, "policies", json_pack("{s:s}", r->pname, path));
    }
    json_object_set_new(json_object_get(t, "Resources"), id,
                        json_pack("{s:s, s:o}", "Type", "AWS::IAM::Role", "Properties", props));
    char out[160];
    snprintf(out, sizeof out, "%sArn", id);
    json_object_set_new(json_object_get(t, "Outputs"), out,
                        json_pack("{s:{s:[s,s]}}", "Value", "Fn::GetAtt", id, "Arn"));
    json_array_append_new(json_object_get(macct(g, r->acct), "roles"), m);
    json_decref(r->trust);
    json_decref(r->trust_tpl);
    json_decref(r->policy);
}

/* A DRS role under /service-role/ (policy and managed may be NULL). */
static void drs_role(struct gen *g, json_t *t, const char *acct, const char *name, const char *desc,
                     json_t *trust, const char *pname, json_t *policy, const char *managed)
{
    struct role r = {acct,  name,  "/service-role/", desc,   trust, NULL,
                     false, pname, policy,           managed};
    add_role(g, t, &r);
}

static void add_key(struct gen *g, json_t *t, const char *acct, const char *region,
                    const char *kind, json_t *policy, const char *depends_on)
{
    char path[320], alias[64], id[64];
    snprintf(path, sizeof path, "policies/%s/kms-%s-%s.json", acct, region, kind);
    snprintf(alias, sizeof alias, "alias/drs-%s-key", kind);
    snprintf(id, sizeof id, "DRS%sKey", !strcmp(kind, "target") ? "Target" : "Source");
    raw_doc(g, path, policy, false);
    json_t *key = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:b, s:s, s:s, s:o}}", "Type", "AWS::KMS::Key", "DeletionPolicy",
        "Retain", "UpdateReplacePolicy", "Retain", "Properties", "Description",
        !strcmp(kind, "target")
            ? "DRS EBS encryption key for staging and recovered volumes (drover blueprint)"
            : "DRS source EBS volume key shared with the recovery accounts (drover blueprint)",
        "EnableKeyRotation", 1, "KeySpec", "SYMMETRIC_DEFAULT", "KeyUsage", "ENCRYPT_DECRYPT",
        "KeyPolicy", policy);
    if (depends_on)
        json_object_set_new(key, "DependsOn", json_string(depends_on));
    json_t *res = json_object_get(t, "Resources");
    json_object_set_new(res, id, key);
    char aid[80];
    snprintf(aid, sizeof aid, "%sAlias", id);
    json_object_set_new(res, aid,
                        json_pack("{s:s, s:{s:s, s:{s:s}}}", "Type", "AWS::KMS::Alias",
                                  "Properties", "AliasName", alias, "TargetKeyId", "Ref", id));
    char out[80];
    snprintf(out, sizeof out, "%sArn", id);
    json_object_set_new(json_object_get(t, "Outputs"), out,
                        json_pack("{s:{s:[s,s]}}", "Value", "Fn::GetAtt", id, "Arn"));
    json_array_append_new(
        json_object_get(macct(g, acct), "kms_keys"),
        json_pack("{s:s, s:s, s:s}", "region", region, "alias", alias, "policy", path));
}

static void add_security_group(struct gen *g, json_t *t)
{
    const struct bp_opts *o = g->o;
    add_param(t, "VpcId",
              json_pack("{s:s, s:s}", "Type", "AWS::EC2::VPC::Id", "Description",
                        "the staging-area VPC of this account-region"));
    json_t *in = json_array();
    if (o->ncidrs == 0) {
        add_param(t, "SourceCidr",
                  json_pack("{s:s, s:s, s:s}", "Type", "String", "Description",
                            "the source network that replicates into this staging area",
                            "AllowedPattern", "^(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])$"));
        json_array_append_new(in, json_pack("{s:s, s:i, s:i, s:{s:s}, s:s}", "IpProtocol", "tcp",
                                            "FromPort", 1500, "ToPort", 1500, "CidrIp", "Ref",
                                            "SourceCidr", "Description",
                                            "DRS replication data from the source network"));
    }
    for (size_t i = 0; i < o->ncidrs; i++)
        json_array_append_new(in, json_pack("{s:s, s:i, s:i, s:s, s:s}", "IpProtocol", "tcp",
                                            "FromPort", 1500, "ToPort", 1500, "CidrIp",
                                            o->source_cidrs[i], "Description",
                                            "DRS replication data from the source network"));
    json_t *out = json_pack(
        "[{s:s, s:s, s:i, s:i, s:s, s:s}]", "#",
        "Destination 0.0.0.0/0: the DRS, EC2 and S3 endpoints the replication servers call are "
        "public AWS addresses; with VPC endpoints, narrow this to their prefix list or CIDR.",
        "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", "0.0.0.0/0", "Description",
        "HTTPS to the DRS, EC2 and S3 endpoints");
    json_object_set_new(json_object_get(t, "Resources"), "ReplicationSecurityGroup",
                        json_pack("{s:s, s:{s:s, s:{s:s}, s:o, s:o, s:[{s:s, s:s}]}}", "Type",
                                  "AWS::EC2::SecurityGroup", "Properties", "GroupDescription",
                                  "DRS replication servers: TCP 1500 in from the source "
                                  "networks, HTTPS out",
                                  "VpcId", "Ref", "VpcId", "SecurityGroupIngress", in,
                                  "SecurityGroupEgress", out, "Tags", "Key", "Name", "Value",
                                  "drs-replication"));
    json_object_set_new(json_object_get(t, "Outputs"), "ReplicationSecurityGroupId",
                        json_pack("{s:{s:s}}", "Value", "Ref", "ReplicationSecurityGroup"));
}

static json_t *ext_param(void)
{
    return json_pack("{s:s, s:b, s:i, s:i, s:s, s:s}", "Type", "String", "NoEcho", 1, "MinLength",
                     2, "MaxLength", 1224, "AllowedPattern", "^[\\w+=,.@:/-]+$", "Description",
                     "this account's external ID, from external-ids.json (a secret: never "
                     "commit it)");
}

static void gen_hub(struct gen *g, const json_t *spoke_accts)
{
    const struct bp_opts *o = g->o;
    char name[64];
    snprintf(name, sizeof name, "hub-%s", o->hub);
    add_kind(g, o->hub, "hub");
    json_t *t = new_template(g, name, o->hub,
                             "drover hub: the execution role drover runs as; it may only assume "
                             "the DroverSpokeRole of each blueprint account (drover blueprint)",
                             NULL);
    struct role r = {o->hub,
                     BP_EXEC_ROLE,
                     "/",
                     "drover execution role (drover blueprint)",
                     bp_exec_trust(o),
                     NULL,
                     false,
                     "drover-assume-spokes",
                     bp_exec_policy(o, spoke_accts),
                     NULL};
    add_role(g, t, &r);
}

static void gen_spoke(struct gen *g, const char *acct, bool recovery)
{
    const struct bp_opts *o = g->o;
    char name[64], exec[128];
    snprintf(name, sizeof name, "spoke-%s", acct);
    snprintf(exec, sizeof exec, "arn:aws:iam::%s:role/%s", o->hub, BP_EXEC_ROLE);
    add_kind(g, acct, "spoke");
    json_t *t = new_template(g, name, acct,
                             "drover spoke: the role the hub's DroverExecutionRole assumes with "
                             "this account's external ID (drover blueprint)",
                             NULL);
    add_param(t, "ExternalId", ext_param());
    const char *ext = json_str_borrow(g->ext, acct);
    struct role r = {acct,
                     BP_SPOKE_ROLE,
                     "/",
                     "drover spoke role (drover blueprint)",
                     bp_spoke_trust(json_string(exec), json_string(ext ? ext : "")),
                     bp_spoke_trust(json_string(exec), json_pack("{s:s}", "Ref", "ExternalId")),
                     true,
                     "drover",
                     bp_spoke_policy(o, acct, recovery),
                     NULL};
    add_role(g, t, &r);
}

static void gen_stackset(struct gen *g)
{
    const struct bp_opts *o = g->o;
    json_t *t = new_template(
        g, "spoke-stackset", NULL,
        "drover spoke for a CloudFormation StackSet: the same DroverSpokeRole with the hub "
        "account and the external ID as parameters (override ExternalId per stack instance)",
        NULL);
    add_param(t, "HubAccountId",
              json_pack("{s:s, s:s, s:s, s:s}", "Type", "String", "Default", o->hub,
                        "AllowedPattern", "^\\d{12}$", "Description",
                        "the account drover runs in"));
    add_param(t, "ExternalId", ext_param());
    json_t *exec = json_pack("{s:s}", "Fn::Sub", "arn:aws:iam::${HubAccountId}:role/" BP_EXEC_ROLE);
    json_t *trust = bp_spoke_trust(exec, json_pack("{s:s}", "Ref", "ExternalId"));
    json_t *props =
        json_pack("{s:s, s:s, s:s, s:o, s:[{s:s, s:o}]}", "RoleName", BP_SPOKE_ROLE, "Path", "/",
                  "Description", "drover spoke role (drover blueprint, StackSet)",
                  "AssumeRolePolicyDocument", trust, "Policies", "PolicyName", "drover",
                  "PolicyDocument", bp_spoke_policy(o, NULL, true));
    json_object_set_new(json_object_get(t, "Resources"), BP_SPOKE_ROLE,
                        json_pack("{s:s, s:o}", "Type", "AWS::IAM::Role", "Properties", props));
    json_object_set_new(json_object_get(t, "Outputs"), "DroverSpokeRoleArn",
                        json_pack("{s:{s:[s,s]}}", "Value", "Fn::GetAtt", BP_SPOKE_ROLE, "Arn"));
}

static bool listed(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* A recovery (or staging) account: the DRS roles, a key and the SG per region. */
static void gen_target(struct gen *g, const char *acct, bool is_staging)
{
    const struct bp_opts *o = g->o;
    add_kind(g, acct, is_staging ? "staging" : "target");
    for (size_t ri = 0; ri < o->nregions; ri++) {
        const char *region = o->regions[ri];
        char name[96], desc[400];
        snprintf(name, sizeof name, "target-%s-%s", acct, region);
        snprintf(desc, sizeof desc,
                 "drover blueprint, DRS %s account %s in %s: %s"
                 "the EBS key and the replication security group. Deploy before the source "
                 "templates (their key policies name this account's staging role).",
                 is_staging ? "staging" : "recovery", acct, region,
                 ri == 0 ? "the DRS cross-account roles (deploy this region first), "
                         : "(the roles are in the first region's template) ");
        json_t *t = new_template(g, name, acct, desc, region);
        if (ri == 0) {
            json_t *trusted = json_pack("[s]", acct);
            for (size_t i = 0; is_staging && i < o->nspokes; i++)
                if (strcmp(o->spokes[i], acct))
                    json_array_append_new(trusted, json_string(o->spokes[i]));
            drs_role(g, t, acct, BP_STAGING_ROLE,
                     "DRS staging role: DRS recovers this account's source servers (drover "
                     "blueprint)",
                     bp_staging_trust(o, trusted), "drover-kms", bp_staging_kms_policy(o, acct),
                     BP_MP_STAGING);
            json_decref(trusted);
            drs_role(g, t, acct, "DRSSourceNetworkRole",
                     "DRS source network replication (drover blueprint)", bp_network_trust(o, acct),
                     NULL, NULL, BP_MP_NETWORK);
            drs_role(g, t, acct, "DRSCrossAccountReplicationRole",
                     "DRS cross-account replication and failback (drover blueprint)",
                     bp_replication_trust(o, acct), NULL, NULL, BP_MP_REPLICATION);
            for (size_t s = 0; s < o->nsources; s++) {
                if (!strcmp(o->sources[s], acct))
                    continue;
                char rn[96];
                snprintf(rn, sizeof rn, "DRSCrossAccountAgentRole_%s", o->sources[s]);
                drs_role(g, t, acct, rn,
                         "DRS agents of the paired source account (drover blueprint)",
                         bp_agent_trust(acct, o->sources[s]), NULL, NULL, BP_MP_AGENT);
            }
        }
        add_key(g, t, acct, region, "target", bp_target_key_policy(acct, region),
                ri == 0 ? "DRSStagingAccountRole" : NULL);
        add_security_group(g, t);
    }
}

static void gen_source(struct gen *g, const char *acct)
{
    const struct bp_opts *o = g->o;
    add_kind(g, acct, "source");
    for (size_t ri = 0; ri < o->nregions; ri++) {
        const char *region = o->regions[ri];
        char name[96], desc[400];
        snprintf(name, sizeof name, "source-%s-%s", acct, region);
        snprintf(desc, sizeof desc,
                 "drover blueprint, DRS source account %s in %s: %sthe source EBS key shared "
                 "with the recovery accounts' staging roles. Deploy after the target templates.",
                 acct, region,
                 ri == 0 ? "the DRS agent-authorized roles, "
                         : "(the roles are in the first "
                           "region's template) ");
        json_t *t = new_template(g, name, acct, desc, region);
        for (size_t i = 0; ri == 0 && i < o->nspokes; i++) {
            if (!strcmp(o->spokes[i], acct))
                continue;
            char rn[96];
            snprintf(rn, sizeof rn, "DRSCrossAccountAgentAuthorizedRole_%s", o->spokes[i]);
            drs_role(g, t, acct, rn,
                     "DRS agents of this account reach the recovery account (drover blueprint)",
                     bp_agent_auth_trust(acct), "drover-agent",
                     bp_agent_auth_policy(o->spokes[i], acct), NULL);
        }
        add_key(g, t, acct, region, "source", bp_source_key_policy(o, acct, region), NULL);
    }
}

/* The members in the order people read templates (CloudFormation ignores it). */
static void reorder(json_t *templates)
{
    static const char *const order[] = {
        "AWSTemplateFormatVersion", "Description", "Parameters", "Rules", "Resources", "Outputs"};
    const char *k;
    json_t *t;
    json_object_foreach(templates, k, t)
    {
        json_t *n = json_object();
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
            if (json_object_get(t, order[i]))
                json_object_set(n, order[i], json_object_get(t, order[i]));
        json_object_set_new(templates, k, n);
    }
}

json_t *bp_spoke_accounts(const struct bp_opts *o)
{
    json_t *a = json_array();
    const char *const *lists[] = {o->spokes, o->sources, &o->staging};
    size_t ns[] = {o->nspokes, o->nsources, o->staging ? 1 : 0};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < ns[l]; i++) {
            bool dup = false;
            size_t j;
            json_t *v;
            json_array_foreach(a, j, v) dup = dup || !strcmp(json_string_value(v), lists[l][i]);
            if (!dup)
                json_array_append_new(a, json_string(lists[l][i]));
        }
    }
    return a;
}

static int check_opts(const struct bp_opts *o, const json_t *ext, struct dr_err *err)
{
    if (!o->hub || strlen(o->hub) != 12)
        return dr_err_set(err, DR_EINVAL, "--hub: a 12-digit account ID is required");
    if (o->nspokes == 0)
        return dr_err_set(err, DR_EINVAL, "--spokes: at least one account is required");
    if (o->nregions == 0)
        return dr_err_set(err, DR_EINVAL, "--regions: at least one region is required");
    if (listed(o->spokes, o->nspokes, o->hub) || listed(o->sources, o->nsources, o->hub) ||
        (o->staging && !strcmp(o->staging, o->hub)))
        return dr_err_set(err, DR_EINVAL,
                          "--hub: %s is also a spoke, source or staging account; the hub must "
                          "be an account of its own",
                          o->hub);
    json_t *all = bp_spoke_accounts(o);
    size_t i;
    json_t *a;
    int rc = 0;
    json_array_foreach(all, i, a)
    {
        if (!json_str_borrow(ext, json_string_value(a))) {
            rc = dr_err_set(err, DR_EINVAL, "external ID: none for account %s",
                            json_string_value(a));
            break;
        }
    }
    json_decref(all);
    return rc;
}

int bp_generate(const struct bp_opts *o, const json_t *external_ids, json_t **out,
                struct dr_err *err)
{
    int rc;
    *out = NULL;
    if ((rc = check_opts(o, external_ids, err)) < 0)
        return rc;
    struct gen g = {o, external_ids, json_object(), json_object(), json_array(), json_object()};
    json_t *spokes = bp_spoke_accounts(o);
    gen_hub(&g, spokes);
    size_t i;
    json_t *a;
    json_array_foreach(spokes, i, a)
    {
        const char *acct = json_string_value(a);
        gen_spoke(&g, acct,
                  listed(o->spokes, o->nspokes, acct) || (o->staging && !strcmp(o->staging, acct)));
    }
    gen_stackset(&g);
    for (i = 0; i < o->nspokes; i++)
        gen_target(&g, o->spokes[i], false);
    if (o->staging && !listed(o->spokes, o->nspokes, o->staging))
        gen_target(&g, o->staging, true);
    for (i = 0; i < o->nsources; i++)
        gen_source(&g, o->sources[i]);
    reorder(g.templates);
    json_t *accts = json_array();
    const char *k;
    json_object_foreach(g.manifest_accts, k, a) json_array_append(accts, a);
    json_t *manifest = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:O, s:s}", "hub", o->hub, "execution_role_arn", "", "regions",
        json_array(), "accounts", accts, "external_ids", "external-ids.json", "secret", g.secret,
        "deploy_order", "hub, spoke-*, target-* (first region first), source-*");
    char exec[128];
    snprintf(exec, sizeof exec, "arn:aws:iam::%s:role/%s", o->hub, BP_EXEC_ROLE);
    json_object_set_new(manifest, "execution_role_arn", json_string(exec));
    for (i = 0; i < o->nregions; i++)
        json_array_append_new(json_object_get(manifest, "regions"), json_string(o->regions[i]));
    *out = json_pack("{s:o, s:o, s:o, s:o}", "templates", g.templates, "policies", g.policies,
                     "secret", g.secret, "manifest", manifest);
    json_decref(spokes);
    json_decref(g.manifest_accts);
    return *out ? 0 : dr_err_set(err, DR_ENOMEM, "out of memory");
}
