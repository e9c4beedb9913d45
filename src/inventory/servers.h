/*
 * servers.h - the offline inventory view behind `drover servers`: parsing
 * its filters (K=V tags, replication states, lag thresholds) into a store
 * filter, and rendering the matching servers as JSON or a table.
 * Depends on core and store; must not depend on the CLI or the AWS client.
 */
#ifndef DROVER_INVENTORY_SERVERS_H
#define DROVER_INVENTORY_SERVERS_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define SERVERS_STATE_MAX 32

/* "K=V" (split at the first '='; the key must be non-empty). Borrows from s via copies in kv. */
int servers_parse_tag(const char *s, char **key, char **value, struct dr_err *err);
/* A DRS dataReplicationState, case-insensitive; out gets it in upper case. */
int servers_parse_state(const char *s, char out[SERVERS_STATE_MAX], struct dr_err *err);
/* Seconds as a non-negative integer, or an ISO 8601 duration ("PT5M"). */
int servers_parse_lag(const char *s, int64_t *seconds, struct dr_err *err);

/*
 * {"servers":[{"account_id","region","source_server_id","hostname",
 * "replication_state","lag_seconds","last_launch_result","last_launch_at",
 * "recovery_instance_id","arn","instance_type","subnet_id","private_ip",
 * "stale","fetched_at","tags"}]}. New reference or NULL.
 */
json_t *servers_to_json(const struct store_server_list *l);
/* ACCOUNT REGION SERVER ID HOSTNAME STATE LAG LAST LAUNCH STALE */
int servers_render_table(const struct store_server_list *l, struct buf *out, struct dr_err *err);

#endif
