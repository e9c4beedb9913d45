/*
 * drsitem.c - validation of DRS API items (DescribeSourceServers,
 * DescribeRecoveryInstances, DescribeJobs; botocore member names) and
 * extraction of the columns the store indexes. Input comes from the
 * network: every member is type-checked, and errors name the member.
 * JSON null counts as absent. Depends on jansson and core only.
 */
#include <string.h>

#include "core/duration.h"
#include "store/store.h"

#define ID_MAX 256

/* Optional string member; *out = NULL when absent or null. */
static int opt_str(const json_t *obj, const char *key, const char *path, const char **out,
                   struct dr_err *err)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return dr_err_set(err, DR_EPARSE, "%s: must be a string", path);
    *out = json_string_value(v);
    return 0;
}

/* Optional object member; *out = NULL when absent or null. */
static int opt_obj(const json_t *obj, const char *key, const char *path, const json_t **out,
                   struct dr_err *err)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return dr_err_set(err, DR_EPARSE, "%s: must be an object", path);
    *out = v;
    return 0;
}

/* A required identifier: a non-empty string of printable ASCII, bounded. */
static int req_id(const json_t *obj, const char *key, const char **out, struct dr_err *err)
{
    const char *s;
    size_t i, n;

    if (opt_str(obj, key, key, &s, err) < 0)
        return -DR_EPARSE;
    if (!s || !*s)
        return dr_err_set(err, DR_EPARSE, "%s: missing", key);
    n = strlen(s);
    if (n > ID_MAX)
        return dr_err_set(err, DR_EPARSE, "%s: longer than %d characters", key, ID_MAX);
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return dr_err_set(err, DR_EPARSE, "%s: contains a character that is not printable",
                              key);
    }
    *out = s;
    return 0;
}

static int opt_tags(const json_t *obj, const json_t **out, struct dr_err *err)
{
    const char *k;
    const json_t *v, *tags;

    if (opt_obj(obj, "tags", "tags", &tags, err) < 0)
        return -DR_EPARSE;
    json_object_foreach((json_t *)tags, k, v)
    {
        if (!json_is_string(v))
            return dr_err_set(err, DR_EPARSE, "tags.%.64s: value must be a string", k);
    }
    *out = tags;
    return 0;
}

int store_drs_server_parse(const json_t *item, struct store_drs_server *out, struct dr_err *err)
{
    const json_t *dri, *sp, *hints, *lc, *ll, *init, *scp;
    const char *lag;
    int64_t ms;

    memset(out, 0, sizeof(*out));
    out->lag_seconds = -1;
    if (!json_is_object(item))
        return dr_err_set(err, DR_EPARSE, "source server item: must be an object");
    if (req_id(item, "sourceServerID", &out->source_server_id, err) < 0)
        return -DR_EPARSE;
    if (opt_str(item, "arn", "arn", &out->arn, err) < 0 ||
        opt_str(item, "lastLaunchResult", "lastLaunchResult", &out->last_launch_result, err) < 0 ||
        opt_str(item, "recoveryInstanceId", "recoveryInstanceId", &out->recovery_instance_id, err) <
            0 ||
        opt_tags(item, &out->tags, err) < 0)
        return -DR_EPARSE;

    if (opt_obj(item, "dataReplicationInfo", "dataReplicationInfo", &dri, err) < 0 ||
        opt_str(dri, "dataReplicationState", "dataReplicationInfo.dataReplicationState",
                &out->replication_state, err) < 0 ||
        opt_str(dri, "lagDuration", "dataReplicationInfo.lagDuration", &lag, err) < 0)
        return -DR_EPARSE;
    if (lag) {
        if (duration_parse_iso8601(lag, &ms) < 0)
            return dr_err_set(err, DR_EPARSE,
                              "dataReplicationInfo.lagDuration: '%.40s' is not an ISO 8601 "
                              "duration",
                              lag);
        out->lag_seconds = ms / 1000;
    }

    if (opt_obj(item, "sourceProperties", "sourceProperties", &sp, err) < 0 ||
        opt_obj(sp, "identificationHints", "sourceProperties.identificationHints", &hints, err) <
            0 ||
        opt_str(hints, "hostname", "sourceProperties.identificationHints.hostname", &out->hostname,
                err) < 0 ||
        opt_str(hints, "awsInstanceID", "sourceProperties.identificationHints.awsInstanceID",
                &out->ec2_instance_id, err) < 0)
        return -DR_EPARSE;

    if (opt_obj(item, "lifeCycle", "lifeCycle", &lc, err) < 0 ||
        opt_obj(lc, "lastLaunch", "lifeCycle.lastLaunch", &ll, err) < 0 ||
        opt_obj(ll, "initiated", "lifeCycle.lastLaunch.initiated", &init, err) < 0 ||
        opt_str(init, "jobID", "lifeCycle.lastLaunch.initiated.jobID", &out->last_launch_job_id,
                err) < 0 ||
        opt_str(init, "type", "lifeCycle.lastLaunch.initiated.type", &out->last_launch_type, err) <
            0 ||
        opt_str(init, "apiCallDateTime", "lifeCycle.lastLaunch.initiated.apiCallDateTime",
                &out->last_launch_at, err) < 0)
        return -DR_EPARSE;

    if (opt_obj(item, "sourceCloudProperties", "sourceCloudProperties", &scp, err) < 0 ||
        opt_str(scp, "originAccountID", "sourceCloudProperties.originAccountID",
                &out->origin_account_id, err) < 0 ||
        opt_str(scp, "originRegion", "sourceCloudProperties.originRegion", &out->origin_region,
                err) < 0)
        return -DR_EPARSE;
    return 0;
}

int store_drs_recovery_instance_parse(const json_t *item, struct store_drs_recovery_instance *out,
                                      struct dr_err *err)
{
    const json_t *d;

    memset(out, 0, sizeof(*out));
    out->is_drill = -1;
    if (!json_is_object(item))
        return dr_err_set(err, DR_EPARSE, "recovery instance item: must be an object");
    if (req_id(item, "recoveryInstanceID", &out->recovery_instance_id, err) < 0 ||
        opt_str(item, "sourceServerID", "sourceServerID", &out->source_server_id, err) < 0 ||
        opt_str(item, "ec2InstanceID", "ec2InstanceID", &out->ec2_instance_id, err) < 0 ||
        opt_str(item, "ec2InstanceState", "ec2InstanceState", &out->ec2_instance_state, err) < 0 ||
        opt_str(item, "jobID", "jobID", &out->job_id, err) < 0)
        return -DR_EPARSE;
    d = json_object_get(item, "isDrill");
    if (d && !json_is_null(d)) {
        if (!json_is_boolean(d))
            return dr_err_set(err, DR_EPARSE, "isDrill: must be a boolean");
        out->is_drill = json_is_true(d) ? 1 : 0;
    }
    return 0;
}

int store_drs_job_parse(const json_t *item, struct store_drs_job *out, struct dr_err *err)
{
    const json_t *ps;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(item))
        return dr_err_set(err, DR_EPARSE, "job item: must be an object");
    if (req_id(item, "jobID", &out->job_id, err) < 0 ||
        opt_str(item, "type", "type", &out->type, err) < 0 ||
        opt_str(item, "status", "status", &out->status, err) < 0 ||
        opt_str(item, "initiatedBy", "initiatedBy", &out->initiated_by, err) < 0 ||
        opt_str(item, "creationDateTime", "creationDateTime", &out->created_at, err) < 0 ||
        opt_str(item, "endDateTime", "endDateTime", &out->ended_at, err) < 0)
        return -DR_EPARSE;
    ps = json_object_get(item, "participatingServers");
    if (ps && !json_is_null(ps) && !json_is_array(ps))
        return dr_err_set(err, DR_EPARSE, "participatingServers: must be an array");
    return 0;
}

int store_ec2_instance_parse(const json_t *item, struct store_ec2_instance *out, struct dr_err *err)
{
    const json_t *tags, *t;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(item))
        return dr_err_set(err, DR_EPARSE, "instance item: must be an object");
    if (req_id(item, "InstanceId", &out->instance_id, err) < 0 ||
        opt_str(item, "InstanceType", "InstanceType", &out->instance_type, err) < 0 ||
        opt_str(item, "SubnetId", "SubnetId", &out->subnet_id, err) < 0 ||
        opt_str(item, "PrivateIpAddress", "PrivateIpAddress", &out->private_ip, err) < 0)
        return -DR_EPARSE;
    tags = json_object_get(item, "Tags");
    if (!tags || json_is_null(tags))
        return 0;
    if (!json_is_array(tags))
        return dr_err_set(err, DR_EPARSE, "Tags: must be an array");
    json_array_foreach(tags, i, t)
    {
        const json_t *k = json_object_get(t, "Key"), *v = json_object_get(t, "Value");
        if (!json_is_object(t) || !json_is_string(k) || (v && !json_is_string(v)))
            return dr_err_set(err, DR_EPARSE,
                              "Tags[%zu]: must be {\"Key\": string, \"Value\": string}", i);
    }
    out->tags = tags;
    return 0;
}
