/*
 * servers.c - filters and rendering for `drover servers` (see servers.h).
 * Depends on core and store only.
 */
#include "inventory/servers.h"

#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/str.h"
#include "core/table.h"
#include "core/timeutil.h"

/* DataReplicationState in the botocore DRS model. */
static const char *const states[] = {
    "STOPPED",    "INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT",
    "CONTINUOUS", "PAUSED",     "RESCAN",       "STALLED", "DISCONNECTED",
};

int servers_parse_tag(const char *s, char **key, char **value, struct dr_err *err)
{
    struct str k, rest;

    *key = *value = NULL;
    if (!s)
        return dr_err_set(err, DR_EINVAL, "tag: missing");
    rest = str_cut(str_from(s), '=', &k);
    if (!rest.p || k.len == 0)
        return dr_err_set(err, DR_EINVAL, "tag: '%.80s' is not KEY=VALUE", s);
    *key = str_dup(k);
    *value = str_dup(rest);
    if (!*key || !*value) {
        free(*key);
        free(*value);
        *key = *value = NULL;
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    return 0;
}

int servers_parse_state(const char *s, char out[SERVERS_STATE_MAX], struct dr_err *err)
{
    size_t i;

    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (dr_strcaseeq(s, states[i])) {
            dr_strlcpy(out, states[i], SERVERS_STATE_MAX);
            return 0;
        }
    }
    return dr_err_set(err, DR_EINVAL,
                      "state: '%.40s' is not a replication state (STOPPED, INITIATING, "
                      "INITIAL_SYNC, BACKLOG, CREATING_SNAPSHOT, CONTINUOUS, PAUSED, RESCAN, "
                      "STALLED, DISCONNECTED)",
                      s ? s : "");
}

int servers_parse_lag(const char *s, int64_t *seconds, struct dr_err *err)
{
    int64_t v;

    if (s && dr_parse_i64(s, &v) == 0 && v >= 0) {
        *seconds = v;
        return 0;
    }
    if (s && duration_parse_iso8601(s, &v) == 0) {
        *seconds = v / 1000;
        return 0;
    }
    return dr_err_set(err, DR_EINVAL,
                      "lag-over: '%.40s' is not a number of seconds or an ISO 8601 duration",
                      s ? s : "");
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *servers_to_json(const struct store_server_list *l)
{
    json_t *root = json_object(), *arr = json_array();
    char when[32];
    size_t i;

    if (!root || !arr) {
        json_decref(root);
        json_decref(arr);
        return NULL;
    }
    json_object_set_new(root, "servers", arr);
    for (i = 0; i < l->n; i++) {
        const struct store_server *sv = &l->v[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(root);
            return NULL;
        }
        time_iso8601_ms(sv->fetched_at, when, sizeof(when));
        json_object_set_new(o, "account_id", json_string(sv->account_id));
        json_object_set_new(o, "region", json_string(sv->region));
        json_object_set_new(o, "source_server_id", json_string(sv->source_server_id));
        json_object_set_new(o, "hostname", str_or_null(sv->hostname));
        json_object_set_new(o, "replication_state", str_or_null(sv->replication_state));
        json_object_set_new(o, "lag_seconds",
                            sv->lag_seconds >= 0 ? json_integer(sv->lag_seconds) : json_null());
        json_object_set_new(o, "last_launch_result", str_or_null(sv->last_launch_result));
        json_object_set_new(o, "last_launch_at", str_or_null(sv->last_launch_at));
        json_object_set_new(o, "recovery_instance_id", str_or_null(sv->recovery_instance_id));
        json_object_set_new(o, "arn", str_or_null(sv->arn));
        json_object_set_new(o, "instance_type", str_or_null(sv->instance_type));
        json_object_set_new(o, "subnet_id", str_or_null(sv->subnet_id));
        json_object_set_new(o, "private_ip", str_or_null(sv->private_ip));
        json_object_set_new(o, "stale", json_boolean(sv->stale));
        json_object_set_new(o, "fetched_at", sv->fetched_at ? json_string(when) : json_null());
        json_object_set_new(o, "tags", json_incref(sv->tags));
    }
    return root;
}

int servers_render_table(const struct store_server_list *l, struct buf *out, struct dr_err *err)
{
    static const struct table_col cols[] = {
        {"ACCOUNT", TABLE_LEFT},     {"REGION", TABLE_LEFT}, {"SERVER ID", TABLE_LEFT},
        {"HOSTNAME", TABLE_LEFT},    {"STATE", TABLE_LEFT},  {"LAG", TABLE_RIGHT},
        {"LAST LAUNCH", TABLE_LEFT}, {"STALE", TABLE_LEFT},
    };
    struct table t;
    char lag[32];
    size_t i;
    int rc = 0;

    table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
    for (i = 0; i < l->n && rc == 0; i++) {
        const struct store_server *sv = &l->v[i];
        const char *cells[8];
        duration_format_short(sv->lag_seconds, lag, sizeof(lag));
        cells[0] = sv->account_id;
        cells[1] = sv->region;
        cells[2] = sv->source_server_id;
        cells[3] = sv->hostname;
        cells[4] = sv->replication_state;
        cells[5] = lag;
        cells[6] = sv->last_launch_result;
        cells[7] = sv->stale ? "stale" : "";
        rc = table_add_row(&t, cells, err);
    }
    if (rc == 0)
        rc = table_render(&t, out, err);
    table_cleanup(&t);
    return rc;
}
