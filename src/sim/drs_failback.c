/*
 * drs_failback.c - the simulator's DRS failback and launch-default
 * operations: StartFailbackLaunch (a FAILBACK-initiated launch job over
 * recovery instances whose failback replication is ready),
 * Get/UpdateFailbackReplicationConfiguration, RetryDataReplication, and
 * the launch configuration templates (Create, Describe, Update, Delete).
 * Shapes follow botocore's drs/2020-02-26 model. Depends on the core
 * module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "sim/drs_common.h"
#include "sim/internal.h"

json_t *drs_map(json_t *drs, const char *name)
{
    json_t *m = json_object_get(drs, name);
    if (!m) {
        m = json_object();
        json_object_set_new(drs, name, m);
    }
    return m;
}

void drs_refresh_failback(struct sim_call *c, json_t *drs)
{
    json_t *ready = drs_map(drs, "fb_ready");
    const char *id;
    json_t *at, *tmp;
    json_object_foreach_safe(ready, tmp, id, at)
    {
        json_t *ri = json_object_get(json_object_get(drs, "rinst"), id);
        const char *st = sim_json_path_str(ri, "failback", "state");
        if (!st || strcmp(st, "FAILBACK_IN_PROGRESS") != 0) {
            json_object_del(ready, id); /* stopped, completed or gone */
            continue;
        }
        if (c->now_ms >= json_integer_value(at)) {
            json_object_set_new(json_object_get(ri, "failback"), "state",
                                json_string("FAILBACK_READY_FOR_LAUNCH"));
            json_object_del(ready, id);
        }
    }
}

/* ---- failback ---- */

static int start_failback_launch(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ids;
    if (!drs || drs_check_list(c, in, "recoveryInstanceIDs", 1, 200, &ids) < 0)
        return -1;
    json_t *tags = json_object_get(in, "tags");
    if (drs_check_tags(c, tags, "tags") < 0)
        return -1;
    drs_refresh_failback(c, drs);
    json_t *t = tags ? json_incref(tags) : json_object();
    json_t *job = NULL;
    int rc = sim_drs_start_failback(c, ids, t, &job);
    json_decref(t);
    if (rc < 0)
        return -1;
    c->out = json_pack("{s:o}", "job", job);
    return 0;
}

static const char *const ipproto[] = {"IPV4", "IPV6", NULL};
static const struct field fb_fields[] = {
    {"name", JSON_STRING, NULL},
    {"bandwidthThrottling", JSON_INTEGER, NULL},
    {"usePrivateIP", JSON_TRUE, NULL},
    {"internetProtocol", JSON_STRING, ipproto},
    {NULL, 0, NULL},
};

static json_t *fb_cfg(json_t *drs, json_t *ri)
{
    const char *id = json_string_value(json_object_get(ri, "recoveryInstanceID"));
    json_t *all = drs_map(drs, "fb_cfg"), *cfg = json_object_get(all, id);
    if (!cfg) {
        const char *host = sim_json_path_str(json_object_get(ri, "recoveryInstanceProperties"),
                                             "identificationHints", "hostname");
        cfg = json_pack("{s:s, s:s, s:i, s:b, s:s}", "recoveryInstanceID", id, "name",
                        host ? host : id, "bandwidthThrottling", 0, "usePrivateIP", 0,
                        "internetProtocol", "IPV4");
        json_object_set_new(all, id, cfg);
    }
    return cfg;
}

static int get_failback_cfg(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    c->out = json_deep_copy(fb_cfg(drs, ri));
    return 0;
}

static int update_failback_cfg(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    return drs_merge(c, fb_cfg(drs, ri), in, fb_fields);
}

/* ---- RetryDataReplication (deprecated in the model, still served) ---- */

static int retry_data_replication(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *srv = drs_find_server(c, drs, in);
    if (!srv)
        return -1;
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    json_t *m = json_object_get(json_object_get(drs, "meta"), id);
    const char *st = json_string_value(json_object_get(m, "state"));
    bool stalled = json_object_get(c->w->faults.stalled, id) != NULL;
    /* "works only if the Source Server is stalled or is in a DISCONNECTED or STOPPED state" */
    if (!stalled && strcmp(st, "DISCONNECTED") != 0 && strcmp(st, "STOPPED") != 0) {
        sim_fail(c, 400, "ValidationException",
                 "Data replication can be retried only for a stalled, disconnected or stopped "
                 "source server (state %s)",
                 st);
        sim_fail_extra(c, "reason", "other");
        return -1;
    }
    /* the initiation starts again: the stall clears, the data is synced anew */
    json_object_del(c->w->faults.stalled, id);
    json_object_del(m, "stalled_ms");
    json_object_set_new(m, "state", json_string("INITIAL_SYNC"));
    json_object_set_new(m, "since_ms", json_integer(c->now_ms));
    json_object_set_new(m, "sync_end_ms", json_integer(c->now_ms + 600000));
    drs_refresh_server(c, drs, id);
    c->out = json_deep_copy(srv);
    return 0;
}

/* ---- launch configuration templates ---- */

static const char *const disp[] = {"STOPPED", "STARTED", NULL};
static const char *const rightsz[] = {"NONE", "BASIC", "IN_AWS", NULL};
static const struct field lct_fields[] = {
    {"launchDisposition", JSON_STRING, disp},
    {"targetInstanceTypeRightSizingMethod", JSON_STRING, rightsz},
    {"copyPrivateIp", JSON_TRUE, NULL},
    {"copyTags", JSON_TRUE, NULL},
    {"licensing", JSON_OBJECT, NULL},
    {"exportBucketArn", JSON_STRING, NULL},
    {"postLaunchEnabled", JSON_TRUE, NULL},
    {"launchIntoSourceInstance", JSON_TRUE, NULL},
    {NULL, 0, NULL},
};

static int check_lct_input(struct sim_call *c, json_t *in)
{
    json_t *lic = json_object_get(in, "licensing");
    json_t *byol = json_object_get(lic, "osByol");
    if (lic && json_is_object(lic) &&
        (json_object_size(lic) > 1 || (json_object_size(lic) == 1 && !json_is_boolean(byol))))
        return drs_vfail(c, "licensing", "takes only the boolean osByol");
    const char *arn = json_string_value(json_object_get(in, "exportBucketArn"));
    if (arn && (strncmp(arn, "arn:", 4) != 0 || strlen(arn) < 20 || strlen(arn) > 2048))
        return drs_vfail(c, "exportBucketArn", "must be an ARN");
    return 0;
}

static bool lct_id_ok(const char *id)
{
    if (!id || strlen(id) != 21 || strncmp(id, "lct-", 4) != 0)
        return false;
    for (const char *p = id + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

static json_t *find_lct(struct sim_call *c, json_t *drs, json_t *in)
{
    const char *id = json_string_value(json_object_get(in, "launchConfigurationTemplateID"));
    if (!id) {
        drs_vfail(c, "launchConfigurationTemplateID", "is required");
        return NULL;
    }
    if (!lct_id_ok(id)) {
        drs_vfail(c, "launchConfigurationTemplateID", "must match lct-[0-9a-zA-Z]{17}");
        return NULL;
    }
    json_t *t = json_object_get(drs_map(drs, "lct"), id);
    if (!t) {
        sim_fail(c, 404, "ResourceNotFoundException", "Launch configuration template %s not found",
                 id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "LAUNCH_CONFIGURATION_TEMPLATE");
    }
    return t;
}

static int create_lct(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs || check_lct_input(c, in) < 0)
        return -1;
    json_t *tags = json_object_get(in, "tags");
    if (drs_check_tags(c, tags, "tags") < 0)
        return -1;
    char id[32], arn[256];
    sim_new_id(c->w, "lct-", 17, id, sizeof id);
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:launch-configuration-template/%s", c->region,
             c->account_id, id);
    json_t *t = json_pack(
        "{s:s, s:s, s:o, s:s, s:s, s:b, s:b, s:{s:b}, s:b, s:b}", "launchConfigurationTemplateID",
        id, "arn", arn, "tags", tags ? json_copy(tags) : json_object(), "launchDisposition",
        "STARTED", "targetInstanceTypeRightSizingMethod", "BASIC", "copyPrivateIp", 0, "copyTags",
        1, "licensing", "osByol", 1, "postLaunchEnabled", 0, "launchIntoSourceInstance", 0);
    if (!t)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    if (drs_merge(c, t, in, lct_fields) < 0) {
        json_decref(t);
        return -1;
    }
    json_object_set_new(drs_map(drs, "lct"), id, t);
    c->out = json_pack("{s:O}", "launchConfigurationTemplate", t);
    c->status = 201;
    return 0;
}

static int describe_lcts(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ids;
    if (!drs || drs_check_list(c, in, "launchConfigurationTemplateIDs", 0, 1, &ids) < 0)
        return -1;
    json_t *all = drs_map(drs, "lct"), *items = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!lct_id_ok(id)) {
            json_decref(items);
            return drs_vfail(c, "launchConfigurationTemplateIDs",
                             "each item must match lct-[0-9a-zA-Z]{17}");
        }
        if (!json_object_get(all, id)) {
            json_decref(items);
            sim_fail(c, 404, "ResourceNotFoundException",
                     "Launch configuration template %s not found", id);
            sim_fail_extra(c, "resourceId", id);
            sim_fail_extra(c, "resourceType", "LAUNCH_CONFIGURATION_TEMPLATE");
            return -1;
        }
        json_array_append(items, json_object_get(all, id));
    }
    if (json_array_size(ids) == 0) {
        const char *k;
        json_object_foreach(all, k, v) json_array_append(items, v);
    }
    return drs_page_out(c, in, items, "items");
}

static int update_lct(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *t;
    if (!drs || !(t = find_lct(c, drs, in)) || check_lct_input(c, in) < 0 ||
        drs_merge(c, t, in, lct_fields) < 0)
        return -1;
    c->out = json_pack("{s:O}", "launchConfigurationTemplate", t);
    return 0;
}

static int delete_lct(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs || !find_lct(c, drs, in))
        return -1;
    json_object_del(drs_map(drs, "lct"),
                    json_string_value(json_object_get(in, "launchConfigurationTemplateID")));
    c->status = 204;
    return 0;
}

const struct sim_op sim_drs_failback_ops[] = {
    {"StartFailbackLaunch", start_failback_launch},
    {"GetFailbackReplicationConfiguration", get_failback_cfg},
    {"UpdateFailbackReplicationConfiguration", update_failback_cfg},
    {"RetryDataReplication", retry_data_replication},
    {"CreateLaunchConfigurationTemplate", create_lct},
    {"DescribeLaunchConfigurationTemplates", describe_lcts},
    {"UpdateLaunchConfigurationTemplate", update_lct},
    {"DeleteLaunchConfigurationTemplate", delete_lct},
    {NULL, NULL},
};
