/*
 * internal.h - the seams between the blueprint's files: the policy
 * document builders (policies.c) and the CloudFormation template builders
 * (templates.c) that blueprint.c combines. Internal to src/blueprint.
 */
#ifndef DROVER_BLUEPRINT_INTERNAL_H
#define DROVER_BLUEPRINT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "blueprint/blueprint.h"

/* A policy document {"Version":"2012-10-17","Statement":[...]} (steals sts). */
json_t *bp_doc(json_t *sts);
/* A statement; principal, resource, cond and note may be NULL (steals the json_t). */
json_t *bp_stmt(const char *sid, const char *effect, json_t *principal, json_t *action,
                json_t *resource, json_t *cond, const char *note);
/* "arn:aws:iam::ACCT:role/PATHNAME" into a new string value. */
json_t *bp_role_arn(const char *acct, const char *path_name);

/* ---- policies.c: one builder per document ---- */
json_t *bp_exec_trust(const struct bp_opts *o);
json_t *bp_exec_policy(const struct bp_opts *o, const json_t *spoke_accts);
/* ext: the literal external ID, or a CloudFormation {"Ref": "ExternalId"}
 * (stolen); hub: the hub account literal or a {"Fn::Sub": ...} (stolen). */
json_t *bp_spoke_trust(json_t *exec_role_arn, json_t *ext);
/* The spoke role's permissions; acct NULL: the StackSet form (${AWS::AccountId}). */
json_t *bp_spoke_policy(const struct bp_opts *o, const char *acct, bool recovery);
/* The three DRS service roles of a staging/recovery account. trusted: the
 * accounts DRS may act for (aws:SourceAccount). */
json_t *bp_staging_trust(const struct bp_opts *o, const json_t *trusted);
json_t *bp_staging_kms_policy(const struct bp_opts *o, const char *acct);
json_t *bp_network_trust(const struct bp_opts *o, const char *acct);
json_t *bp_replication_trust(const struct bp_opts *o, const char *acct);
/* DRSCrossAccountAgentRole_<source> in target, trusted by the source's
 * DRSCrossAccountAgentAuthorizedRole_<target>. */
json_t *bp_agent_trust(const char *target, const char *source);
/* DRSCrossAccountAgentAuthorizedRole_<target> in source, and its policy. */
json_t *bp_agent_auth_trust(const char *source);
json_t *bp_agent_auth_policy(const char *target, const char *source);
/* Key policies: a recovery account's key (its staging role), and a source
 * account's key (the staging roles of the recovery accounts). */
json_t *bp_target_key_policy(const char *acct, const char *region);
json_t *bp_source_key_policy(const struct bp_opts *o, const char *acct, const char *region);

/* The managed policies of the seeds (ARNs). */
#define BP_MP_STAGING                                                                              \
    "arn:aws:iam::aws:policy/service-role/AWSElasticDisasterRecoveryStagingAccountPolicy_v2"
#define BP_MP_NETWORK                                                                              \
    "arn:aws:iam::aws:policy/service-role/AWSElasticDisasterRecoveryNetworkReplicationPolicy"
#define BP_MP_REPLICATION                                                                          \
    "arn:aws:iam::aws:policy/service-role/AWSElasticDisasterRecoveryCrossAccountReplicationPolicy"
#define BP_MP_AGENT                                                                                \
    "arn:aws:iam::aws:policy/service-role/AWSElasticDisasterRecoveryEc2InstancePolicy"

#endif
