/*
 * resolve.h - turns a protection group into its member servers, from the
 * inventory in the store (what `drover discover` last saw). Selectors are
 * resolved here when an execution starts or a plan is validated; explicit
 * server lists are taken as written and looked up for their state.
 */
#ifndef DROVER_PLAN_RESOLVE_H
#define DROVER_PLAN_RESOLVE_H

#include <jansson.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Resolves a normalized group (plan_normalize) into *members, a new array of
 *   {"account_id","region","source_server_id",
 *    "in_inventory": bool,            -- false: explicit server never discovered
 *    "replication_state": str|null, "lag_seconds": int (-1 unknown),
 *    "stale": bool, "tags": {...}}
 * ordered by account, region, server ID, without duplicates. A selector
 * without accounts means every registered account; without regions, each
 * account's registered regions.
 */
int plan_resolve_group(struct store *st, const json_t *group, json_t **members, struct dr_err *err);

#endif
