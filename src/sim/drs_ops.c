/*
 * drs_ops.c - the rest of the simulator's DRS operations: launch and
 * replication configuration (per server, with defaults derived from the
 * server), replication configuration templates, recovery snapshots
 * (synthesized every 10 sim minutes), start/stop replication,
 * disconnect/delete of source servers and recovery instances, reverse
 * replication, failback stop, tagging by ARN, staging accounts and
 * extended source servers. Depends on the core module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "sim/drs_common.h"
#include "sim/ec2_common.h"
#include "sim/internal.h"

json_t *drs_find_server(struct sim_call *c, json_t *drs, json_t *in)
{
    const char *id = json_string_value(json_object_get(in, "sourceServerID"));
    if (!id) {
        drs_vfail(c, "sourceServerID", "is required");
        return NULL;
    }
    json_t *s = json_object_get(json_object_get(drs, "servers"), id);
    if (!s) {
        sim_fail(c, 404, "ResourceNotFoundException", "Source server %s not found", id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "SOURCE_SERVER");
    }
    return s;
}

json_t *drs_find_ri(struct sim_call *c, json_t *drs, json_t *in)
{
    const char *id = json_string_value(json_object_get(in, "recoveryInstanceID"));
    if (!id) {
        drs_vfail(c, "recoveryInstanceID", "is required");
        return NULL;
    }
    json_t *r = json_object_get(json_object_get(drs, "rinst"), id);
    if (!r) {
        sim_fail(c, 404, "ResourceNotFoundException", "Recovery instance %s not found", id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "RECOVERY_INSTANCE");
    }
    return r;
}

static const char *const disp[] = {"STOPPED", "STARTED", NULL};
static const char *const rightsz[] = {"NONE", "BASIC", "IN_AWS", NULL};
static const char *const disk_types[] = {"GP2", "GP3", "ST1", "AUTO", NULL};
static const char *const enc[] = {"DEFAULT", "CUSTOM", "NONE", NULL};
static const char *const routing[] = {"PRIVATE_IP", "PUBLIC_IP", NULL};
static const char *const ipproto[] = {"IPV4", "IPV6", NULL};

static const struct field launch_fields[] = {
    {"name", JSON_STRING, NULL},
    {"launchDisposition", JSON_STRING, disp},
    {"targetInstanceTypeRightSizingMethod", JSON_STRING, rightsz},
    {"copyPrivateIp", JSON_TRUE, NULL},
    {"copyTags", JSON_TRUE, NULL},
    {"licensing", JSON_OBJECT, NULL},
    {"postLaunchEnabled", JSON_TRUE, NULL},
    {"launchIntoInstanceProperties", JSON_OBJECT, NULL},
    {NULL, 0, NULL},
};

static const struct field repl_fields[] = {
    {"name", JSON_STRING, NULL},
    {"stagingAreaSubnetId", JSON_STRING, NULL},
    {"associateDefaultSecurityGroup", JSON_TRUE, NULL},
    {"replicationServersSecurityGroupsIDs", JSON_ARRAY, NULL},
    {"replicationServerInstanceType", JSON_STRING, NULL},
    {"useDedicatedReplicationServer", JSON_TRUE, NULL},
    {"defaultLargeStagingDiskType", JSON_STRING, disk_types},
    {"replicatedDisks", JSON_ARRAY, NULL},
    {"ebsEncryption", JSON_STRING, enc},
    {"ebsEncryptionKeyArn", JSON_STRING, NULL},
    {"bandwidthThrottling", JSON_INTEGER, NULL},
    {"dataPlaneRouting", JSON_STRING, routing},
    {"createPublicIP", JSON_TRUE, NULL},
    {"stagingAreaTags", JSON_OBJECT, NULL},
    {"pitPolicy", JSON_ARRAY, NULL},
    {"autoReplicateNewDisks", JSON_TRUE, NULL},
    {"internetProtocol", JSON_STRING, ipproto},
    {NULL, 0, NULL},
};

int drs_merge(struct sim_call *c, json_t *dst, json_t *in, const struct field *fields)
{
    for (const struct field *f = fields; f->name; f++) {
        json_t *v = json_object_get(in, f->name);
        if (!v)
            continue;
        bool ok = f->type == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == (json_type)f->type;
        if (ok && f->type == JSON_INTEGER && json_integer_value(v) < 0)
            ok = false;
        if (ok && f->enums) {
            ok = false;
            for (int i = 0; f->enums[i]; i++)
                ok = ok || strcmp(f->enums[i], json_string_value(v)) == 0;
        }
        if (!ok)
            return drs_vfail(c, f->name, "has the wrong type or value");
    }
    for (const struct field *f = fields; f->name; f++) {
        json_t *v = json_object_get(in, f->name);
        if (v)
            json_object_set(dst, f->name, v);
    }
    return 0;
}

static json_t *launch_cfg(struct sim_call *c, json_t *drs, json_t *srv)
{
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    json_t *cfg = json_object_get(json_object_get(drs, "launch_cfg"), id);
    if (cfg)
        return cfg;
    char lt[32];
    sim_launch_template_id(id, lt, sizeof lt);
    cfg =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:{s:b}, s:b}", "sourceServerID", id, "name",
                  sim_json_path_str(json_object_get(srv, "sourceProperties"), "identificationHints",
                                    "hostname"),
                  "ec2LaunchTemplateID", lt, "launchDisposition", "STARTED",
                  "targetInstanceTypeRightSizingMethod", "BASIC", "copyPrivateIp", 0, "copyTags", 1,
                  "licensing", "osByol", 1, "postLaunchEnabled", 0);
    json_object_set_new(json_object_get(drs, "launch_cfg"), id, cfg);
    (void)c;
    return cfg;
}

static json_t *default_pit(void)
{
    return json_pack("[{s:i, s:s, s:i, s:i, s:b}, {s:i, s:s, s:i, s:i, s:b},"
                     " {s:i, s:s, s:i, s:i, s:b}]",
                     "ruleID", 1, "units", "MINUTE", "interval", 10, "retentionDuration", 60,
                     "enabled", 1, "ruleID", 2, "units", "HOUR", "interval", 1, "retentionDuration",
                     24, "enabled", 1, "ruleID", 3, "units", "DAY", "interval", 1,
                     "retentionDuration", 7, "enabled", 1);
}

static json_t *repl_cfg(struct sim_call *c, json_t *drs, json_t *srv)
{
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    json_t *cfg = json_object_get(json_object_get(drs, "repl_cfg"), id);
    if (cfg)
        return cfg;
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    const char *subnet = json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(ar, "ec2"), "subnets"), 0), "subnetId"));
    json_t *disks = json_array();
    size_t i;
    json_t *d;
    json_t *src_disks = json_object_get(json_object_get(srv, "sourceProperties"), "disks");
    json_array_foreach(src_disks, i, d) json_array_append_new(
        disks, json_pack("{s:O, s:b, s:s, s:s}", "deviceName", json_object_get(d, "deviceName"),
                         "isBootDisk", i == 0, "stagingDiskType", "AUTO",
                         "optimizedStagingDiskType", "GP3"));
    cfg = json_pack("{s:s, s:s, s:s, s:b, s:[], s:s, s:b, s:s, s:o, s:s, s:i, s:s, s:b, s:{},"
                    " s:o, s:b, s:s}",
                    "sourceServerID", id, "name",
                    sim_json_path_str(json_object_get(srv, "sourceProperties"),
                                      "identificationHints", "hostname"),
                    "stagingAreaSubnetId", subnet ? subnet : "subnet-00000000000000000",
                    "associateDefaultSecurityGroup", 1, "replicationServersSecurityGroupsIDs",
                    "replicationServerInstanceType", "t3.small", "useDedicatedReplicationServer", 0,
                    "defaultLargeStagingDiskType", "GP3", "replicatedDisks", disks, "ebsEncryption",
                    "DEFAULT", "bandwidthThrottling", 0, "dataPlaneRouting", "PRIVATE_IP",
                    "createPublicIP", 0, "stagingAreaTags", "pitPolicy", default_pit(),
                    "autoReplicateNewDisks", 1, "internetProtocol", "IPV4");
    json_object_set_new(json_object_get(drs, "repl_cfg"), id, cfg);
    return cfg;
}

static int get_launch_configuration(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    c->out = json_deep_copy(launch_cfg(c, drs, srv));
    return 0;
}

static int update_launch_configuration(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    json_t *cfg = launch_cfg(c, drs, srv);
    if (drs_merge(c, cfg, in, launch_fields) < 0)
        return -1;
    c->out = json_deep_copy(cfg);
    return 0;
}

static int get_replication_configuration(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    c->out = json_deep_copy(repl_cfg(c, drs, srv));
    return 0;
}

static int update_replication_configuration(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    json_t *cfg = repl_cfg(c, drs, srv);
    if (drs_merge(c, cfg, in, repl_fields) < 0)
        return -1;
    c->out = json_deep_copy(cfg);
    return 0;
}

/* ---- replication configuration templates ---- */

static int describe_templates(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ids;
    if (!drs || drs_check_list(c, in, "replicationConfigurationTemplateIDs", 0, 200, &ids) < 0)
        return -1;
    json_t *items = json_array();
    const char *id;
    json_t *t;
    json_object_foreach(json_object_get(drs, "templates"), id, t)
    {
        bool want = !ids || json_array_size(ids) == 0;
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) want =
            want || (json_is_string(v) && strcmp(json_string_value(v), id) == 0);
        if (want)
            json_array_append(items, t);
    }
    size_t start, end;
    if (sim_page(c, in, json_array_size(items), 1000, &start, &end) < 0) {
        json_decref(items);
        return -1;
    }
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(items, i));
    c->out = json_pack("{s:o}", "items", page);
    if (end < json_array_size(items)) {
        char tok[32];
        snprintf(tok, sizeof tok, "%zu", end);
        json_object_set_new(c->out, "nextToken", json_string(tok));
    }
    json_decref(items);
    return 0;
}

static int create_template(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    static const char *const req[] = {"stagingAreaSubnetId",
                                      "replicationServersSecurityGroupsIDs",
                                      "ebsEncryption",
                                      "bandwidthThrottling",
                                      "stagingAreaTags",
                                      "pitPolicy",
                                      NULL};
    for (int i = 0; req[i]; i++)
        if (!json_object_get(in, req[i]))
            return drs_vfail(c, req[i], "is required");
    char id[32], arn[256];
    sim_new_id(c->w, "rct-", 17, id, sizeof id);
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:replication-configuration-template/%s", c->region,
             c->account_id, id);
    json_t *t = json_pack(
        "{s:s, s:s, s:b, s:s, s:b, s:s, s:s, s:b, s:b, s:s, s:{}}",
        "replicationConfigurationTemplateID", id, "arn", arn, "associateDefaultSecurityGroup", 1,
        "replicationServerInstanceType", "t3.small", "useDedicatedReplicationServer", 0,
        "defaultLargeStagingDiskType", "GP3", "dataPlaneRouting", "PRIVATE_IP", "createPublicIP", 0,
        "autoReplicateNewDisks", 1, "internetProtocol", "IPV4", "tags");
    if (drs_merge(c, t, in, repl_fields) < 0 ||
        drs_check_tags(c, json_object_get(in, "tags"), "tags") < 0) {
        json_decref(t);
        return -1;
    }
    json_object_del(t, "name");
    json_object_del(t, "replicatedDisks");
    if (json_object_get(in, "tags"))
        json_object_set(t, "tags", json_object_get(in, "tags"));
    json_object_set_new(json_object_get(drs, "templates"), id, t);
    c->out = json_deep_copy(t);
    c->status = 201;
    return 0;
}

static json_t *find_template(struct sim_call *c, json_t *drs, json_t *in)
{
    const char *id = json_string_value(json_object_get(in, "replicationConfigurationTemplateID"));
    if (!id) {
        drs_vfail(c, "replicationConfigurationTemplateID", "is required");
        return NULL;
    }
    json_t *t = json_object_get(json_object_get(drs, "templates"), id);
    if (!t) {
        sim_fail(c, 404, "ResourceNotFoundException",
                 "Replication configuration template %s not found", id);
        sim_fail_extra(c, "resourceId", id);
        sim_fail_extra(c, "resourceType", "REPLICATION_CONFIGURATION_TEMPLATE");
    }
    return t;
}

static int update_template(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *t;
    if (!drs || !(t = find_template(c, drs, in)))
        return -1;
    if (drs_merge(c, t, in, repl_fields) < 0)
        return -1;
    json_object_del(t, "name");
    json_object_del(t, "replicatedDisks");
    c->out = json_deep_copy(t);
    return 0;
}

static int delete_template(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *t;
    if (!drs || !(t = find_template(c, drs, in)))
        return -1;
    json_object_del(json_object_get(drs, "templates"),
                    json_string_value(json_object_get(in, "replicationConfigurationTemplateID")));
    c->status = 204;
    return 0;
}

/* ---- recovery snapshots: one every 10 sim minutes over the last hour ---- */

static int describe_recovery_snapshots(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    json_t *f = json_object_get(in, "filters");
    int64_t from = INT64_MIN, to = INT64_MAX;
    const char *fs = json_string_value(json_object_get(f, "fromDateTime"));
    const char *ts = json_string_value(json_object_get(f, "toDateTime"));
    if (fs && time_parse(fs, &from) < 0)
        return drs_vfail(c, "filters.fromDateTime", "must be an ISO 8601 date-time");
    if (ts && time_parse(ts, &to) < 0)
        return drs_vfail(c, "filters.toDateTime", "must be an ISO 8601 date-time");
    const char *order = json_string_value(json_object_get(in, "order"));
    if (order && strcmp(order, "ASC") && strcmp(order, "DESC"))
        return drs_vfail(c, "order", "must be ASC or DESC");
    json_t *items = json_array();
    int64_t step = 600000, last = c->now_ms / step * step;
    const char *state = sim_json_path_str(srv, "dataReplicationInfo", "dataReplicationState");
    bool have = state && strcmp(state, "INITIAL_SYNC") && strcmp(state, "INITIATING");
    for (int k = 0; have && k < 6; k++) {
        int64_t t = order && !strcmp(order, "ASC") ? last - (5 - k) * step : last - k * step;
        if (t < from || t > to)
            continue;
        char when[32], sid[32], snap[32];
        unsigned long long h = 1469598103934665603ULL;
        for (const char *p = id; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h ^= (unsigned long long)t;
        h *= 1099511628211ULL;
        snprintf(sid, sizeof sid, "pit-%017llx", h & 0xffffffffffffffffULL);
        sid[21] = '\0';
        snprintf(snap, sizeof snap, "snap-%017llx", (h * 31) & 0xffffffffffffffffULL);
        snap[22] = '\0';
        sim_fmt_time(t, when, sizeof when);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "snapshotID", sid,
                                               "sourceServerID", id, "expectedTimestamp", when,
                                               "timestamp", when, "ebsSnapshots", snap));
    }
    size_t start, end;
    if (sim_page(c, in, json_array_size(items), 1000, &start, &end) < 0) {
        json_decref(items);
        return -1;
    }
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(items, i));
    c->out = json_pack("{s:o}", "items", page);
    if (end < json_array_size(items)) {
        char tok[32];
        snprintf(tok, sizeof tok, "%zu", end);
        json_object_set_new(c->out, "nextToken", json_string(tok));
    }
    json_decref(items);
    return 0;
}

/* ---- replication state changes ---- */

static json_t *meta_of(json_t *drs, json_t *srv)
{
    return json_object_get(json_object_get(drs, "meta"),
                           json_string_value(json_object_get(srv, "sourceServerID")));
}

static int conflict(struct sim_call *c, json_t *srv, const char *msg)
{
    sim_fail(c, 409, "ConflictException", "%s", msg);
    sim_fail_extra(c, "resourceId", json_string_value(json_object_get(srv, "sourceServerID")));
    sim_fail_extra(c, "resourceType", "SOURCE_SERVER");
    return -1;
}

static int start_replication(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    json_t *m = meta_of(drs, srv);
    const char *st = json_string_value(json_object_get(m, "state"));
    if (strcmp(st, "STOPPED") != 0)
        return conflict(c, srv,
                        "Replication can only be started for a server whose replication is "
                        "stopped");
    json_object_set_new(m, "state", json_string("INITIAL_SYNC"));
    json_object_set_new(m, "since_ms", json_integer(c->now_ms));
    json_object_set_new(m, "sync_end_ms", json_integer(c->now_ms + 600000));
    drs_refresh_server(c, drs, json_string_value(json_object_get(srv, "sourceServerID")));
    c->out = json_pack("{s:O}", "sourceServer", srv);
    return 0;
}

static int stop_replication(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    json_t *m = meta_of(drs, srv);
    const char *st = json_string_value(json_object_get(m, "state"));
    if (!strcmp(st, "STOPPED") || !strcmp(st, "DISCONNECTED"))
        return conflict(c, srv, "Replication is not running for this server");
    json_object_set_new(m, "state", json_string("STOPPED"));
    drs_refresh_server(c, drs, json_string_value(json_object_get(srv, "sourceServerID")));
    c->out = json_pack("{s:O}", "sourceServer", srv);
    return 0;
}

static int disconnect_source_server(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    if (sim_drs_server_busy(c->w, id))
        return conflict(c, srv, "The source server is participating in an active job");
    json_t *m = meta_of(drs, srv);
    json_object_set_new(m, "state", json_string("DISCONNECTED"));
    drs_refresh_server(c, drs, id);
    json_t *dri = json_object_get(srv, "dataReplicationInfo");
    json_object_set_new(dri, "lagDuration", json_string("PT0S"));
    c->out = json_deep_copy(srv);
    return 0;
}

static int delete_source_server(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *srv;
    if (!drs || !(srv = drs_find_server(c, drs, in)))
        return -1;
    const char *id = json_string_value(json_object_get(srv, "sourceServerID"));
    const char *st = json_string_value(json_object_get(meta_of(drs, srv), "state"));
    if (strcmp(st, "DISCONNECTED") != 0)
        return conflict(c, srv, "A source server must be disconnected before it is deleted");
    if (sim_drs_server_busy(c->w, id))
        return conflict(c, srv, "The source server is participating in an active job");
    char key[64];
    dr_strlcpy(key, id, sizeof key);
    json_object_del(json_object_get(drs, "meta"), key);
    json_object_del(json_object_get(drs, "launch_cfg"), key);
    json_object_del(json_object_get(drs, "repl_cfg"), key);
    json_object_del(json_object_get(drs, "servers"), key);
    c->status = 204;
    return 0;
}

/* ---- recovery instances ---- */

static int disconnect_recovery_instance(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    json_object_set_new(
        ri, "dataReplicationInfo",
        json_pack("{s:s, s:[]}", "dataReplicationState", "DISCONNECTED", "replicatedDisks"));
    json_t *fb = json_object_get(ri, "failback");
    json_object_set_new(fb, "state", json_string("FAILBACK_NOT_STARTED"));
    return 0;
}

static int delete_recovery_instance(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    const char *st = json_string_value(json_object_get(ri, "ec2InstanceState"));
    const char *rep = sim_json_path_str(ri, "dataReplicationInfo", "dataReplicationState");
    if (strcmp(st, "TERMINATED") != 0 && !(rep && !strcmp(rep, "DISCONNECTED"))) {
        sim_fail(c, 409, "ConflictException",
                 "A recovery instance must be disconnected or terminated before it is deleted");
        sim_fail_extra(c, "resourceId",
                       json_string_value(json_object_get(ri, "recoveryInstanceID")));
        sim_fail_extra(c, "resourceType", "RECOVERY_INSTANCE");
        return -1;
    }
    char id[64];
    dr_strlcpy(id, json_string_value(json_object_get(ri, "recoveryInstanceID")), sizeof id);
    json_t *srv = json_object_get(json_object_get(drs, "servers"),
                                  json_string_value(json_object_get(ri, "sourceServerID")));
    const char *cur = json_string_value(json_object_get(srv, "recoveryInstanceId"));
    if (cur && !strcmp(cur, id))
        json_object_del(srv, "recoveryInstanceId");
    json_object_del(c->w->rinst, id);
    json_object_del(json_object_get(drs, "rinst"), id);
    return 0;
}

static int reverse_replication(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    if (json_is_true(json_object_get(ri, "isDrill")))
        return drs_vfail(c, "recoveryInstanceID", "drill instances cannot reverse replication");
    json_t *srv = json_object_get(json_object_get(drs, "servers"),
                                  json_string_value(json_object_get(ri, "sourceServerID")));
    const char *oacct = sim_json_path_str(srv, "sourceCloudProperties", "originAccountID");
    const char *oreg = sim_json_path_str(srv, "sourceCloudProperties", "originRegion");
    if (!oacct || !oreg)
        return drs_vfail(c, "recoveryInstanceID", "the source server has no AWS origin");
    json_t *ex = json_object_get(srv, "reversedDirectionSourceServerArn");
    if (ex) {
        c->out = json_pack("{s:O}", "reversedDirectionSourceServerArn", ex);
        return 0;
    }
    json_t *oar = sim_ar(c->w, oacct, oreg);
    if (!oar)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    sim_drs_materialize(c->w, oar);
    json_t *odrs = json_object_get(oar, "drs");
    char nid[32], arn[256];
    sim_new_id(c->w, "s-", 17, nid, sizeof nid);
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:source-server/%s", oreg, oacct, nid);
    json_t *ns = json_deep_copy(srv);
    json_object_set_new(ns, "sourceServerID", json_string(nid));
    json_object_set_new(ns, "arn", json_string(arn));
    json_object_set_new(ns, "replicationDirection", json_string("FAILBACK"));
    json_object_set(ns, "reversedDirectionSourceServerArn", json_object_get(srv, "arn"));
    json_object_set_new(ns, "lastLaunchResult", json_string("NOT_STARTED"));
    json_object_del(ns, "recoveryInstanceId");
    json_object_del(json_object_get(ns, "lifeCycle"), "lastLaunch");
    json_t *scp = json_object_get(ns, "sourceCloudProperties");
    json_object_set_new(scp, "originAccountID", json_string(c->account_id));
    json_object_set_new(scp, "originRegion", json_string(c->region));
    json_object_set_new(json_object_get(odrs, "servers"), nid, ns);
    json_object_set_new(json_object_get(odrs, "meta"), nid,
                        json_pack("{s:s, s:i, s:I, s:b, s:I}", "state", "INITIAL_SYNC", "lag_s", 0,
                                  "sync_end_ms", (json_int_t)(c->now_ms + 600000), "archived", 0,
                                  "since_ms", (json_int_t)c->now_ms));
    json_object_set_new(srv, "reversedDirectionSourceServerArn", json_string(arn));
    json_object_set_new(json_object_get(ri, "failback"), "state",
                        json_string("FAILBACK_IN_PROGRESS"));
    json_object_set_new(drs_map(drs, "fb_ready"),
                        json_string_value(json_object_get(ri, "recoveryInstanceID")),
                        json_integer(c->now_ms + DRS_FAILBACK_SYNC_MS));
    c->out = json_pack("{s:s}", "reversedDirectionSourceServerArn", arn);
    return 0;
}

static int stop_failback(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true), *ri;
    if (!drs || !(ri = drs_find_ri(c, drs, in)))
        return -1;
    json_object_set_new(json_object_get(ri, "failback"), "state",
                        json_string("FAILBACK_NOT_STARTED"));
    return 0;
}

/* ---- tagging by ARN ---- */

static json_t *resource_by_arn(struct sim_call *c, const char *arn)
{
    /* arn:aws:drs:REGION:ACCOUNT:TYPE/ID */
    char region[64], acct[16];
    const char *p = arn;
    if (strncmp(p, "arn:aws:drs:", 12) != 0)
        return NULL;
    p += 12;
    const char *colon = strchr(p, ':');
    if (!colon || (size_t)(colon - p) >= sizeof region)
        return NULL;
    memcpy(region, p, (size_t)(colon - p));
    region[colon - p] = '\0';
    p = colon + 1;
    colon = strchr(p, ':');
    if (!colon || colon - p != 12)
        return NULL;
    memcpy(acct, p, 12);
    acct[12] = '\0';
    if (strcmp(acct, c->account_id) != 0)
        return NULL;
    p = colon + 1;
    const char *slash = strchr(p, '/');
    if (!slash)
        return NULL;
    char key[SIM_AR_KEY_MAX];
    sim_ar_key(key, sizeof key, acct, region);
    json_t *ar = json_object_get(c->w->ars, key);
    json_t *drs = json_object_get(ar, "drs");
    const char *id = slash + 1;
    size_t tl = (size_t)(slash - p);
    if (tl == 13 && !strncmp(p, "source-server", tl))
        return json_object_get(json_object_get(drs, "servers"), id);
    if (tl == 3 && !strncmp(p, "job", tl))
        return json_object_get(json_object_get(drs, "jobs"), id);
    if (tl == 17 && !strncmp(p, "recovery-instance", tl))
        return json_object_get(json_object_get(drs, "rinst"), id);
    if (tl == 34 && !strncmp(p, "replication-configuration-template", tl))
        return json_object_get(json_object_get(drs, "templates"), id);
    if (tl == 29 && !strncmp(p, "launch-configuration-template", tl))
        return json_object_get(json_object_get(drs, "lct"), id);
    return NULL;
}

static json_t *tagged(struct sim_call *c, json_t *in)
{
    const char *arn = json_string_value(json_object_get(in, "resourceArn"));
    json_t *r = arn ? resource_by_arn(c, arn) : NULL;
    if (!r) {
        sim_fail(c, 404, "ResourceNotFoundException", "Resource %s not found", arn ? arn : "");
        sim_fail_extra(c, "resourceId", arn);
        return NULL;
    }
    json_t *tags = json_object_get(r, "tags");
    if (!tags)
        json_object_set_new(r, "tags", json_object());
    else if (tags->refcount > 1) /* shared (servers, a job and its instances): copy on write */
        json_object_set_new(r, "tags", json_copy(tags));
    return r;
}

static int list_tags(struct sim_call *c, json_t *in)
{
    json_t *r = tagged(c, in);
    if (!r)
        return -1;
    c->out = json_pack("{s:O}", "tags", json_object_get(r, "tags"));
    return 0;
}

static int tag_resource(struct sim_call *c, json_t *in)
{
    json_t *tags = json_object_get(in, "tags");
    if (!tags)
        return drs_vfail(c, "tags", "is required");
    if (drs_check_tags(c, tags, "tags") < 0)
        return -1;
    json_t *r = tagged(c, in);
    if (!r)
        return -1;
    json_object_update(json_object_get(r, "tags"), tags);
    return 0;
}

static int untag_resource(struct sim_call *c, json_t *in)
{
    json_t *keys;
    if (drs_check_list(c, in, "tagKeys", 1, 50, &keys) < 0)
        return -1;
    json_t *r = tagged(c, in);
    if (!r)
        return -1;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (json_is_string(k))
            json_object_del(json_object_get(r, "tags"), json_string_value(k));
    }
    return 0;
}

/* ---- staging accounts and extended source servers ---- */

static int list_staging_accounts(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    json_t *all = json_object_get(drs, "staging_accounts");
    size_t start, end;
    if (sim_page(c, in, json_array_size(all), 50, &start, &end) < 0)
        return -1;
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append_new(page, json_pack("{s:O}", "accountID", json_array_get(all, i)));
    c->out = json_pack("{s:o}", "accounts", page);
    if (end < json_array_size(all)) {
        char tok[32];
        snprintf(tok, sizeof tok, "%zu", end);
        json_object_set_new(c->out, "nextToken", json_string(tok));
    }
    return 0;
}

static int list_extensible(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    const char *stg = json_string_value(json_object_get(in, "stagingAccountID"));
    if (!stg)
        return drs_vfail(c, "stagingAccountID", "is required");
    json_t *items = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(drs, "extensible"), i, e)
    {
        const char *arn = json_string_value(json_object_get(e, "arn"));
        char needle[20];
        snprintf(needle, sizeof needle, ":%s:", stg);
        if (arn && strstr(arn, needle))
            json_array_append_new(items, json_pack("{s:O, s:O, s:O}", "hostname",
                                                   json_object_get(e, "hostname"), "arn",
                                                   json_object_get(e, "arn"), "tags",
                                                   json_object_get(e, "tags")));
    }
    size_t start, end;
    if (sim_page(c, in, json_array_size(items), 300, &start, &end) < 0) {
        json_decref(items);
        return -1;
    }
    json_t *page = json_array();
    for (size_t k = start; k < end; k++)
        json_array_append(page, json_array_get(items, k));
    c->out = json_pack("{s:o}", "items", page);
    json_decref(items);
    return 0;
}

static int create_extended(struct sim_call *c, json_t *in)
{
    json_t *drs = drs_state(c, true);
    if (!drs)
        return -1;
    const char *arn = json_string_value(json_object_get(in, "sourceServerArn"));
    if (!arn)
        return drs_vfail(c, "sourceServerArn", "is required");
    json_t *tags = json_object_get(in, "tags");
    if (drs_check_tags(c, tags, "tags") < 0)
        return -1;
    json_t *ext = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(drs, "extensible"), i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "arn")), arn))
            ext = e;
    }
    if (!ext) {
        sim_fail(c, 404, "ResourceNotFoundException", "Source server %s is not extensible", arn);
        sim_fail_extra(c, "resourceId", arn);
        sim_fail_extra(c, "resourceType", "SOURCE_SERVER");
        return -1;
    }
    const char *slash = strrchr(arn, '/');
    const char *sid = slash ? slash + 1 : "";
    if (strlen(sid) != 19 || json_object_get(json_object_get(drs, "servers"), sid)) {
        sim_fail(c, 409, "ConflictException", "Source server %s is already extended", arn);
        return -1;
    }
    char narn[256], t[32], stg[16] = "";
    const char *p = strstr(arn, ":drs:");
    if (p && (p = strchr(p + 5, ':')) && strlen(p) > 13) {
        memcpy(stg, p + 1, 12);
        stg[12] = '\0';
    }
    snprintf(narn, sizeof narn, "arn:aws:drs:%s:%s:source-server/%s", c->region, c->account_id,
             sid);
    sim_fmt_time(c->now_ms, t, sizeof t);
    json_t *srv = json_pack(
        "{s:s, s:s, s:o, s:s, s:{s:s, s:s, s:[]}, s:{s:s}, s:{s:s, s:{s:O}, s:[], s:[], s:[],"
        " s:i, s:{s:s}}, s:{s:s, s:s, s:O}, s:s}",
        "sourceServerID", sid, "arn", narn, "tags",
        tags ? json_deep_copy(tags) : json_deep_copy(json_object_get(ext, "tags")),
        "lastLaunchResult", "NOT_STARTED", "dataReplicationInfo", "dataReplicationState",
        "CONTINUOUS", "lagDuration", "PT0S", "replicatedDisks", "lifeCycle",
        "addedToServiceDateTime", t, "sourceProperties", "lastUpdatedDateTime", t,
        "identificationHints", "hostname", json_object_get(ext, "hostname"), "networkInterfaces",
        "disks", "cpus", "ramBytes", 0, "os", "fullString", "", "stagingArea", "status", "EXTENDED",
        "stagingAccountID", stg, "stagingSourceServerArn", json_object_get(ext, "arn"),
        "replicationDirection", "FAILOVER");
    if (!srv)
        return sim_fail(c, 500, "InternalServerException", "out of memory");
    json_object_set_new(json_object_get(drs, "servers"), sid, srv);
    json_object_set_new(json_object_get(drs, "meta"), sid,
                        json_pack("{s:s, s:i, s:I, s:b, s:I}", "state", "CONTINUOUS", "lag_s", 0,
                                  "sync_end_ms", (json_int_t)c->now_ms, "archived", 0, "since_ms",
                                  (json_int_t)c->now_ms));
    c->out = json_pack("{s:O}", "sourceServer", srv);
    c->status = 201;
    return 0;
}

const struct sim_op sim_drs_more_ops[] = {
    {"GetLaunchConfiguration", get_launch_configuration},
    {"UpdateLaunchConfiguration", update_launch_configuration},
    {"GetReplicationConfiguration", get_replication_configuration},
    {"UpdateReplicationConfiguration", update_replication_configuration},
    {"DescribeReplicationConfigurationTemplates", describe_templates},
    {"CreateReplicationConfigurationTemplate", create_template},
    {"UpdateReplicationConfigurationTemplate", update_template},
    {"DeleteReplicationConfigurationTemplate", delete_template},
    {"DescribeRecoverySnapshots", describe_recovery_snapshots},
    {"StartReplication", start_replication},
    {"StopReplication", stop_replication},
    {"DisconnectSourceServer", disconnect_source_server},
    {"DeleteSourceServer", delete_source_server},
    {"DisconnectRecoveryInstance", disconnect_recovery_instance},
    {"DeleteRecoveryInstance", delete_recovery_instance},
    {"ReverseReplication", reverse_replication},
    {"StopFailback", stop_failback},
    {"ListTagsForResource", list_tags},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListStagingAccounts", list_staging_accounts},
    {"ListExtensibleSourceServers", list_extensible},
    {"CreateExtendedSourceServer", create_extended},
    {NULL, NULL},
};
