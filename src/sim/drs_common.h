/*
 * drs_common.h - helpers shared by the simulator's DRS files (drs.c,
 * drs_ops.c): validation errors in the DRS shape, the account-region's
 * DRS state, and replication refresh. Internal to src/sim.
 */
#ifndef DROVER_SIM_DRS_COMMON_H
#define DROVER_SIM_DRS_COMMON_H

#include <jansson.h>
#include <stdbool.h>

#include "sim/internal.h"

/* ValidationException with reason fieldValidationFailed and a fieldList. Returns -1. */
int drs_vfail(struct sim_call *c, const char *field, const char *msg);
/* The caller's DRS state; with need_init, UninitializedAccountException when not initialized. */
json_t *drs_state(struct sim_call *c, bool need_init);
/* Optional/required list member with length bounds; *out borrowed (NULL when absent). */
int drs_check_list(struct sim_call *c, json_t *in, const char *field, size_t min, size_t max,
                   json_t **out);
int drs_check_tags(struct sim_call *c, json_t *tags, const char *field);
/* The server (or recovery instance) named by the request's sourceServerID
 * (recoveryInstanceID); NULL with the error set when missing or unknown. */
json_t *drs_find_server(struct sim_call *c, json_t *drs, json_t *in);
json_t *drs_find_ri(struct sim_call *c, json_t *drs, json_t *in);
/* A request member drs_merge copies, with its JSON type and allowed values. */
struct field {
    const char *name;
    int type; /* JSON_STRING, JSON_TRUE (boolean), JSON_INTEGER, JSON_ARRAY, JSON_OBJECT */
    const char *const *enums;
};
/* Checks the members named in fields, then copies those present from in to dst. */
int drs_merge(struct sim_call *c, json_t *dst, json_t *in, const struct field *fields);
/* Builds {key:[...], "nextToken"} from a page of items (stolen). */
int drs_page_out(struct sim_call *c, json_t *in, json_t *items, const char *key);
/* A member map of the DRS state, created on first use (borrowed). */
json_t *drs_map(json_t *drs, const char *name);
/* Failback replication: FAILBACK_IN_PROGRESS becomes FAILBACK_READY_FOR_LAUNCH
 * once the recovery instance's data has been replicated back (sim time). */
void drs_refresh_failback(struct sim_call *c, json_t *drs);
/* Sim time failback replication takes after ReverseReplication. */
#define DRS_FAILBACK_SYNC_MS 600000
/* Recomputes a source server's replication view for the current sim time. */
void drs_refresh_server(struct sim_call *c, json_t *drs, const char *id);

#endif
