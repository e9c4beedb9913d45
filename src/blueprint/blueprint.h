/*
 * blueprint.h - `drover blueprint`: generates a least-privilege
 * cross-account DRS setup that `drover doctor` passes. For a hub account,
 * recovery (spoke) accounts, optional source accounts and a staging
 * account, and the given regions, it builds as jansson values:
 *  - the IAM policy documents (trust and permission policies of the hub
 *    execution role, the per-account DroverSpokeRole trusted by it with an
 *    external ID, the five DRS cross-account roles of the seeds, KMS key
 *    policies per account-region),
 *  - CloudFormation templates: hub, spoke (one per account), target and
 *    source (one per account and region; IAM resources only in the first
 *    region's template), and a StackSet-friendly spoke variant,
 *  - a manifest naming every file.
 * Objects may carry "#" members: notes that say why a wildcard is needed.
 * YAML output turns them into comments (yamlout_emit_commented); JSON
 * output moves them into the template's Metadata (bp_strip_notes); raw
 * policy documents drop them. Depends on core, inventory/accounts
 * (validators, external IDs) and jansson.
 */
#ifndef DROVER_BLUEPRINT_BLUEPRINT_H
#define DROVER_BLUEPRINT_BLUEPRINT_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

#define BP_EXEC_ROLE    "DroverExecutionRole"
#define BP_SPOKE_ROLE   "DroverSpokeRole"
#define BP_STAGING_ROLE "DRSStagingAccountRole"
#define BP_MAX_ACCOUNTS 256

struct bp_opts {
    const char *hub;
    const char *const *spokes; /* recovery (target) accounts */
    size_t nspokes;
    const char *const *sources; /* accounts the servers replicate from; may be none */
    size_t nsources;
    const char *staging; /* a separate staging account, or NULL */
    const char *const *regions;
    size_t nregions;
    const char *const *source_cidrs; /* TCP 1500 sources; none: a template parameter */
    size_t ncidrs;
    const char *hub_principal; /* who may assume the execution role; NULL: the hub root */
};

/*
 * Validates o and generates the blueprint. external_ids maps every account
 * that gets a DroverSpokeRole (spokes, sources, staging) to its external
 * ID (borrowed). *out (new reference):
 *   {"templates": {"hub-ACCT": T, "spoke-ACCT": T, "target-ACCT-REGION": T,
 *                  "source-ACCT-REGION": T, "spoke-stackset": T},
 *    "policies":  {"policies/ACCT/NAME.json": DOC, ...},
 *    "secret":    ["policies/ACCT/DroverSpokeRole.trust.json", ...],
 *    "manifest":  {...}}
 * Errors name the option (-DR_EINVAL, "--spokes: ...").
 */
int bp_generate(const struct bp_opts *o, const json_t *external_ids, json_t **out,
                struct dr_err *err);

/* Every account that gets a DroverSpokeRole, in order, de-duplicated (new array). */
json_t *bp_spoke_accounts(const struct bp_opts *o);

/*
 * Parses "a,b,c" into a new array of 12-digit account IDs (duplicates
 * dropped). `opt` names the option in errors.
 */
int bp_parse_accounts(const char *csv, const char *opt, json_t **out, struct dr_err *err);
/* Same for comma-separated IPv4 CIDRs. */
int bp_parse_cidrs(const char *csv, const char *opt, json_t **out, struct dr_err *err);

/*
 * Removes every "#" note from v (in place, recursively) and appends
 * "WHERE: note" strings to notes (may be NULL), WHERE being the nearest
 * Sid or member name.
 */
void bp_strip_notes(json_t *v, json_t *notes);

#endif
